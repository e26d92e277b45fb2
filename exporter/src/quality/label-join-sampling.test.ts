import {
  MINUTE,
  T0,
  feedbackEventsOf,
  inferenceEventsOf,
  labelStream,
  labelsOf,
  predictionsOf,
  type Arrival,
} from '../../test/helpers/label-join-stream';
import { evaluateQuality } from './evaluate-quality';
import { KEY_HASH_SPACE, keyHash, labelJoinKey } from './key-hash';
import { createLabelJoinState, type LabelJoinState } from './label-join-state';

const OPTIONS = { confidenceThreshold: 0.6, maxClasses: 10 };
const MINUTES = 10;
const STARTS = Array.from({ length: MINUTES }, (_, m) => T0 + m * MINUTE);

function feed(state: LabelJoinState, arrivals: readonly Arrival[]): void {
  for (const a of arrivals)
    if (a.kind === 'prediction') state.addPrediction(a.p);
    else state.addLabel(a.l);
}

/** The smallest k such that the held keys below 2^52 · 2^−k fit both caps (the state halves only when it must). */
function expectedHalvings(arrivals: readonly Arrival[], maxPredictions: number, maxLabels: number): number {
  const predictionHashes = predictionsOf(arrivals).map((p) => keyHash(p.key));
  const labelHashes = [...new Set(labelsOf(arrivals).map((l) => l.key))].map(keyHash);
  for (let k = 0; ; k++) {
    const t = KEY_HASH_SPACE / 2 ** k;
    if (
      predictionHashes.filter((h) => h < t).length <= maxPredictions &&
      labelHashes.filter((h) => h < t).length <= maxLabels
    )
      return k;
  }
}

