/**
 * The label join of one model (quality/label-join-state.ts) as the window store's companion: each folded prediction
 * is held under its bucket, each label joins it whenever it arrives, and a window's quality is computed from the
 * buckets it merges — with the exact per-window counts (predictions, classes, confidences below the threshold) taken
 * from the merged bucket state, so they stay exact when the join samples.
 */
import {
  foldFeedback,
  isHumanFeedback,
  rowLabel,
  type FeedbackEvent,
  type InferenceEvent,
  type RowFeedbackState,
} from '@plumbline/schema';
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
  /** Rows with a review: every event folded (label-precedence.ts); the join holds what they add up to. */
  const reviewed = new Map<string, RowFeedbackState>();
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
      const key = labelJoinKey(event.request_id, event.row);
      const atMs = Date.parse(event['@timestamp']);
      let state: RowFeedbackState | null | undefined = reviewed.get(key);
      if (state === undefined && !isHumanFeedback(event)) {
        // No review of this row: the latest label wins, as the join does by itself.
        join.addLabel({ key, atMs, truth: event.ground_truth });
        return;
      }
      if (state === undefined) {
        // The row's first review: what the join holds so far is its latest label of other sources.
        const held = join.heldLabel(key);
        state = held
          ? foldFeedback(null, {
              event_id: '',
              '@timestamp': new Date(held.atMs).toISOString(),
              ground_truth: held.truth,
              source: 'api',
            })
          : null;
      }
      state = foldFeedback(state ?? null, event);
      reviewed.set(key, state);
      // label-precedence.ts decides: the human label, none for a rejected row, the other label after a retract.
      const label = rowLabel(state);
      join.removeLabel(key);
      if (label.kind === 'label') join.addLabel({ key, atMs: label.from.atMs, truth: label.label });
    },
    dropBucket: (start) => join.dropBucket(start),
    resetBucket: (start) => join.replaceBucket(start, []),
    evictLabelsBefore: (atMs) => {
      join.evictLabelsBefore(atMs);
      for (const [key, state] of reviewed)
        if (Math.max(state.human?.atMs ?? -Infinity, state.other?.atMs ?? -Infinity) < atMs)
          reviewed.delete(key);
    },
    quality(bucketStarts, state, o): QualityReport {
      return join.quality(bucketStarts, {
        confidenceThreshold: o.confidenceThreshold,
        maxClasses: o.maxClasses,
        exact: exactPredictionCounts(state, o.confidenceThreshold),
      });
    },
    truths: (starts) => join.truths(starts),
    routing: (starts, toPeople) => join.routing(starts, toPeople),
    bucketToJson: (start) => join.toJSON(start),
    labelsToJson: () => join.labelsToJSON(),
    load: (json) => join.load(json),
  };
}
