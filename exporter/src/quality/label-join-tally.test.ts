import fc from 'fast-check';
import { labelJoinKey } from './key-hash';
import { createLabelJoinState, labelJoinStateFromJson, type LabelJoinState } from './label-join-state';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const MINUTE = 60_000;
const MINUTES = 4;
const STARTS = Array.from({ length: MINUTES }, (_, m) => T0 + m * MINUTE);
const CLASSES = ['a', 'b', 'c'];

type Op =
  | { op: 'predict'; key: number; minute: number; value: number | null; confidence: number | null }
  | { op: 'label'; key: number; minute: number; second: number; truth: number; asBoolean: boolean }
  | { op: 'drop'; minute: number }
  | { op: 'refold'; minute: number }
  | { op: 'evict'; minute: number }
  | { op: 'evaluate'; window: number[]; threshold: number };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('predict' as const),
      key: fc.nat(12),
      minute: fc.nat(MINUTES - 1),
      value: fc.option(fc.nat(2), { freq: 6 }),
      confidence: fc.option(fc.constantFrom(0.2, 0.5, 0.7, 0.95), { freq: 4 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('label' as const),
      key: fc.nat(15),
      minute: fc.nat(MINUTES - 1),
      second: fc.constantFrom(0, 30),
      truth: fc.nat(2),
      asBoolean: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), minute: fc.nat(MINUTES - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('refold' as const), minute: fc.nat(MINUTES - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('evict' as const), minute: fc.nat(MINUTES - 1) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('evaluate' as const),
      window: fc.subarray([0, 1, 2, 3]),
      threshold: fc.constantFrom(0.6, 0.3),
    }),
  },
);

/** Both reports of a window and its ground truth, as text (key order included). */
function figures(state: LabelJoinState, window: number[], threshold: number): string {
  const starts = window.map((m) => STARTS[m]);
  return JSON.stringify([
    state.quality(starts, { confidenceThreshold: threshold, maxClasses: 2 }),
    state.truths(starts),
  ]);
}

function apply(state: LabelJoinState, o: Op, task: 'classification' | 'regression'): void {
  switch (o.op) {
    case 'predict':
      state.addPrediction({
        key: labelJoinKey(`r${o.key}`, 0),
        bucketStartMs: STARTS[o.minute],
        atMs: STARTS[o.minute] + 1000,
        predicted: o.value === null ? null : task === 'regression' ? o.value : CLASSES[o.value],
        confidence: o.confidence,
      });
      return;
    case 'label':
      state.addLabel({
        key: labelJoinKey(`r${o.key}`, 0),
        atMs: STARTS[o.minute] + o.second * 1000,
        truth: task === 'regression' ? o.truth : o.asBoolean ? o.truth === 1 : CLASSES[o.truth],
      });
      return;
    case 'drop':
      state.dropBucket(STARTS[o.minute]);
      return;
    case 'refold':
      // The source gives the bucket's first row again (with a fresh key), the rest gone.
      state.replaceBucket(STARTS[o.minute], [
        {
          key: labelJoinKey(`refold-${o.minute}`, 0),
          bucketStartMs: STARTS[o.minute],
          atMs: STARTS[o.minute] + 2000,
          predicted: task === 'regression' ? 1 : 'a',
          confidence: 0.5,
        },
      ]);
      return;
    case 'evict':
      state.evictLabelsBefore(STARTS[o.minute]);
      return;
    case 'evaluate':
      return;
  }
}

describe("the label join's kept bucket tallies", () => {
  it.each(['classification', 'regression'] as const)(
    'give, after any sequence of operations, the report and truths of the same state worked out afresh (%s)',
    (task) => {
      fc.assert(
        fc.property(fc.array(opArbitrary, { minLength: 30, maxLength: 100 }), fc.boolean(), (ops, small) => {
          // Small caps make the state sample (the threshold halves, rows go) now and then.
          const state = createLabelJoinState(small ? { task, maxPredictions: 12, maxLabels: 10 } : { task });
          for (const o of ops) {
            apply(state, o, task);
            if (o.op !== 'evaluate') continue;
            const kept = figures(state, o.window, o.threshold);
            const fresh = labelJoinStateFromJson(JSON.parse(JSON.stringify(state)));
            expect(kept).toBe(figures(fresh, o.window, o.threshold));
          }
          const all = [0, 1, 2, 3];
          expect(figures(state, all, 0.6)).toBe(
            figures(labelJoinStateFromJson(JSON.parse(JSON.stringify(state))), all, 0.6),
          );
        }),
        { numRuns: 300 },
      );
    },
  );

  it('are worked out again for the buckets a change touches only', () => {
    const state = createLabelJoinState({ task: 'classification' });
    for (let m = 0; m < MINUTES; m++)
      for (let i = 0; i < 50; i++)
        state.addPrediction({
          key: labelJoinKey(`m${m}-${i}`, 0),
          bucketStartMs: STARTS[m],
          atMs: STARTS[m] + i,
          predicted: CLASSES[i % 3],
          confidence: 0.5,
        });
    const options = { confidenceThreshold: 0.6, maxClasses: 5 };
    const before = state.quality(STARTS, options);
    expect(before.labelled).toBe(0);
    // A label for a row of minute 1 changes that minute's figures, whatever was kept.
    state.addLabel({ key: labelJoinKey('m1-4', 0), atMs: STARTS[3], truth: 'b' });
    const after = state.quality(STARTS, options);
    expect(after.labelled).toBe(1);
    expect(after.confusionMatrix!.counts.flat().reduce((a, b) => a + b, 0)).toBe(1);
    expect(state.quality([STARTS[0], STARTS[2]], options).labelled).toBe(0);
    // The same key predicted again in an earlier minute: the label now joins that row instead.
    state.addPrediction({
      key: labelJoinKey('m1-4', 0),
      bucketStartMs: STARTS[0],
      atMs: STARTS[0] + 99,
      predicted: 'c',
      confidence: 0.9,
    });
    expect(state.quality([STARTS[1]], options).labelled).toBe(0);
    expect(state.quality([STARTS[0]], options).labelled).toBe(1);
    expect(state.truths([STARTS[0]]).values).toEqual(['b']);
    state.dropBucket(STARTS[0]);
    expect(state.quality([STARTS[1]], options).labelled).toBe(1);
  });
});
