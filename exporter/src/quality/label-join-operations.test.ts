import fc from 'fast-check';
import {
  MINUTE,
  T0,
  feedbackEventsOf,
  inferenceEventsOf,
  type StreamLabel,
  type StreamPrediction,
} from '../../test/helpers/label-join-stream';
import { evaluateQuality } from './evaluate-quality';
import { labelJoinKey } from './key-hash';
import { createLabelJoinState, labelJoinStateFromJson, type LabelJoinState } from './label-join-state';

const OPTIONS = { confidenceThreshold: 0.6, maxClasses: 3 };
const MINUTES = 5;
const STARTS = Array.from({ length: MINUTES }, (_, m) => T0 + m * MINUTE);
const CLASSES = ['a', 'b', 'c', 'd'];

type Op =
  | {
      op: 'predict';
      key: number;
      minute: number;
      second: number;
      cls: number | null;
      confidence: number | null;
    }
  | { op: 'label'; key: number; minute: number; second: number; truth: number }
  | { op: 'drop'; minute: number }
  | { op: 'refold'; minute: number; keep: number }
  | { op: 'evict'; minute: number; second: number }
  | { op: 'save' };

const time = (minute: number, second: number): number => T0 + minute * MINUTE + second * 1000;

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('predict' as const),
      key: fc.nat(24),
      minute: fc.nat(MINUTES - 1),
      second: fc.nat(59),
      cls: fc.option(fc.nat(3), { freq: 8 }),
      confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 5 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('label' as const),
      key: fc.nat(30),
      minute: fc.nat(MINUTES - 1),
      second: fc.constantFrom(0, 30), // coarse, so one key's reports often share a time (the last added wins)
      truth: fc.nat(3),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), minute: fc.nat(MINUTES - 1) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('refold' as const),
      minute: fc.nat(MINUTES - 1),
      keep: fc.nat(3),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('evict' as const),
      minute: fc.nat(MINUTES - 1),
      second: fc.nat(59),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'save' as const }) },
);

/**
 * The rules written plainly: every held prediction in a list (in the order a window reads them), the latest report
 * of each key in a map; then evaluateQuality on them. Every label time is inside STARTS' range, so the state's
 * unmatched labels (time in the window, no prediction held) are evaluateQuality's.
 */
class Reference {
  predictions: StreamPrediction[] = [];
  readonly labels = new Map<string, StreamLabel>();
  cut = -Infinity;

  report() {
    const inference = inferenceEventsOf(this.predictions);
    return evaluateQuality(inference, feedbackEventsOf([...this.labels.values()]), {
      task: 'classification',
      ...OPTIONS,
    });
  }
}

function prediction(o: Extract<Op, { op: 'predict' }>): StreamPrediction {
  const requestId = `r${o.key}`;
  const atMs = time(o.minute, o.second);
  const label = o.cls === null ? null : CLASSES[o.cls];
  return {
    key: labelJoinKey(requestId, 0),
    requestId,
    row: 0,
    bucketStartMs: T0 + o.minute * MINUTE,
    atMs,
    label,
    value: null,
    predicted: label,
    confidence: o.confidence,
  };
}

function apply(state: LabelJoinState, ref: Reference, o: Op): LabelJoinState {
  switch (o.op) {
    case 'predict': {
      const p = prediction(o);
      state.addPrediction(p);
      ref.predictions.push(p);
      return state;
    }
    case 'label': {
      const requestId = `r${o.key}`;
      const l: StreamLabel = {
        key: labelJoinKey(requestId, 0),
        requestId,
        row: 0,
        atMs: time(o.minute, o.second),
        truth: CLASSES[o.truth],
      };
      state.addLabel(l);
      const held = ref.labels.get(l.key);
      if (l.atMs >= ref.cut && (!held || l.atMs >= held.atMs)) ref.labels.set(l.key, l);
      return state;
    }
    case 'drop': {
      const start = T0 + o.minute * MINUTE;
      state.dropBucket(start);
      ref.predictions = ref.predictions.filter((p) => p.bucketStartMs !== start);
      return state;
    }
    case 'refold': {
      // The source holds every `keep + 1`-th row of the bucket, in reverse order.
      const start = T0 + o.minute * MINUTE;
      const rows = ref.predictions
        .filter((p) => p.bucketStartMs === start)
        .filter((_, i) => i % (o.keep + 1) === 0)
        .reverse();
      state.replaceBucket(start, rows);
      ref.predictions = [...ref.predictions.filter((p) => p.bucketStartMs !== start), ...rows];
      return state;
    }
    case 'evict': {
      const t = time(o.minute, o.second);
      state.evictLabelsBefore(t);
      ref.cut = Math.max(ref.cut, t);
      for (const [key, l] of ref.labels) if (l.atMs < t) ref.labels.delete(key);
      return state;
    }
    case 'save':
      return labelJoinStateFromJson(JSON.parse(JSON.stringify(state)));
  }
}

describe('the label join state under any sequence of operations', () => {
  it('reports what evaluateQuality reports on the predictions and latest labels it should hold', () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { maxLength: 120 }), (ops) => {
        let state = createLabelJoinState({ task: 'classification' });
        const ref = new Reference();
        for (const o of ops) {
          state = apply(state, ref, o);
          const stats = state.stats();
          expect(stats.predictions).toBe(ref.predictions.length);
          expect(stats.labels).toBe(ref.labels.size);
        }
        expect(state.quality(STARTS, OPTIONS)).toEqual(ref.report());
      }),
      { numRuns: 300 },
    );
  });
});
