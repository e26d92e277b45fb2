/**
 * Multivariate drift's cost (issue #12 item 4): `node exporter/bench/run.js multivariate-bench.ts`.
 * 25 numerical columns (five correlated blocks of five, 1% missing): the fit on a 200,000-row reference (what
 * `plumbline drift` does, every row) and on a 50,000-row sample (baseline import's default reservoir), then
 * `multivariateDrift` on a window's sample of 50,000 rows (the service's default K) and on 200,000 file rows.
 * Median of 5 runs each, one process.
 */
import {
  fitMultivariateReference,
  multivariateDrift,
  type MultivariateRows,
} from '../src/drift/multivariate';
import type { MultivariateReference } from '../src/drift/profile-types';
import { mulberry32 } from '../src/drift/reservoir';

const COLUMNS = 25;

function rows(n: number, seed: number, rho: number): MultivariateRows {
  const r = mulberry32(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const cols = Array.from({ length: COLUMNS }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let block = 0; block < COLUMNS / 5; block++) {
      const common = normal();
      for (let j = 0; j < 5; j++) {
        const c = block * 5 + j;
        cols[c][i] = r() < 0.01 ? Number.NaN : 10 * c + rho * common + Math.sqrt(1 - rho * rho) * normal();
      }
    }
  }
  return { size: n, columns: new Map(cols.map((c, j) => [`f${j}`, c])) };
}

function median(run: () => void): number {
  const times: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return times.sort((a, b) => a - b)[2];
}

const reference = rows(200_000, 1, 0.8);
const sampleRef: MultivariateRows = {
  size: 50_000,
  columns: new Map([...reference.columns].map(([k, v]) => [k, (v as Float64Array).subarray(0, 50_000)])),
};
const window = rows(50_000, 2, 0.8);
const file = rows(200_000, 3, 0.8);
let part = fitMultivariateReference(reference) as MultivariateReference;
const fitAll = median(() => (part = fitMultivariateReference(reference) as MultivariateReference));
const fitSample = median(() => fitMultivariateReference(sampleRef));
const evalWindow = median(() => multivariateDrift(part, window));
const evalFile = median(() => multivariateDrift(part, file));
const f = (ms: number): string => `${ms.toFixed(1)} ms`;
process.stdout.write(
  [
    `| ${COLUMNS} numerical columns, ${part.components.length} components kept | time (median of 5) |`,
    '|---|---|',
    `| fit on 200,000 reference rows (plumbline drift) | ${f(fitAll)} |`,
    `| fit on 50,000 sampled rows (baseline import) | ${f(fitSample)} |`,
    `| multivariateDrift on a window sample of 50,000 rows | ${f(evalWindow)} |`,
    `| multivariateDrift on 200,000 file rows | ${f(evalFile)} |`,
  ].join('\n') + '\n',
);
