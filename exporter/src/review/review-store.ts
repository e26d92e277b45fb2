/**
 * Where the review queue, the advisor and the dataset export read predictions and their feedback from: the
 * sidecar's Elasticsearch indices or its embedded spool store. Kafka has no such store (a topic cannot be read by
 * request id or newest first without reading all of it), so with Kafka alone the review routes answer 501.
 *
 * The interface is small so both stores pass the same tests: predictions handed to people, newest first; one
 * prediction by its row key; the feedback of a set of rows, folded (schema/src/label-precedence.ts); and every
 * prediction of a time range with its row's feedback, streamed.
 */
import type { FeatureValue, RowFeedbackState } from '@plumbline/schema';
import type { ConfidenceLimits } from './limits';

/** One prediction as the review queue shows it. */
export interface ReviewPrediction {
  eventId: string;
  requestId: string;
  row: number;
  /** `@timestamp`, as stored. */
  timestamp: string;
  atMs: number;
  modelVersion: string | null;
  features: Record<string, FeatureValue>;
  /** `outputs.label` (or the value, as text, for a model without a label). */
  predicted: string | null;
  confidence: number | null;
  probabilities: Record<string, number> | null;
}

/** A position in the queue's order (newest first; ties by event id, greatest first): items strictly after it. */
export interface QueueCursor {
  atMs: number;
  eventId: string;
}

export interface LowConfidenceQuery {
  model: string;
  limits: ConfidenceLimits;
  /** Only items after this position. */
  after: QueueCursor | null;
  /** Only this predicted class. */
  predictedClass: string | null;
  /** Only items with confidence at or below this. */
  maxConfidence: number | null;
}

/** The row key the feedback of a prediction is joined on. */
export function rowKey(requestId: string, row: number): string {
  return `${requestId}\u0000${row}`;
}

export interface ReviewStore {
  readonly kind: 'elasticsearch' | 'spool';
  /** Predictions of the model below their limit (limits.ts), newest first, after `after`. The caller stops early. */
  lowConfidence(query: LowConfidenceQuery): AsyncIterable<ReviewPrediction>;
  /** One prediction of the model; null when no such request id and row is stored. */
  prediction(model: string, requestId: string, row: number): Promise<ReviewPrediction | null>;
  /** The folded feedback of each row key that has any. */
  feedback(rows: readonly { requestId: string; row: number }[]): Promise<Map<string, RowFeedbackState>>;
  /**
   * Every prediction of the model with `from ≤ @timestamp < to`, oldest first, with its row's folded feedback
   * (null: none). Memory does not grow with the number of predictions.
   */
  labelled(
    model: string,
    range: { from: number; to: number },
  ): AsyncIterable<{ prediction: ReviewPrediction; feedback: RowFeedbackState | null }>;
  close(): Promise<void>;
}

/** Queue order: newer first, then the greater event id. */
export function queueBefore(a: QueueCursor, b: QueueCursor): boolean {
  return a.atMs !== b.atMs ? a.atMs > b.atMs : a.eventId > b.eventId;
}

/** The opaque `next` / `before` cursor of the review API. */
export function encodeCursor(c: QueueCursor): string {
  return Buffer.from(JSON.stringify([c.atMs, c.eventId])).toString('base64url');
}

/** Null when the text is not a cursor this API wrote. */
export function decodeCursor(text: string): QueueCursor | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isFinite(value[0]) &&
      typeof value[1] === 'string'
    )
      return { atMs: value[0] as number, eventId: value[1] };
  } catch {
    // not JSON
  }
  return null;
}
