import { MINUTE, T0, labelStream, predictionsOf, type Arrival } from '../../test/helpers/label-join-stream';
import { BucketStateError } from '../windows/buckets';
import { labelJoinKey } from './key-hash';
import {
  LABEL_JOIN_FORMAT_VERSION,
  createLabelJoinState,
  labelJoinStateFromJson,
  type LabelJoinState,
  type LabelJoinStateJson,
} from './label-join-state';

const OPTIONS = { confidenceThreshold: 0.6, maxClasses: 4 };
const STARTS = [0, 1, 2, 3, 4, 5].map((m) => T0 + m * MINUTE);

function feed(state: LabelJoinState, arrivals: readonly Arrival[]): void {
  for (const a of arrivals)
    if (a.kind === 'prediction') state.addPrediction(a.p);
    else state.addLabel(a.l);
}

/** Two states hold the same: their documents are the same text (compared as text: a diff would be megabytes). */
function expectSameDocument(a: LabelJoinState, b: LabelJoinState): void {
  expect(JSON.stringify(a) === JSON.stringify(b)).toBe(true);
}

function roundTrip(state: LabelJoinState): LabelJoinState {
  return labelJoinStateFromJson(JSON.parse(JSON.stringify(state)));
}

describe('a label join state saved and loaded', () => {
  const arrivals = labelStream({ seed: 5, task: 'classification', predictions: 3000 });

  it('comes back bit for bit: the same document, the same report, the same behaviour after', () => {
    const state = createLabelJoinState({ task: 'classification' });
    feed(state, arrivals.slice(0, 3000));
    state.evictLabelsBefore(T0 + 30_000);
    const loaded = roundTrip(state);
    expectSameDocument(loaded, state);
    expect(JSON.stringify(state)).toBe(JSON.stringify(state.toJSON()));
    expect(loaded.quality(STARTS, OPTIONS)).toEqual(state.quality(STARTS, OPTIONS));
    expect(loaded.stats()).toMatchObject({ ...state.stats(), bytes: expect.any(Number) });
    // Both go on alike.
    feed(state, arrivals.slice(3000));
    feed(loaded, arrivals.slice(3000));
    expect(loaded.quality(STARTS, OPTIONS)).toEqual(state.quality(STARTS, OPTIONS));
    expectSameDocument(loaded, state);
  });

  it('comes back from one document per bucket plus one for the labels', () => {
    const state = createLabelJoinState({ task: 'classification' });
    feed(state, arrivals);
    const restored = labelJoinStateFromJson(JSON.parse(JSON.stringify(state.labelsToJSON())));
    for (const start of state.bucketStarts()) restored.load(JSON.parse(JSON.stringify(state.toJSON(start))));
    expectSameDocument(restored, state);
    expect(restored.quality(STARTS, OPTIONS)).toEqual(state.quality(STARTS, OPTIONS));
    expect(state.toJSON(T0 + 99 * MINUTE).buckets).toEqual([]);
  });

  it('keeps its sampling threshold, numbers of every kind and -0 exactly', () => {
    const state = createLabelJoinState({ task: 'regression', maxPredictions: 500, maxLabels: 500 });
    feed(state, labelStream({ seed: 6, task: 'regression', predictions: 3000 }));
    const odd = [-0, 1e-310, Number.MAX_VALUE, Infinity, -Infinity, NaN, 0.1 + 0.2];
    odd.forEach((v, i) =>
      state.addPrediction({
        key: labelJoinKey('odd', i),
        bucketStartMs: T0,
        atMs: T0 + i,
        predicted: v,
        confidence: v,
      }),
    );
    state.addLabel({ key: labelJoinKey('odd', 0), atMs: T0 + 1.5, truth: -0 });
    expect(state.stats().samplingRate).toBeLessThan(1);
    const loaded = roundTrip(state);
    expect(loaded.stats().samplingRate).toBe(state.stats().samplingRate);
    expectSameDocument(loaded, state);
    expect(loaded.quality(STARTS, OPTIONS)).toEqual(state.quality(STARTS, OPTIONS));
  });

  it('refuses another format, another version, another task or bucket width, with a message that says which', () => {
    const state = createLabelJoinState({ task: 'classification' });
    feed(state, arrivals.slice(0, 200));
    const doc = state.toJSON();
    const refused = (json: unknown, message: RegExp): void => {
      expect(() => labelJoinStateFromJson(json)).toThrow(BucketStateError);
      expect(() => labelJoinStateFromJson(json)).toThrow(message);
    };
    refused({ ...doc, format: 'plumbline.bucket-state' }, /not a label join state/);
    refused(null, /not a label join state/);
    refused(
      { ...doc, formatVersion: LABEL_JOIN_FORMAT_VERSION + 1 },
      new RegExp(`format version ${LABEL_JOIN_FORMAT_VERSION + 1}; this exporter reads version 1 only`),
    );
    refused({ ...doc, buckets: [{ ...doc.buckets[0], size: doc.buckets[0].size + 1 }] }, /wrong length/);
    refused({ ...doc, strings: [] }, /bad string index/);
    refused({ ...doc, counters: null }, /labels and counters go together/);
    refused({ ...doc, counters: undefined }, /labels and counters go together/);
    refused({ ...doc, counters: { ...doc.counters!, expiredLabels: -1 } }, /bad counters/);
    const other = createLabelJoinState({ task: 'regression' });
    expect(() => other.load(doc)).toThrow(/a classification model cannot be loaded into a regression one/);
    const wider = createLabelJoinState({ task: 'classification', bucketWidthMs: 5 * MINUTE });
    expect(() => wider.load(doc)).toThrow(/buckets of 60000 ms cannot be loaded into one of 300000 ms/);
    expect((doc as LabelJoinStateJson).format).toBe('plumbline.label-join-state');
  });
});

