/**
 * The correlation-flip data of exporter/scripts/gen_multivariate_fixture.py, replayed bit for bit (its docstring
 * has the definition): five numerical columns, height and weight correlated with `rho`, income and spend with 0.8,
 * age independent, income missing in ~3% of rows. Flipping `rho` to −rho changes no column's marginal.
 */
export const FLIP_COLUMNS = ['height', 'weight', 'income', 'spend', 'age'] as const;

export interface FlipSpec {
  readonly seed: number;
  readonly rows: number;
  readonly rho: number;
  /** @default 0.03 */
  readonly missingShare?: number;
}

/** Column-major rows (NaN = missing), as `plumbline drift` reads a file and a window sample holds its rows. */
export function correlationFlipData(spec: FlipSpec): Record<(typeof FLIP_COLUMNS)[number], Float64Array> {
  let x = spec.seed >>> 0;
  const uniform = (): number => {
    // (1664525 x + 1013904223) mod 2³²: Math.imul keeps the low 32 bits of the product, exactly.
    x = (Math.imul(1664525, x) + 1013904223) >>> 0;
    return x / 4294967296;
  };
  const normal = (): number => {
    let s = 0;
    for (let k = 0; k < 12; k++) s += uniform();
    return s - 6;
  };
  const missingShare = spec.missingShare ?? 0.03;
  const sRho = Math.sqrt(1 - spec.rho * spec.rho);
  const sCd = Math.sqrt(1 - 0.8 * 0.8);
  const out = {
    height: new Float64Array(spec.rows),
    weight: new Float64Array(spec.rows),
    income: new Float64Array(spec.rows),
    spend: new Float64Array(spec.rows),
    age: new Float64Array(spec.rows),
  };
  for (let i = 0; i < spec.rows; i++) {
    const z1 = normal();
    const z2 = normal();
    const z3 = normal();
    const z4 = normal();
    const z5 = normal();
    const um = uniform();
    out.height[i] = 170 + 10 * z1;
    out.weight[i] = 70 + 12 * (spec.rho * z1 + sRho * z2);
    out.income[i] = um < missingShare ? Number.NaN : 50 + 20 * z3;
    out.spend[i] = 30 + 8 * (0.8 * z3 + sCd * z4);
    out.age[i] = 40 + 10 * z5;
  }
  return out;
}

/** The same data as in-memory columns of cells (null for missing), what buildReferenceProfile / evaluate take. */
export function correlationFlipColumns(spec: FlipSpec): Record<string, (number | null)[]> {
  const data = correlationFlipData(spec);
  const out: Record<string, (number | null)[]> = {};
  for (const name of FLIP_COLUMNS) out[name] = Array.from(data[name], (v) => (Number.isNaN(v) ? null : v));
  return out;
}

/** The same data as CSV text (shortest round-trip decimals, so a file reader gets the same doubles back). */
export function correlationFlipCsv(spec: FlipSpec): string {
  const data = correlationFlipData(spec);
  const lines = [FLIP_COLUMNS.join(',')];
  for (let i = 0; i < spec.rows; i++)
    lines.push(FLIP_COLUMNS.map((c) => (Number.isNaN(data[c][i]) ? '' : String(data[c][i]))).join(','));
  return `${lines.join('\n')}\n`;
}
