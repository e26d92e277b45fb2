import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { correlationFlipData, FLIP_COLUMNS, type FlipSpec } from '../../test/helpers/correlation-flip';
import { pairwiseSum } from '../stats/pairwise-sum';
import { buildReferenceProfile } from './in-memory-profile-builder';
import {
  multivariateDrift,
  multivariatePartOf,
  multivariateRowErrors,
  multivariateThresholds,
  type MultivariateRows,
} from './multivariate';
import type { MultivariateReference } from './profile-types';

/** NannyML 0.13.1's DataReconstructionDriftCalculator on the correlation flip (exporter/scripts/gen_multivariate_fixture.py). */
interface Fixture {
  generator: { columns: string[]; sets: Record<'reference' | 'flip' | 'control', FlipSpec> };
  checksums: Record<'reference' | 'flip' | 'control', number>;
  byChunkSize: Record<
    string,
    {
      components: number;
      explainedVarianceRatio: number[];
      means: number[];
      scales: number[];
      lower: number | null;
      upper: number;
      referenceChunks: number[];
      referenceRowErrors: { first: number[]; mean: number; std: number };
      analysis: Record<'flip' | 'control', { chunks: number[]; alerts: boolean[]; firstRowErrors: number[] }>;
    }
  >;
}
const fixture = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/multivariate.json'), 'utf8'),
) as Fixture;

function expectRel(actual: number, expected: number, rel: number): void {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  if (!(err <= rel)) throw new Error(`expected ${expected}, got ${actual} (relative error ${err})`);
}

const data = {
  reference: correlationFlipData(fixture.generator.sets.reference),
  flip: correlationFlipData(fixture.generator.sets.flip),
  control: correlationFlipData(fixture.generator.sets.control),
};
const rowsOf = (set: keyof typeof data, from = 0, to?: number): MultivariateRows => {
  const cols = data[set];
  const end = to ?? cols.height.length;
  return {
    size: end - from,
    columns: new Map(FLIP_COLUMNS.map((c) => [c, cols[c].subarray(from, end)])),
  };
};
const profile = buildReferenceProfile(
  Object.fromEntries(
    FLIP_COLUMNS.map((c) => [c, Array.from(data.reference[c], (v) => (Number.isNaN(v) ? null : v))]),
  ),
);
const part = multivariatePartOf(profile) as MultivariateReference;

/** NannyML's chunks: consecutive runs of `size` rows (the last one shorter), each chunk's value the mean error. */
function chunkMeans(errors: Float64Array, size: number): number[] {
  const out: number[] = [];
  for (let from = 0; from < errors.length; from += size)
    out.push(
      pairwiseSum(errors.subarray(from, Math.min(errors.length, from + size))) /
        Math.min(size, errors.length - from),
    );
  return out;
}

