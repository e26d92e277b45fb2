import {
  MINUTE,
  T0,
  feedbackEventsOf,
  inferenceEventsOf,
  labelStream,
  labelsOf,
  predictionsOf,
  type Arrival,
  type StreamLabel,
  type StreamPrediction,
} from '../../test/helpers/label-join-stream';
import { bucketStartFor } from '../windows/buckets';
import { evaluateQuality } from './evaluate-quality';
import { labelJoinKey } from './key-hash';
import { MAX_ROWS_PER_KEY, createLabelJoinState, type LabelJoinState } from './label-join-state';

const OPTIONS = { confidenceThreshold: 0.6, maxClasses: 4 };
const ALL_MINUTES = [0, 1, 2, 3, 4, 5].map((m) => T0 + m * MINUTE);

function feed(state: LabelJoinState, arrivals: readonly Arrival[]): void {
  for (const a of arrivals)
    if (a.kind === 'prediction') state.addPrediction(a.p);
    else state.addLabel(a.l);
}

/**
 * What evaluateQuality is given for the window of `starts`, per the state's definitions: the window's predictions
 * (by bucket, then arrival); every report of each key whose label joins a prediction of the window (its first
 * prediction — earliest bucket, then first arrived — is in the window); every report of each key never predicted
 * whose latest report falls in the window.
 */
function referenceInput(arrivals: readonly Arrival[], starts: readonly number[]) {
  const inWindow = new Set(starts);
  const predictions = predictionsOf(arrivals);
  const labels = labelsOf(arrivals);
  const first = new Map<string, StreamPrediction>();
  for (const p of [...predictions].sort((a, b) => a.bucketStartMs - b.bucketStartMs))
    if (!first.has(p.key)) first.set(p.key, p);
  const latest = new Map<string, StreamLabel>();
  for (const l of labels) if ((latest.get(l.key)?.atMs ?? -Infinity) <= l.atMs) latest.set(l.key, l);
  const keep = (l: StreamLabel): boolean => {
    const p = first.get(l.key);
    if (p) return inWindow.has(p.bucketStartMs);
    return inWindow.has(bucketStartFor(latest.get(l.key)!.atMs));
  };
  return {
    inference: inferenceEventsOf(predictions.filter((p) => inWindow.has(p.bucketStartMs))),
    feedback: feedbackEventsOf(labels.filter(keep)),
  };
}

