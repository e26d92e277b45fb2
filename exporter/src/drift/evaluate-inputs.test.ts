import type { InferenceEvent } from '@plumbline/schema';
import {
  columnsOf,
  makeProfile,
  makeRegressionProfile,
  makeRegressionStream,
  makeStream,
  regressionColumnsOf,
  windowOf,
} from '../../test/helpers/bucket-events';
import type { CellValue } from '../stats/missing';
import { bucketSchemaFromProfile } from '../windows/buckets/bucket-schema';
import { windowDriftInputs } from '../windows/buckets/drift-inputs';
import { createDriftDetector, type DriftDetectorOptions } from './detector';
import type { NumericSummary, ReferenceProfile } from './profile-types';
import type { DriftReport, FeatureDrift } from './report-types';

/**
 * Tolerances. The moments (summary.current mean and std) are compensated sums against numpy's pairwise ones:
 * within 1e-12 relative (docs/stattests.md). Categorical statistics see the same counts in another order of the
 * unseen categories, so their sums may differ in the last bits: 1e-12 relative. Everything else is exact:
 * counts, verdicts, thresholds, numerical statistics and p-values (same sorted values, same bins), histograms,
 * min, max and quantiles.
 */
const MOMENTS_REL = 1e-12;
const CATEGORICAL_REL = 1e-12;

function expectClose(actual: number | undefined, expected: number | undefined, rel: number): void {
  if (expected === undefined || Number.isNaN(expected) || !Number.isFinite(expected)) {
    expect(actual).toBe(expected);
    return;
  }
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(rel * Math.max(Math.abs(expected), 1e-300));
}

/** A feature report of a window whose sample holds every row equals the raw-row one (tolerances above). */
function expectSameFeature(ours: FeatureDrift, raw: FeatureDrift): void {
  const { tests, histogram, summary, ...rest } = ours;
  const { tests: rawTests, histogram: rawHistogram, summary: rawSummary, ...rawRest } = raw;
  expect(rest).toEqual(rawRest); // name, type, n, missing, invalid, stattest, drift, skipped, referenceSampled
  expect(tests.map((t) => [t.name, t.threshold, t.drift, t.decisive, t.method])).toEqual(
    rawTests.map((t) => [t.name, t.threshold, t.drift, t.decisive, t.method]),
  );
  tests.forEach((t, i) => {
    const r = rawTests[i];
    expect(t.sampled).toBeUndefined();
    if (ours.type === 'numerical') {
      expect(t).toEqual(r);
      return;
    }
    for (const k of ['statistic', 'pValue', 'pValueAdjusted', 'effectSize'] as const)
      expectClose(t[k], r[k], CATEGORICAL_REL);
  });
  if (ours.type === 'numerical') {
    expect(histogram).toEqual(rawHistogram);
    const cur = summary.current as NumericSummary;
    const rawCur = rawSummary.current as NumericSummary;
    const { mean, std, ...exact } = cur;
    const { mean: rawMean, std: rawStd, ...rawExact } = rawCur;
    expect(exact).toEqual(rawExact); // count, missing, min, max, quantiles
    expectClose(mean, rawMean, MOMENTS_REL);
    expectClose(std, rawStd, MOMENTS_REL);
  } else {
    // Unseen categories come in another order: compare each category's shares.
    const byCategory = (h: FeatureDrift['histogram']) =>
      h && Object.fromEntries(h.categories!.map((c, i) => [c, [h.reference[i], h.current[i]]]));
    expect(byCategory(histogram)).toEqual(byCategory(rawHistogram));
    expect(summary.current).toEqual(rawSummary.current);
  }
  expect(summary.reference).toEqual(rawSummary.reference);
}

function expectSameReport(ours: DriftReport, raw: DriftReport): void {
  expect(ours.features.map((f) => f.name)).toEqual(raw.features.map((f) => f.name));
  ours.features.forEach((f, i) => expectSameFeature(f, raw.features[i]));
  expect(ours.dataset).toEqual(raw.dataset);
  for (const role of ['prediction', 'label'] as const) {
    expect(ours[role] === undefined).toBe(raw[role] === undefined);
    if (raw[role]) expectSameFeature(ours[role]!, raw[role]);
  }
  expect(ours.unknownColumns).toEqual(raw.unknownColumns);
}

const classifierProfile = makeProfile(3000);