describe('buckets leaving and refolded', () => {
  const arrivals = labelStream({ seed: 8, task: 'classification', predictions: 3000 });

  it('dropBucket frees its predictions (their slots are reused), keeps the labels, and its labels wait again', () => {
    const state = createLabelJoinState({ task: 'classification' });
    feed(state, arrivals);
    const before = state.stats();
    const report = state.quality(STARTS, OPTIONS);
    const first = predictionsOf(arrivals).filter((p) => p.bucketStartMs === T0);
    state.dropBucket(T0);
    const after = state.stats();
    expect(after.buckets).toBe(before.buckets - 1);
    expect(after.predictions).toBe(before.predictions - first.length);
    expect(after.labels).toBe(before.labels);
    expect(state.quality([T0], OPTIONS)).toMatchObject({ predictions: 0, labelled: 0 });
    // The same rows again: the freed slots are reused (no column grows), and the report is the one before the drop.
    for (const p of first) state.addPrediction(p);
    expect(state.stats().bytes).toBe(before.bytes);
    expect(state.stats().predictions).toBe(before.predictions);
    expect(state.quality(STARTS, OPTIONS)).toEqual(report);
  });

  it('dropping every bucket and label leaves nothing held', () => {
    const state = createLabelJoinState({ task: 'classification' });
    feed(state, arrivals);
    for (const start of state.bucketStarts()) state.dropBucket(start);
    state.evictLabelsBefore(T0 + 60 * MINUTE);
    expect(state.stats()).toMatchObject({ buckets: 0, predictions: 0, labels: 0 });
    expect(state.toJSON()).toMatchObject({ strings: [], buckets: [], labels: { size: 0 } });
  });

  it('replaceBucket gives the state of a stream that had the refolded rows from the start', () => {
    const withDuplicates = createLabelJoinState({ task: 'classification' });
    feed(withDuplicates, arrivals);
    // The source is re-read: bucket 2 again, its rows doubled by a replay, then refolded from what the source holds.
    const bucket2 = predictionsOf(arrivals).filter((p) => p.bucketStartMs === T0 + 2 * MINUTE);
    for (const p of bucket2) withDuplicates.addPrediction({ ...p, predicted: 'replayed' });
    withDuplicates.replaceBucket(T0 + 2 * MINUTE, bucket2);
    // A stream whose bucket 2 arrived last, in the refolded order.
    const clean = createLabelJoinState({ task: 'classification' });
    feed(
      clean,
      arrivals.filter((a) => a.kind === 'label' || a.p.bucketStartMs !== T0 + 2 * MINUTE),
    );
    for (const p of bucket2) clean.addPrediction(p);
    expect(withDuplicates.quality(STARTS, OPTIONS)).toEqual(clean.quality(STARTS, OPTIONS));
    expect(withDuplicates.stats().predictions).toBe(clean.stats().predictions);
    expectSameDocument(withDuplicates, clean);
    expect(() => withDuplicates.replaceBucket(T0, bucket2)).toThrow(/given to refold bucket/);
  });

  it('evictLabelsBefore drops older labels and refuses later ones older than the cut, counting them', () => {
    const state = createLabelJoinState({ task: 'classification' });
    const key = labelJoinKey('r', 0);
    state.addPrediction({ key, bucketStartMs: T0, atMs: T0, predicted: 'a', confidence: null });
    state.addLabel({ key, atMs: T0 + 1000, truth: 'a' });
    state.evictLabelsBefore(T0 + 2000);
    expect(state.stats().labels).toBe(0);
    expect(state.quality([T0], OPTIONS).labelled).toBe(0);
    state.addLabel({ key, atMs: T0 + 1500, truth: 'a' }); // indexed late, older than the cut
    expect(state.stats()).toMatchObject({ labels: 0, expiredLabels: 1 });
    state.addLabel({ key, atMs: T0 + 2000, truth: 'a' });
    expect(state.quality([T0], OPTIONS).labelled).toBe(1);
  });
});