describe.each(['classification', 'regression'] as const)('the label join state of a %s model', (task) => {
  const seeds = [1, 2, 3, 4, 5];

  it.each(seeds)(
    'reports what evaluateQuality reports on the same events (seed %i, whole window)',
    (seed) => {
      const arrivals = labelStream({ seed, task, predictions: 3000 });
      const state = createLabelJoinState({ task });
      feed(state, arrivals);
      const { inference, feedback } = referenceInput(arrivals, ALL_MINUTES);
      // Every label of the stream is in the window's time range: the reference is simply every event.
      expect(feedback).toHaveLength(labelsOf(arrivals).length);
      const expected = evaluateQuality(inference, feedback, { task, ...OPTIONS });
      expect(state.quality(ALL_MINUTES, OPTIONS)).toEqual(expected);
      expect(expected.labelled).toBeGreaterThan(1500);
      expect(expected.unmatchedFeedback).toBeGreaterThan(50);
      expect(expected.unusable).toBeGreaterThan(0);
    },
  );

  it.each(seeds)('reports a window of some buckets by prediction time (seed %i)', (seed) => {
    const arrivals = labelStream({ seed, task, predictions: 3000 });
    const state = createLabelJoinState({ task });
    feed(state, arrivals);
    for (const starts of [
      ALL_MINUTES.slice(2, 5),
      ALL_MINUTES.slice(0, 1),
      [ALL_MINUTES[1], ALL_MINUTES[4]],
    ]) {
      const { inference, feedback } = referenceInput(arrivals, starts);
      expect(state.quality(starts, OPTIONS)).toEqual(
        evaluateQuality(inference, feedback, { task, ...OPTIONS }),
      );
    }
  });

  it.each(seeds)(
    "merges shards' predictions of the same buckets (load with merge): the report of one state holding all (seed %i)",
    (seed) => {
      const arrivals = labelStream({ seed, task, predictions: 3000, duplicates: 0 });
      const whole = createLabelJoinState({ task });
      feed(whole, arrivals);
      // Three shards (a key's rows always on one), each holding its predictions of every minute; the labels elsewhere.
      const shardOf = (key: string): number => [...key].reduce((h, c) => h + c.charCodeAt(0), 0) % 3;
      const shards = [0, 1, 2].map(() => createLabelJoinState({ task }));
      const labels = createLabelJoinState({ task });
      for (const a of arrivals)
        if (a.kind === 'prediction') shards[shardOf(a.p.key)].addPrediction(a.p);
        else labels.addLabel(a.l);
      const merged = createLabelJoinState({ task });
      merged.load(labels.labelsToJSON());
      for (const shard of shards)
        for (const start of shard.bucketStarts()) merged.load(shard.toJSON(start), { merge: true });
      expect(shards.every((shard) => shard.stats().predictions > 500)).toBe(true);
      expect(merged.stats().predictions).toBe(whole.stats().predictions);
      // Rows joined in another order: sums (mae, rmse) equal to 12 significant digits, everything else exactly.
      const digits = (report: unknown): unknown =>
        JSON.parse(
          JSON.stringify(report, (_, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v)),
        );
      expect(digits(merged.quality(ALL_MINUTES, OPTIONS))).toEqual(
        digits(whole.quality(ALL_MINUTES, OPTIONS)),
      );
      // Without merge, a shard's bucket replaces the one held: only the last shard's predictions remain.
      const replaced = createLabelJoinState({ task });
      for (const shard of shards)
        for (const start of shard.bucketStarts()) replaced.load(shard.toJSON(start));
      expect(replaced.stats().predictions).toBe(shards[2].stats().predictions);
    },
  );

  it('gives the same report whatever the arrival order of predictions and labels', () => {
    const arrivals = labelStream({ seed: 9, task, predictions: 2000, duplicates: 0 });
    const forward = createLabelJoinState({ task });
    feed(forward, arrivals);
    // Every label first, then every prediction (the feedback topic read before the inference topic).
    const labelsFirst = createLabelJoinState({ task });
    feed(labelsFirst, [
      ...arrivals.filter((a) => a.kind === 'label'),
      ...arrivals.filter((a) => a.kind !== 'label'),
    ]);
    expect(labelsFirst.quality(ALL_MINUTES, OPTIONS)).toEqual(forward.quality(ALL_MINUTES, OPTIONS));
  });

  it('takes exact prediction counts from the buckets when given', () => {
    const arrivals = labelStream({ seed: 21, task, predictions: 2000 });
    const state = createLabelJoinState({ task });
    feed(state, arrivals);
    const { inference, feedback } = referenceInput(arrivals, ALL_MINUTES);
    const classCounts = new Map<string, number>();
    let rows = 0;
    let below = 0;
    for (const e of inference) {
      if (e.outputs.label !== null)
        classCounts.set(e.outputs.label, (classCounts.get(e.outputs.label) ?? 0) + 1);
      const c = e.outputs.confidence;
      if (c !== null && Number.isFinite(c)) {
        rows++;
        if (c < OPTIONS.confidenceThreshold) below++;
      }
    }
    const exact = { predictions: inference.length, classCounts, confidenceBelow: { rows, below } };
    expect(state.quality(ALL_MINUTES, { ...OPTIONS, exact })).toEqual(
      evaluateQuality(inference, feedback, { task, ...OPTIONS }),
    );
    // What the buckets say wins over what the state holds.
    const other = state.quality(ALL_MINUTES, {
      ...OPTIONS,
      exact: { predictions: 10, classCounts: new Map([['cat', 10]]), confidenceBelow: { rows: 4, below: 1 } },
    });
    expect(other.predictions).toBe(10);
    expect(other.lowConfidenceShare).toBe(0.25);
    expect(other.predictionShare).toEqual(task === 'classification' ? { cat: 1 } : {});
  });
});

describe('a classifier with many classes', () => {
  it('reports what evaluateQuality reports past the 128 classes counted densely (and pools past maxClasses)', () => {
    const predictions: StreamPrediction[] = [];
    const labels: StreamLabel[] = [];
    let x = 12345;
    const next = (n: number): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % n;
    for (let i = 0; i < 5000; i++) {
      const requestId = `many-${i}`;
      const atMs = T0 + next(6 * MINUTE);
      const label = `class-${next(300)}`;
      const key = labelJoinKey(requestId, 0);
      predictions.push({
        key,
        requestId,
        row: 0,
        bucketStartMs: bucketStartFor(atMs),
        atMs,
        label,
        value: null,
        predicted: label,
        confidence: null,
      });
      if (next(4) > 0)
        labels.push({ key, requestId, row: 0, atMs, truth: next(3) === 0 ? label : `class-${next(300)}` });
    }
    const state = createLabelJoinState({ task: 'classification' });
    for (const p of predictions) state.addPrediction(p);
    for (const l of labels) state.addLabel(l);
    for (const maxClasses of [1000, 40]) {
      const options = { confidenceThreshold: 0.6, maxClasses };
      expect(state.quality(ALL_MINUTES, options)).toEqual(
        evaluateQuality(inferenceEventsOf(predictions), feedbackEventsOf(labels), {
          task: 'classification',
          ...options,
        }),
      );
    }
  });
});