describe('multivariate drift equals NannyML DataReconstructionDriftCalculator on the correlation flip', () => {
  test('the generator replays the script bit for bit (numpy.nansum of every set)', () => {
    for (const set of ['reference', 'flip', 'control'] as const) {
      const cols = data[set];
      const n = cols.height.length;
      const flat = new Float64Array(n * FLIP_COLUMNS.length);
      for (let i = 0; i < n; i++)
        FLIP_COLUMNS.forEach(
          (c, j) => (flat[i * FLIP_COLUMNS.length + j] = Number.isNaN(cols[c][i]) ? 0 : cols[c][i]),
        );
      expect(pairwiseSum(flat)).toBe(fixture.checksums[set]);
    }
  });

  // The fit does not depend on the chunk size: both fixture entries describe the same model.
  test.each(Object.keys(fixture.byChunkSize))(
    'the fitted model (chunk size %s): scaler, components kept, variance shares',
    (size) => {
      const e = fixture.byChunkSize[size];
      expect(part.columns).toEqual(FLIP_COLUMNS);
      e.means.forEach((m, j) => expectRel(part.means[j], m, 1e-12));
      e.scales.forEach((s, j) => expectRel(part.scales[j], s, 1e-12));
      expect(part.components).toHaveLength(e.components);
      e.explainedVarianceRatio.forEach((r, j) => expectRel(part.explainedVarianceRatio[j], r, 1e-9));
    },
  );

  test('per-row errors, their mean and std (ddof 1) over the reference: 1e-9 relative', () => {
    const e = fixture.byChunkSize['500'];
    const ref = multivariateRowErrors(part, rowsOf('reference'));
    e.referenceRowErrors.first.forEach((v, i) => expectRel(ref[i], v, 1e-9));
    expectRel(part.rowErrors.mean, e.referenceRowErrors.mean, 1e-9);
    expectRel(part.rowErrors.std, e.referenceRowErrors.std, 1e-9);
    expect(part.rowErrors.rows).toBe(10000);
    expect(part.sampled).toBe(false);
    for (const set of ['flip', 'control'] as const) {
      const errs = multivariateRowErrors(part, rowsOf(set));
      e.analysis[set].firstRowErrors.forEach((v, i) => expectRel(errs[i], v, 1e-9));
    }
  });

  test.each(Object.keys(fixture.byChunkSize))(
    "chunk size %s: every chunk value, and NannyML's thresholds from our reference chunks (mean ± 3 std, ddof 0): 1e-9",
    (sizeText) => {
      const size = Number(sizeText);
      const e = fixture.byChunkSize[sizeText];
      const refChunks = chunkMeans(multivariateRowErrors(part, rowsOf('reference')), size);
      expect(refChunks).toHaveLength(e.referenceChunks.length);
      refChunks.forEach((v, i) => expectRel(v, e.referenceChunks[i], 1e-9));
      const mean = refChunks.reduce((a, b) => a + b, 0) / refChunks.length;
      const std = Math.sqrt(refChunks.reduce((a, b) => a + (b - mean) ** 2, 0) / refChunks.length);
      expectRel(mean + 3 * std, e.upper, 1e-9);
      expectRel(mean - 3 * std, e.lower!, 1e-9);
      for (const set of ['flip', 'control'] as const) {
        const chunks = chunkMeans(multivariateRowErrors(part, rowsOf(set)), size);
        chunks.forEach((v, i) => expectRel(v, e.analysis[set].chunks[i], 1e-9));
      }
    },
  );

  test("our thresholds for K rows (from the per-row moments) agree with NannyML's 20 reference chunks of 500 within their sampling error", () => {
    // NannyML's half-width is 3 × the std (ddof 0) of m = 20 chunk means; ours is 3 σ / √500. The std of m
    // values estimates σ/√K · √(1 − 1/m) with a relative standard error of ≈ 1/√(2m) = 0.16: we allow 3 of those.
    const e = fixture.byChunkSize['500'];
    const ours = multivariateThresholds(part, 500);
    const m = e.referenceChunks.length;
    const oursHalf = ours.upper - part.rowErrors.mean;
    const theirsHalf = (e.upper - e.lower!) / 2;
    expect(Math.abs(theirsHalf / (oursHalf * Math.sqrt(1 - 1 / m)) - 1)).toBeLessThanOrEqual(
      3 / Math.sqrt(2 * m),
    );
    // The centre: NannyML's mean of equal chunks is the mean of every row's error.
    expectRel((e.upper + e.lower!) / 2, part.rowErrors.mean, 1e-9);
  });

  test('verdicts: every NannyML alert is ours, on each chunk of 500 and on the whole file', () => {
    const e = fixture.byChunkSize['500'];
    for (const set of ['flip', 'control'] as const) {
      e.analysis[set].alerts.forEach((alert, c) => {
        const r = multivariateDrift(part, rowsOf(set, c * 500, (c + 1) * 500));
        expect('skipped' in r ? null : r.drift).toBe(alert);
      });
      const whole = multivariateDrift(part, rowsOf(set));
      expect('skipped' in whole ? null : whole.drift).toBe(
        fixture.byChunkSize['2000'].analysis[set].alerts[0],
      );
    }
  });
});
