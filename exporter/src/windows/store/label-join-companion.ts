/**
 * The label join of one model (quality/label-join-state.ts) as the window store's companion: each folded prediction
 * is held under its bucket, each label joins it whenever it arrives, and a window's quality is computed from the
 * buckets it merges — with the exact per-window counts (predictions, classes, confidences below the threshold) taken
 * from the merged bucket state, so they stay exact when the join samples.
 */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import {
  createLabelJoinState,
  labelJoinKey,
  type ExactPredictionCounts,
  type LabelJoinState,
  type QualityReport,
} from '../../quality';
import { countsEntries, type FoldedState } from '../buckets';
import type { WindowCompanion } from './window-store';

/** The exact counts of a merged window that the quality report needs (see ExactPredictionCounts). */
export function exactPredictionCounts(
  state: FoldedState,
  confidenceThreshold: number,
): ExactPredictionCounts {
  const classCounts = new Map(countsEntries(state.prediction.classes));
  if (state.prediction.classes.other > 0)
    classCounts.set('other', (classCounts.get('other') ?? 0) + state.prediction.classes.other);
  const bins = state.prediction.confidence;
  const cut = confidenceThreshold * bins.length;
  const out: ExactPredictionCounts = { predictions: state.rows, classCounts };
  // The histogram answers "below the threshold" exactly when the threshold is a bin edge (0.6 with 20 bins);
  // otherwise the held rows' confidences are used.
  if (Number.isInteger(cut) && cut / bins.length === confidenceThreshold) {
    let rows = 0;
    let below = 0;
    bins.forEach((n, j) => {
      rows += n;
      if (j < cut) below += n;
    });
    out.confidenceBelow = { rows, below };
  }
  return out;
}

export interface LabelJoinCompanion extends WindowCompanion {
  readonly join: LabelJoinState;
}

export function createLabelJoinCompanion(options: {
  task: 'classification' | 'regression';
  bucketWidthMs: number;
  maxPredictions?: number;
  maxLabels?: number;
}): LabelJoinCompanion {
  const join = createLabelJoinState(options);
  return {
    join,
    prediction(event: InferenceEvent, bucketStartMs: number) {
      join.addPrediction({
        key: labelJoinKey(event.request_id, event.row),
        bucketStartMs,
        atMs: Date.parse(event['@timestamp']),
        predicted: event.outputs.label ?? event.outputs.value,
        confidence: event.outputs.confidence,
      });
    },
    label(event: FeedbackEvent) {
      join.addLabel({
        key: labelJoinKey(event.request_id, event.row),
        atMs: Date.parse(event['@timestamp']),
        truth: event.ground_truth,
      });
    },
    dropBucket: (start) => join.dropBucket(start),
    resetBucket: (start) => join.replaceBucket(start, []),
    evictLabelsBefore: (atMs) => join.evictLabelsBefore(atMs),
    quality(bucketStarts, state, o): QualityReport {
      return join.quality(bucketStarts, {
        confidenceThreshold: o.confidenceThreshold,
        maxClasses: o.maxClasses,
        exact: exactPredictionCounts(state, o.confidenceThreshold),
      });
    },
    truths: (starts) => join.truths(starts),
    bucketToJson: (start) => join.toJSON(start),
    labelsToJson: () => join.labelsToJSON(),
    load: (json) => join.load(json),
  };
}
