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
  type LatestFeedback,
  type RowFeedbackState,
  type RowLabel,
} from '@plumbline/schema';
import {
  DEFAULT_MAX_HELD_LABELS,
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
  /**
   * Folds a feedback event. Returns the row's label under label-precedence.ts when the row has a review (the label
   * to hold, whatever the event's time: another store applying labels must hold exactly that), null when it has
   * none (the latest label wins).
   */
  label(event: FeedbackEvent): RowLabel | null;
}

/** `format` of the labels document (labelsToJson): the join's labels and the reviewed rows' feedback. */
export const LABEL_JOIN_REVIEWS_FORMAT = 'plumbline.label-join-reviews';
export const LABEL_JOIN_REVIEWS_VERSION = 1;

/** A LatestFeedback as JSON (an unreadable time, -Infinity, as null). */
type LatestJson = {
  eventId: string;
  atMs: number | null;
  truth: string | number | boolean;
  source: string;
  action: LatestFeedback['action'];
  reviewer: string | null;
};

interface LabelsJson {
  format: typeof LABEL_JOIN_REVIEWS_FORMAT;
  version: typeof LABEL_JOIN_REVIEWS_VERSION;
  /** The join's labels (LabelJoinState.labelsToJSON). */
  labels: unknown;
  /** [key, latest human event, latest other event], least recently reviewed first. */
  reviewed: [string, LatestJson | null, LatestJson | null][];
}

const latestToJson = (l: LatestFeedback | null): LatestJson | null =>
  l && { ...l, atMs: Number.isFinite(l.atMs) ? l.atMs : null };

function latestFromJson(j: unknown, what: string): LatestFeedback | null {
  if (j === null) return null;
  const o = j as LatestJson;
  if (
    typeof o !== 'object' ||
    typeof o.eventId !== 'string' ||
    !(o.atMs === null || typeof o.atMs === 'number') ||
    !['string', 'number', 'boolean'].includes(typeof o.truth) ||
    typeof o.source !== 'string'
  )
    throw new Error(`${what} is not a feedback record`);
  return {
    eventId: o.eventId,
    atMs: o.atMs ?? -Infinity,
    truth: o.truth,
    source: o.source,
    action: o.action ?? null,
    reviewer: o.reviewer ?? null,
  };
}

export function createLabelJoinCompanion(options: {
  task: 'classification' | 'regression';
  bucketWidthMs: number;
  maxPredictions?: number;
  maxLabels?: number;
}): LabelJoinCompanion {
  const join = createLabelJoinState(options);
  /**
   * Rows with a review: every event folded (label-precedence.ts); the join holds what they add up to. Checkpointed
   * with the labels (a retract after a restart needs the other source's label). Bounded like the join's labels: past
   * `maxLabels` rows the least recently reviewed is forgotten (Map order = order of the last review).
   */
  const reviewed = new Map<string, RowFeedbackState>();
  const maxReviewed = options.maxLabels ?? DEFAULT_MAX_HELD_LABELS;
  const remember = (key: string, state: RowFeedbackState): void => {
    reviewed.delete(key);
    reviewed.set(key, state);
    if (reviewed.size > maxReviewed) reviewed.delete(reviewed.keys().next().value!);
  };
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
        return null;
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
      remember(key, state);
      // label-precedence.ts decides: the human label, none for a rejected row, the other label after a retract.
      const label = rowLabel(state);
      join.removeLabel(key);
      if (label.kind === 'label') join.addLabel({ key, atMs: label.from.atMs, truth: label.label });
      return label;
    },
    dropBucket: (start) => join.dropBucket(start),
    resetBucket: (start) => join.replaceBucket(start, []),
    evictLabelsBefore: (atMs) => {
      let evicted = join.evictLabelsBefore(atMs);
      for (const [key, state] of reviewed)
        if (Math.max(state.human?.atMs ?? -Infinity, state.other?.atMs ?? -Infinity) < atMs) {
          reviewed.delete(key);
          evicted++;
        }
      return evicted;
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
    labelsToJson(): LabelsJson {
      return {
        format: LABEL_JOIN_REVIEWS_FORMAT,
        version: LABEL_JOIN_REVIEWS_VERSION,
        labels: join.labelsToJSON(),
        reviewed: [...reviewed].map(([key, s]) => [key, latestToJson(s.human), latestToJson(s.other)]),
      };
    },
    load(json) {
      const doc = json as Partial<LabelsJson> | null;
      // A bucket's part, or the labels of a checkpoint of version 1 (no reviewed rows): the join's own document.
      if (typeof doc !== 'object' || doc === null || doc.format !== LABEL_JOIN_REVIEWS_FORMAT) {
        join.load(json);
        return;
      }
      if (doc.version !== LABEL_JOIN_REVIEWS_VERSION || !Array.isArray(doc.reviewed))
        throw new Error(
          `labels document is ${LABEL_JOIN_REVIEWS_FORMAT} version ${String(doc.version)}; this exporter reads version ${LABEL_JOIN_REVIEWS_VERSION}`,
        );
      join.load(doc.labels);
      for (const entry of doc.reviewed) {
        if (!Array.isArray(entry) || typeof entry[0] !== 'string')
          throw new Error('labels document: a reviewed row is not [key, human, other]');
        remember(entry[0], {
          human: latestFromJson(entry[1], `reviewed row ${entry[0]}: human`),
          other: latestFromJson(entry[2], `reviewed row ${entry[0]}: other`),
        });
      }
    },
  };
}
