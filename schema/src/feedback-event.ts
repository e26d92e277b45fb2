/**
 * The feedback event: the ground truth for one row of an earlier request, posted to the sidecar's
 * `POST /feedback` and joined by the exporter on `request_id` (+ `row`).
 */
import { z } from 'zod';
import { ModelRefSchema, SCHEMA_VERSION } from './inference-event';

export const FeedbackEventSchema = z.object({
  schema_version: z.literal(SCHEMA_VERSION),
  /** `${request_id}:${row}:feedback`: a second report for the same row replaces the first. */
  event_id: z.string().min(1),
  request_id: z.string().min(1),
  row: z.number().int().min(0).default(0),
  '@timestamp': z.iso.datetime({ offset: true }),
  model: ModelRefSchema.nullable().default(null),
  /** The actual label (classification) or value (regression). */
  ground_truth: z.union([z.string(), z.number(), z.boolean()]),
  /** Who reported it: a labelling tool, a user action, a batch job… `human` for a review (label-precedence.ts). */
  source: z.string().default('api'),
  /**
   * A review's action (the exporter's `POST /api/models/{model}/review`), null for plain ground truth:
   * `confirm` (the prediction is right: `ground_truth` is the predicted class), `correct` (`ground_truth` is the
   * right class), `reject` (the input is unusable: left out of quality and training data; `ground_truth` is the
   * predicted class, kept for the record), `retract` (withdraws the row's human label; `ground_truth` is the label
   * withdrawn). label-precedence.ts folds a row's events into its one label. Absent (or null) in older events.
   */
  action: z.enum(['confirm', 'correct', 'reject', 'retract']).nullish(),
  /** Who reviewed it (the Grafana login the review panel forwards in `X-Grafana-User`); null when not a review. */
  reviewer: z.string().nullish(),
});
export type FeedbackEvent = z.infer<typeof FeedbackEventSchema>;

export function feedbackEventId(requestId: string, row: number): string {
  return `${requestId}:${row}:feedback`;
}

/** The actions a review can take (FeedbackEvent.action). */
export const REVIEW_ACTIONS = ['confirm', 'correct', 'reject', 'retract'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

/**
 * `${request_id}:${row}:review:${atMs}:${discriminator}`: every review action is an event of its own (a retract does
 * not erase the confirm before it, both are kept), ordered by time; label-precedence.ts decides what they add up to.
 * The discriminator (a short hash of action, label and reviewer) keeps two reviews stamped in the same millisecond
 * by two exporters apart, so neither overwrites the other and the tie is broken the same way everywhere.
 */
export function reviewEventId(requestId: string, row: number, atMs: number, discriminator: string): string {
  return `${requestId}:${row}:review:${atMs}:${discriminator}`;
}