describe('evaluateInputs(windowDriftInputs(window)) equals evaluate(columns) when the sample holds every row', () => {
  const datasets: [string, ReferenceProfile, InferenceEvent[], Record<string, CellValue[]>][] = [];
  for (const [name, seed, shift] of [
    ['classifier, no drift', 11, 0],
    ['classifier, x shifted 0.5 σ', 12, 0.5],
  ] as const) {
    const events = makeStream(1500, { seed, shift, spanMs: 300_000 });
    datasets.push([name, classifierProfile, events, columnsOf(events)]);
  }
  for (const [name, seed, shift] of [
    ['regressor, no drift', 21, 0],
    ['regressor, a and the prediction shifted', 22, 1],
  ] as const) {
    const events = makeRegressionStream(1200, seed, shift);
    datasets.push([name, makeRegressionProfile(), events, regressionColumnsOf(events)]);
  }
  const optionSets: [string, DriftDetectorOptions][] = [
    ['default options', {}],
    [
      'a chosen test, thresholds, an effect-size floor and a correction',
      {
        stattest: 'ks',
        thresholds: { psi: 0.05, jensenshannon: 0.05 },
        effectSizeFloor: 0.02,
        correction: 'bh',
        driftShareThreshold: 0.3,
      },
    ],
    ['only the deciding test, Bonferroni', { tests: 'decisive', correction: 'bonferroni' }],
  ];

  describe.each(datasets)('%s', (_name, profile, events, columns) => {
    const schema = bucketSchemaFromProfile(profile);
    const window = windowOf(events, schema);
    const inputs = windowDriftInputs(window, schema, profile);

    it('is folded into a window whose sample holds every row', () => {
      expect(window.sampling).toMatchObject({ complete: true, rows: events.length });
      expect(inputs.every((i) => i.sampleComplete)).toBe(true);
    });

    it.each(optionSets)(
      'with %s: every statistic, p-value, verdict, n, missing, histogram and summary',
      (_o, options) => {
        const detector = createDriftDetector(profile, options);
        expectSameReport(detector.evaluateInputs(inputs), detector.evaluate(columns));
      },
    );
  });

  it('the datasets have what they are meant to have (so the comparisons above test it)', () => {
    const raw = createDriftDetector(classifierProfile).evaluate(datasets[1][3]);
    const x = raw.features.find((f) => f.name === 'x')!;
    expect(x.drift).toBe(true);
    expect(x.invalid).toBeGreaterThan(0);
    expect(x.missing[1]).toBeGreaterThan(0);
    const xCurrent = x.summary.current as NumericSummary;
    expect([xCurrent.min, xCurrent.max, xCurrent.mean]).toEqual([-Infinity, Infinity, NaN]);
    expect(raw.features.find((f) => f.name === 'color')!.histogram!.categories).toContain('purple');
    expect(raw.prediction!.type).toBe('categorical');
    const reg = createDriftDetector(makeRegressionProfile()).evaluate(datasets[3][3]);
    const a = reg.features.find((f) => f.name === 'a')!;
    expect((a.summary.current as NumericSummary).mean).toBe(Infinity);
    expect(reg.features.find((f) => f.name === 'c')!.skipped).toBe('no current values');
    expect(reg.label!.skipped).toBe('no current values');
    expect(reg.prediction!.drift).toBe(true);
  });
});

describe('a window bigger than its sample (100,000 rows, a sample of 50,000)', () => {
  const detector = createDriftDetector(classifierProfile, { stattest: 'ks' });
  const schema = bucketSchemaFromProfile(classifierProfile);

  it.each([
    ['no shift', 0, 31],
    ['a 0.3 σ mean shift of x', 0.3, 32],
  ])(
    '%s: n and missing exact, KS and Wasserstein say sampled, the verdicts are the all-rows ones',
    (_n, shift, seed) => {
      // One hour of 1,000-odd events a minute: every bucket keeps all its rows, the window's sample 50,000 of them.
      const events = makeStream(100_000, { seed, shift, spanMs: 3_600_000 });
      const window = windowOf(events, schema);
      expect(window.sampling).toMatchObject({ complete: false, rows: 50_000, population: 100_000 });
      const inputs = windowDriftInputs(window, schema, classifierProfile);
      const ours = detector.evaluateInputs(inputs);
      const raw = detector.evaluate(columnsOf(events));
      for (const f of [...ours.features, ours.prediction!]) {
        const r =
          f.name === raw.prediction!.name ? raw.prediction! : raw.features.find((x) => x.name === f.name)!;
        const input = inputs.find((i) => i.name === f.name)!;
        expect([f.n, f.missing, f.invalid]).toEqual([r.n, r.missing, r.invalid]);
        expect(f.drift).toBe(r.drift);
        for (const t of f.tests) {
          if (f.type === 'numerical' && (t.name === 'ks' || t.name === 'wasserstein')) {
            expect(t.sampled).toBe(input.sampled);
            expect(t.sampled).toBeLessThanOrEqual(50_000);
            expect(t.sampled).toBeGreaterThan(40_000);
          } else expect(t).not.toHaveProperty('sampled');
        }
        if (f.type === 'numerical') {
          // Exact bins and exact min / max: the histogram is the all-rows one.
          expect(f.histogram).toEqual(r.histogram);
          const cur = f.summary.current as NumericSummary;
          const rawCur = r.summary.current as NumericSummary;
          expect([cur.count, cur.missing, cur.min, cur.max]).toEqual([
            rawCur.count,
            rawCur.missing,
            rawCur.min,
            rawCur.max,
          ]);
          expectClose(cur.mean, rawCur.mean, MOMENTS_REL);
          expectClose(cur.std, rawCur.std, MOMENTS_REL);
        }
      }
      const x = ours.features.find((f) => f.name === 'x')!;
      expect(x.stattest).toBe('ks');
      expect(x.drift).toBe(shift > 0);
      expect(ours.dataset).toEqual(raw.dataset);
    },
  );
});

it('a column with values in the window but none in its sample is skipped, and says why', () => {
  const profile = classifierProfile;
  const schema = bucketSchemaFromProfile(profile);
  // x is present in one row of 1,500; the window's sample of 10 rows misses it (seeded).
  const events = makeStream(1500, { seed: 41, awkward: false, spanMs: 300_000 });
  events.forEach((e, i) => {
    if (i !== 700) delete e.features.x;
  });
  const window = windowOf(events, schema, { sampleSize: 10 });
  const inputs = windowDriftInputs(window, schema, profile);
  expect(inputs.find((i) => i.name === 'x')).toMatchObject({ n: 1, sampled: 0, comparison: null });
  const x = createDriftDetector(profile)
    .evaluateInputs(inputs)
    .features.find((f) => f.name === 'x')!;
  expect(x).toMatchObject({
    n: [3000, 1],
    drift: false,
    tests: [],
    skipped: "no current values in the window's sample",
  });
});
