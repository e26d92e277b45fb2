/**
 * Which label a row has, from every feedback event posted for it: the one precedence rule the review queue, the
 * label join (quality), the dataset export and the advisor all call, so they never disagree.
 *
 * - A row's events fall in two groups: human reviews (`source: "human"` or an `action`) and other ground truth (a
 *   labelling tool, a batch job, `POST /feedback`). In each group the latest event wins: greatest `@timestamp`,
 *   ties broken by the greater `event_id` — so the fold is order-independent (two exporters, a Kafka redelivery or
 *   two reviewers racing on one row all end on the same label).
 * - The human group wins over the other when its latest event is `confirm` or `correct` (the label is its
 *   `ground_truth`) or `reject` (the row is excluded from quality and training data, whatever else says).
 * - A latest human `retract` withdraws the human label: the row falls back to the latest other label, if any.
 *
 * Pure and incremental: `foldFeedback(state, event)` keeps two small records per row whatever the number of events.
 */
import type { FeedbackEvent, ReviewAction } from './feedback-event';

/** `source` of the feedback events a review writes. */
export const HUMAN_SOURCE = 'human';

/** The fields of a feedback event the rule reads. */
export type LabelFeedback = Pick<FeedbackEvent, 'event_id' | '@timestamp' | 'ground_truth' | 'source'> & {
  action?: ReviewAction | null;
  reviewer?: string | null;
};

/** The latest event of one group. */
export interface LatestFeedback {
  eventId: string;
  atMs: number;
  truth: string | number | boolean;
  source: string;
  /** Null for other ground truth. */
  action: ReviewAction | null;
  reviewer: string | null;
}

/** What one row's events add up to so far: the latest of each group. */
export interface RowFeedbackState {
  human: LatestFeedback | null;
  other: LatestFeedback | null;
}

export type RowLabel =
  /** No label (none posted, or the human one retracted with nothing under it). */
  | { kind: 'none' }
  /** `label_source` is the winning event's `source` (`human` for a review). */
  | {
      kind: 'label';
      label: string | number | boolean;
      labelSource: string;
      human: boolean;
      from: LatestFeedback;
    }
  /** Rejected by a reviewer: left out of quality and training data. */
  | { kind: 'rejected'; from: LatestFeedback };

/** True for a review's event (a human label, a reject or a retract). */
export function isHumanFeedback(event: LabelFeedback): boolean {
  return event.source === HUMAN_SOURCE || (event.action ?? null) !== null;
}

function later(a: LatestFeedback, b: LatestFeedback | null): boolean {
  if (b === null) return true;
  return a.atMs !== b.atMs ? a.atMs > b.atMs : a.eventId > b.eventId;
}

/**
 * Folds one event into a row's state (a new state; the input is not changed). An event with an unreadable
 * `@timestamp` counts as the oldest. Cost: O(1).
 */
export function foldFeedback(state: RowFeedbackState | null, event: LabelFeedback): RowFeedbackState {
  const atMs = Date.parse(event['@timestamp']);
  const entry: LatestFeedback = {
    eventId: event.event_id,
    atMs: Number.isNaN(atMs) ? -Infinity : atMs,
    truth: event.ground_truth,
    source: event.source,
    action: event.action ?? null,
    reviewer: event.reviewer ?? null,
  };
  const current = state ?? { human: null, other: null };
  if (isHumanFeedback(event))
    return later(entry, current.human) ? { human: entry, other: current.other } : current;
  return later(entry, current.other) ? { human: current.human, other: entry } : current;
}

/** The row's label under the rule above. */
export function rowLabel(state: RowFeedbackState | null): RowLabel {
  if (state === null) return { kind: 'none' };
  const { human, other } = state;
  if (human && human.action === 'reject') return { kind: 'rejected', from: human };
  if (human && human.action !== 'retract')
    return { kind: 'label', label: human.truth, labelSource: HUMAN_SOURCE, human: true, from: human };
  if (other)
    return { kind: 'label', label: other.truth, labelSource: other.source, human: false, from: other };
  return { kind: 'none' };
}

/** The label of a row from all its events, in any order. */
export function labelOf(events: Iterable<LabelFeedback>): RowLabel {
  let state: RowFeedbackState | null = null;
  for (const e of events) state = foldFeedback(state, e);
  return rowLabel(state);
}

/**
 * The row's standing human review: the latest human event unless it is a retract (then null). The review queue
 * holds a row with none; a review repeating the standing one changes nothing (idempotent).
 */
export function standingReview(state: RowFeedbackState | null): LatestFeedback | null {
  const human = state?.human ?? null;
  return human && human.action !== 'retract' ? human : null;
}
