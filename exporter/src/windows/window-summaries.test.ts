import {
  columnsOf,
  makeProfile,
  makeRegressionProfile,
  makeRegressionStream,
  makeStream,
  regressionColumnsOf,
  windowOf,
} from '../../test/helpers/bucket-events';
import { numericSummary } from '../drift/numeric-summary';
import type { ReferenceProfile } from '../drift/profile-types';
import type { CellValue } from '../stats/missing';
import { moments } from '../stats/pairwise-sum';
import { sortFloat64 } from '../stats/sort-float64';
import { bucketSchemaFromProfile } from './buckets/bucket-schema';
import { createNumericalColumnState, foldNumerical } from './buckets/numerical-column-state';
import { summarizeFeature, type FeatureSummary } from './feature-summary';
import { windowFeatureSummaries, windowNumericSummary } from './window-summaries';

/** Moments (mean, std) against numpy's pairwise sums: 1e-12 relative (docs/stattests.md); the rest exact. */
const MOMENTS_REL = 1e-12;

function expectClose(actual: number | null | undefined, expected: number | null | undefined): void {
  if (typeof expected !== 'number' || !Number.isFinite(expected)) {
    expect(actual).toBe(expected);
    return;
  }
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(
    MOMENTS_REL * Math.max(Math.abs(expected), 1e-300),
  );
}

function expectSameSummary(ours: FeatureSummary, raw: FeatureSummary): void {
  expect([ours.rows, ours.missingRatio]).toEqual([raw.rows, raw.missingRatio]);
  expect(ours.numeric === null).toBe(raw.numeric === null);
  if (!ours.numeric || !raw.numeric) return;
  const { mean, std, ...exact } = ours.numeric;
  const { mean: rawMean, std: rawStd, ...rawExact } = raw.numeric;
  expect(exact).toEqual(rawExact); // min, max, quantiles, and no `sampled`
  expectClose(mean, rawMean);
  expectClose(std, rawStd);
}

/** summarizeFeature of every feature column, as the service calls it (features only, not the prediction). */
function rawSummaries(profile: ReferenceProfile, columns: Record<string, CellValue[]>) {
  const out: Record<string, FeatureSummary> = {};
  for (const f of profile.features)
    if (f.role === 'feature') out[f.name] = summarizeFeature(columns[f.name], f.type);
  return out;
}

describe('windowFeatureSummaries equals summarizeFeature on the same rows when the sample holds every row', () => {
  const classifier = makeProfile(3000);
  const regressor = makeRegressionProfile();
  it.each([
    ['classifier: every missing form, strings, booleans, ±Infinity, numbers in a category', classifier, 11],
    ['classifier, another seed, x shifted', classifier, 12],
    ['regressor: +Infinity only, a feature the window never sees', regressor, 21],
  ])('%s', (_name, profile, seed) => {
    const events =
      profile === regressor ? makeRegressionStream(1200, seed) : makeStream(1500, { seed, shift: seed - 11 });
    const columns = profile === regressor ? regressionColumnsOf(events) : columnsOf(events);
    const schema = bucketSchemaFromProfile(profile);
    const window = windowOf(events, schema);
    expect(window.sampling.complete).toBe(true);
    const ours = windowFeatureSummaries(window, schema);
    const raw = rawSummaries(profile, columns);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(raw).sort());
    for (const name of Object.keys(raw)) expectSameSummary(ours[name], raw[name]);
  });

  it('the datasets hold what the comparison is meant to test', () => {
    const events = makeStream(1500, { seed: 11 });
    const x = columnsOf(events).x;
    expect(x).toEqual(expect.arrayContaining([Infinity, -Infinity, 'abc', true, 'NaN', null]));
    const reg = makeRegressionStream(1200, 21).map((e) => e.features.a);
    expect(reg).toContain(Infinity);
    expect(reg).not.toContain(-Infinity);
  });
});

describe('a window bigger than its sample (100,000 rows, a sample of 50,000)', () => {
  const profile = makeProfile(3000);
  const schema = bucketSchemaFromProfile(profile);
  const events = makeStream(100_000, { seed: 31, spanMs: 3_600_000 });
  const window = windowOf(events, schema);
  const ours = windowFeatureSummaries(window, schema);
  const raw = rawSummaries(profile, columnsOf(events));

  it('rows, missing ratio, mean, std and (finite) min / max over every row; quantiles from the sample, which it says', () => {
    expect(window.sampling).toMatchObject({ complete: false, rows: 50_000 });
    for (const name of ['x', 'y']) {
      const o = ours[name].numeric!;
      const r = raw[name].numeric!;
      expect([ours[name].rows, ours[name].missingRatio]).toEqual([raw[name].rows, raw[name].missingRatio]);
      expectClose(o.mean, r.mean);
      expectClose(o.std, r.std);
      const column = window.sample.columns[schema.numerical.find((c) => c.name === name)!.sampleIndex];
      expect(o.sampled).toBe(column.filter((v) => Number.isFinite(v)).length);
      // Sample quantiles of a normal: within 0.05 σ of the all-rows ones.
      for (const q of Object.keys(r.quantiles))
        expect(Math.abs(o.quantiles[q] - r.quantiles[q])).toBeLessThan(0.05 * r.std!);
    }
    // y holds no infinity: its min and max are the state's, exact.
    expect([ours.y.numeric!.min, ours.y.numeric!.max]).toEqual([raw.y.numeric!.min, raw.y.numeric!.max]);
    // x holds ±Infinity: its finite min and max come from the sample, inside the all-rows range.
    expect(ours.x.numeric!.min).toBeGreaterThanOrEqual(raw.x.numeric!.min);
    expect(ours.x.numeric!.max).toBeLessThanOrEqual(raw.x.numeric!.max);
    expect(ours.color).toEqual(raw.color);
  });
});

describe('windowNumericSummary (the drift report’s current side) equals numericSummary on the same values', () => {
  const column = bucketSchemaFromProfile(makeProfile(300)).numerical[0];
  it.each([
    ['finite values', [3, 1, 2.5, -4]],
    ['a single value', [7]],
    ['+Infinity: the mean is +Infinity, the std NaN', [1, Infinity, 2]],
    ['−Infinity', [1, -Infinity, 2]],
    ['both infinities: the mean is NaN', [Infinity, 1, -Infinity]],
    ['no value', []],
  ])('%s', (_name, values) => {
    const state = createNumericalColumnState(column);
    for (const v of [...values, null, 'abc']) foldNumerical(state, column, v);
    const sorted = sortFloat64(Float64Array.from(values));
    const raw = numericSummary(sorted, 1, moments(Float64Array.from(values)));
    const ours = windowNumericSummary(state, sorted);
    const { mean, std, ...exact } = ours;
    const { mean: rawMean, std: rawStd, ...rawExact } = raw;
    expect(exact).toEqual(rawExact);
    expectClose(mean, rawMean);
    expectClose(std, rawStd);
  });
});

it('refuses a window folded under another schema', () => {
  const a = bucketSchemaFromProfile(makeProfile(300));
  const b = bucketSchemaFromProfile(makeProfile(300), { maxUnseenValues: 3 });
  expect(() => windowFeatureSummaries(windowOf(makeStream(10, { seed: 1 }), a), b)).toThrow(/schema/);
});