describe('joining', () => {
  const key = labelJoinKey('r1', 0);
  const prediction = (over: Partial<StreamPrediction> = {}) => ({
    key,
    bucketStartMs: T0,
    atMs: T0 + 1000,
    predicted: 'a',
    confidence: 0.9,
    ...over,
  });

  it('holds a label that comes before its prediction and joins it when the prediction comes', () => {
    const state = createLabelJoinState({ task: 'classification' });
    state.addLabel({ key, atMs: T0 + 500, truth: 'a' });
    expect(state.quality([T0], OPTIONS)).toMatchObject({ predictions: 0, labelled: 0, unmatchedFeedback: 1 });
    state.addPrediction(prediction());
    expect(state.quality([T0], OPTIONS)).toMatchObject({
      predictions: 1,
      labelled: 1,
      unmatchedFeedback: 0,
      labelDelaySeconds: 0, // a label before its prediction counts as no delay
    });
  });

  it('joins a label that arrives windows later to its prediction, not to the window it arrived in', () => {
    const state = createLabelJoinState({ task: 'classification' });
    state.addPrediction(prediction());
    state.addLabel({ key, atMs: T0 + 10 * MINUTE, truth: 'b' });
    expect(state.quality([T0], OPTIONS)).toMatchObject({ labelled: 1, labelDelaySeconds: 599 });
    expect(state.quality([T0 + 10 * MINUTE], OPTIONS)).toMatchObject({
      predictions: 0,
      unmatchedFeedback: 0,
    });
  });

  it('keeps the latest report of a key; of two at the same time, the one added last', () => {
    const state = createLabelJoinState({ task: 'classification' });
    state.addPrediction(prediction());
    state.addLabel({ key, atMs: T0 + 5000, truth: 'b' });
    state.addLabel({ key, atMs: T0 + 2000, truth: 'a' }); // older: ignored
    expect(state.quality([T0], OPTIONS).classification!.accuracy).toBe(0);
    state.addLabel({ key, atMs: T0 + 5000, truth: 'a' }); // same time, added last: wins
    expect(state.quality([T0], OPTIONS).classification!.accuracy).toBe(1);
  });

  it('joins a duplicated prediction once: the earliest bucket, then the first added', () => {
    const state = createLabelJoinState({ task: 'classification' });
    state.addPrediction(prediction({ bucketStartMs: T0 + MINUTE, atMs: T0 + MINUTE, predicted: 'late' }));
    state.addPrediction(prediction({ predicted: 'b' }));
    state.addPrediction(prediction({ predicted: 'c' }));
    state.addLabel({ key, atMs: T0 + 2 * MINUTE, truth: 'b' });
    const q = state.quality([T0, T0 + MINUTE], OPTIONS);
    expect(q).toMatchObject({ predictions: 3, labelled: 1 });
    expect(q.classification!.accuracy).toBe(1);
    // Without the first bucket, the label joins the copy that is left.
    state.dropBucket(T0);
    expect(state.quality([T0 + MINUTE], OPTIONS)).toMatchObject({ predictions: 1, labelled: 1 });
    expect(state.quality([T0 + MINUTE], OPTIONS).classification!.accuracy).toBe(0);
  });

  it('holds at most MAX_ROWS_PER_KEY rows of one key, and counts the rest', () => {
    const state = createLabelJoinState({ task: 'classification', maxPredictions: 1000 });
    for (let i = 0; i < MAX_ROWS_PER_KEY + 36; i++)
      state.addPrediction(prediction({ predicted: `c${i % 3}` }));
    state.addLabel({ key, atMs: T0 + 2000, truth: 'c0' });
    expect(state.stats()).toMatchObject({
      predictions: MAX_ROWS_PER_KEY,
      duplicateRowsDropped: 36,
      samplingRate: 1,
    });
    expect(state.quality([T0], OPTIONS)).toMatchObject({ predictions: MAX_ROWS_PER_KEY, labelled: 1 });
  });

  it('counts as unmatched a label in the window whose key has no prediction held anywhere', () => {
    const state = createLabelJoinState({ task: 'classification' });
    state.addPrediction(prediction());
    state.addLabel({ key: labelJoinKey('ghost', 0), atMs: T0 + MINUTE + 1, truth: 'a' });
    state.addLabel({ key, atMs: T0 + MINUTE + 2, truth: 'a' }); // joins the prediction of minute 0
    expect(state.quality([T0 + MINUTE], OPTIONS).unmatchedFeedback).toBe(1);
    expect(state.quality([T0], OPTIONS).unmatchedFeedback).toBe(0);
  });

  it('refuses what it cannot hold', () => {
    const state = createLabelJoinState({ task: 'regression' });
    expect(() => state.addPrediction(prediction({ atMs: NaN }))).toThrow(/atMs must be a finite number/);
    expect(() => state.addLabel({ key, atMs: T0, truth: null as unknown as string })).toThrow(
      /truth must be/,
    );
    expect(() => state.quality([T0], { ...OPTIONS, confidenceThreshold: 2 })).toThrow(/threshold/);
    expect(() => createLabelJoinState({ task: 'regression', maxPredictions: 0 })).toThrow(/maxPredictions/);
    expect(() => createLabelJoinState({ task: 'ranking' as 'regression' })).toThrow(/task/);
  });
});
