import { columnsOf, makeProfile, makeStream, windowOf } from '../../../test/helpers/bucket-events';
import { createDriftDetector } from '../../drift/detector';
import type { FeatureProfile } from '../../drift/profile-types';
import type { FeatureDrift } from '../../drift/report-types';
import { isDrift } from '../../stattests/drift-rule';
import { autoSelectStatTest, statTestsFor } from '../../stattests/registry';
import { bucketSchemaFromProfile } from './bucket-schema';
import { windowDriftInputs, type WindowColumnInput } from './drift-inputs';

const profile = makeProfile(3000);
const detector = createDriftDetector(profile);

/** What the detector decides from one column's inputs: every applicable test, the auto-selected one deciding. */
function verdicts(f: FeatureProfile, input: WindowColumnInput) {
  if (!input.comparison) return null;
  const decisive = autoSelectStatTest(f.type, f.count, input.n);
  const tests = statTestsFor(f.type).map((d) => {
    const r = d.compute(input.comparison!);
    let threshold = d.defaultThreshold;
    if (d.thresholdUnit === 'reference_std' && f.type === 'numerical' && f.summary.std > 0)
      threshold *= f.summary.std;
    return {
      name: d.id,
      statistic: r.statistic,
      pValue: r.pValue,
      drift: isDrift({
        kind: d.kind,
        statistic: r.statistic,
        pValue: r.pValue,
        threshold,
        effectSize: r.effectSize,
      }),
    };
  });
  return { stattest: decisive.id, drift: tests.find((t) => t.name === decisive.id)!.drift, tests };
}

function expectSameAsDetector(input: WindowColumnInput, old: FeatureDrift, exactBits: boolean) {
  const f = profile.features.find((p) => p.name === input.name)!;
  expect([input.n, input.missing]).toEqual([old.n[1], old.missing[1]]);
  if (f.type === 'numerical') expect(input.invalid).toBe(old.invalid ?? 0);
  const ours = verdicts(f, input)!;
  expect(ours.stattest).toBe(old.stattest);
  expect(ours.drift).toBe(old.drift);
  expect(ours.tests.map((t) => [t.name, t.drift])).toEqual(old.tests.map((t) => [t.name, t.drift]));
  ours.tests.forEach((t, i) => {
    const o = old.tests[i];
    if (exactBits) {
      expect(t.statistic).toBe(o.statistic);
      expect(t.pValue).toBe(o.pValue);
    } else {
      expect(Math.abs(t.statistic - o.statistic)).toBeLessThanOrEqual(
        1e-12 * Math.max(1, Math.abs(o.statistic)),
      );
      if (o.pValue !== undefined)
        expect(Math.abs(t.pValue! - o.pValue)).toBeLessThanOrEqual(
          1e-12 * Math.max(1e-300, o.pValue) + 1e-300,
        );
    }
  });
}

describe('a window state gives the detector’s verdicts when its sample holds every row (N ≤ k)', () => {
  it.each([
    ['no drift', 0, 11],
    ['a planted shift of 0.5 σ in x', 0.5, 12],
  ])(
    '%s: every statistic, p-value and verdict of every column equals evaluate(columns) on the same rows',
    (_, shift, seed) => {
      const schema = bucketSchemaFromProfile(profile);
      const events = makeStream(1500, { seed, shift, spanMs: 300_000 });
      const window = windowOf(events, schema);
      expect(window.sampling).toMatchObject({ complete: true, rows: 1500 });
      const old = detector.evaluate(columnsOf(events));
      const inputs = windowDriftInputs(window, schema, profile);
      expect(inputs.map((i) => i.name).sort()).toEqual(['color', 'pred', 'x', 'y']);
      for (const input of inputs) {
        const o =
          input.role === 'prediction' ? old.prediction! : old.features.find((f) => f.name === input.name)!;
        // Numerical inputs are the same sorted values and bins: bit for bit. Categorical counts are the same, in
        // another order of the unseen categories: the chi-square sum may differ in the last bits.
        expectSameAsDetector(input, o, input.type === 'numerical');
        if (input.type === 'numerical') expect(input.sampleComplete).toBe(true);
      }
      expect(old.features.find((f) => f.name === 'x')!.drift).toBe(shift > 0);
    },
  );

  it('a feature the window never saw is skipped, as the detector skips it', () => {
    const schema = bucketSchemaFromProfile(profile);
    const events = makeStream(200, { seed: 4 });
    for (const e of events) delete e.features.x;
    const x = windowDriftInputs(windowOf(events, schema), schema, profile).find((i) => i.name === 'x')!;
    expect(x.comparison).toBeNull();
    expect(detector.evaluate(columnsOf(events)).features.find((f) => f.name === 'x')!.skipped).toBe(
      'no current values',
    );
  });

  it('past maxUnseenValues distinct unseen values the rest are one pooled category (a documented difference)', () => {
    const schema = bucketSchemaFromProfile(profile, { maxUnseenValues: 3 });
    const input = windowDriftInputs(windowOf(makeStream(1500, { seed: 5 }), schema), schema, profile).find(
      (i) => i.name === 'color',
    )!;
    const counts = input.comparison!.type === 'categorical' ? input.comparison!.currentCounts : new Map();
    expect(counts.get('__unseen__')).toBeGreaterThan(0);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(input.n);
  });
});