describe('the label join state past its caps', () => {
  // 60,000 predictions (about 61,200 with duplicates), 42,000 labelled, over ten buckets; caps of 10,000 each.
  const arrivals = labelStream({
    seed: 77,
    task: 'classification',
    predictions: 60_000,
    minutes: MINUTES,
    accuracy: 0.7,
  });
  const state = createLabelJoinState({ task: 'classification', maxPredictions: 10_000, maxLabels: 10_000 });
  feed(state, arrivals);
  const full = evaluateQuality(
    inferenceEventsOf(predictionsOf(arrivals)),
    feedbackEventsOf(labelsOf(arrivals)),
    { task: 'classification', ...OPTIONS },
  );

  it('halves the threshold exactly as often as the caps require, and holds no more than them', () => {
    const k = expectedHalvings(arrivals, 10_000, 10_000);
    expect(k).toBe(3);
    const stats = state.stats();
    expect(stats.samplingRate).toBe(2 ** -k);
    expect(stats.predictions).toBeLessThanOrEqual(10_000);
    expect(stats.labels).toBeLessThanOrEqual(10_000);
    expect(stats.sampledOutPredictions + stats.predictions).toBe(predictionsOf(arrivals).length);
    expect(stats.sampledOutLabels).toBeGreaterThan(0);
  });

  it('joins exactly the rows whose key hash is below the threshold: the report of evaluateQuality on them', () => {
    const t = state.stats().samplingRate * KEY_HASH_SPACE;
    const kept = arrivals.filter((a) => keyHash(a.kind === 'prediction' ? a.p.key : a.l.key) < t);
    const expected = evaluateQuality(
      inferenceEventsOf(predictionsOf(kept)),
      feedbackEventsOf(labelsOf(kept)),
      { task: 'classification', ...OPTIONS },
    );
    const q = state.quality(STARTS, OPTIONS);
    expect(q).toEqual({ ...expected, sampled: expected.labelled, samplingRate: 1 / 8 });
    expect(q.sampled).toBeGreaterThan(4000);
  });

  it('estimates accuracy from the sample within 4 standard errors of the figure over every row', () => {
    const q = state.quality(STARTS, OPTIONS);
    const p = full.classification!.accuracy;
    const m = q.classification!.total;
    // A hash sample keeps each labelled row independently with probability r: the sample accuracy's standard
    // error is at most √(p(1 − p)/m) (less, by the finite-population factor √(1 − r)).
    const standardError = Math.sqrt((p * (1 - p)) / m);
    expect(Math.abs(q.classification!.accuracy - p)).toBeLessThan(4 * standardError);
    expect(4 * standardError).toBeLessThan(0.03);
    // Macro F1 too, with a looser bound (five classes, each a fifth of the rows).
    expect(Math.abs(q.classification!.f1Macro - full.classification!.f1Macro)).toBeLessThan(0.05);
    // The labelled share, scaled by the rate, estimates the share over every row.
    const exactPredictions = predictionsOf(arrivals).length;
    const share = q.labelled / q.samplingRate! / exactPredictions;
    expect(Math.abs(share - full.labelled / exactPredictions)).toBeLessThan(0.03);
  });

  it('keeps every prediction figure exact when the buckets give their counts', () => {
    const inference = inferenceEventsOf(predictionsOf(arrivals));
    const classCounts = new Map<string, number>();
    let rows = 0;
    let below = 0;
    for (const e of inference) {
      if (e.outputs.label !== null)
        classCounts.set(e.outputs.label, (classCounts.get(e.outputs.label) ?? 0) + 1);
      if (e.outputs.confidence !== null) {
        rows++;
        if (e.outputs.confidence < OPTIONS.confidenceThreshold) below++;
      }
    }
    const q = state.quality(STARTS, {
      ...OPTIONS,
      exact: { predictions: inference.length, classCounts, confidenceBelow: { rows, below } },
    });
    expect(q.predictions).toBe(full.predictions);
    expect(q.predictionShare).toEqual(full.predictionShare);
    expect(q.lowConfidenceShare).toBe(full.lowConfidenceShare);
  });

  it('ignores a label whose key hash is above the threshold, and counts it', () => {
    const t = state.stats().samplingRate * KEY_HASH_SPACE;
    let i = 0;
    while (keyHash(labelJoinKey('late', i)) < t) i++;
    const before = state.stats();
    state.addLabel({ key: labelJoinKey('late', i), atMs: T0, truth: 'cat' });
    expect(state.stats().sampledOutLabels).toBe(before.sampledOutLabels + 1);
    expect(state.stats().labels).toBe(before.labels);
  });
});

describe('the sampling rate', () => {
  it('goes back to every key once no bucket and no sampled-out label is left', () => {
    const state = createLabelJoinState({ task: 'regression', maxPredictions: 100, maxLabels: 1000 });
    for (let i = 0; i < 400; i++)
      state.addPrediction({ key: `k${i}`, bucketStartMs: T0, atMs: T0, predicted: i, confidence: null });
    expect(state.stats().samplingRate).toBeLessThan(1);
    // A label left out by sampling, at T0 + 10: while it could still be within the label retention, the rate stays.
    let i = 0;
    const t = state.stats().samplingRate * KEY_HASH_SPACE;
    while (keyHash(`k${i}`) < t) i++;
    state.addLabel({ key: `k${i}`, atMs: T0 + 10, truth: 1 });
    expect(state.stats().sampledOutLabels).toBe(1);
    state.dropBucket(T0);
    expect(state.stats().predictions).toBe(0);
    expect(state.stats().samplingRate).toBeLessThan(1);
    state.evictLabelsBefore(T0 + 10);
    expect(state.stats().samplingRate).toBeLessThan(1);
    state.evictLabelsBefore(T0 + 11);
    expect(state.stats().samplingRate).toBe(1);
    state.addPrediction({
      key: `k${i}`,
      bucketStartMs: T0 + MINUTE,
      atMs: T0 + MINUTE,
      predicted: 1,
      confidence: null,
    });
    expect(state.stats().predictions).toBe(1);
    expect(state.quality([T0 + MINUTE], OPTIONS).sampled).toBeUndefined();
  });
});
