/**
 * The review queue's bodies as the exporter's `GET/POST /api/models/{model}/review` define them (issue #13; the
 * exporter's README, "Review queue"). Written out here because the panel bundle may import no node code.
 */
export interface ReviewQueueItem {
  event_id: string;
  request_id: string;
  row: number;
  '@timestamp': string;
  model_version: string | null;
  features: Record<string, unknown>;
  predicted: string | null;
  confidence: number | null;
  probabilities: Record<string, number> | null;
}

export interface ReviewQueuePage {
  items: ReviewQueueItem[];
  /** Cursor for the next (older) page, passed back as `before`; null on the last page. */
  next: string | null;
}

export type ReviewAction = 'confirm' | 'correct' | 'reject' | 'retract';

export interface ReviewRequest {
  request_id: string;
  row: number;
  action: ReviewAction;
  /** Required for `correct` (the right class). */
  label?: string;
}

/** What the exporter answers to a review: whether it wrote anything and the row's label now. */
export interface ReviewResult {
  changed: boolean;
  label: { kind: string; label: string | number | boolean | null; label_source: string | null };
}

export interface ReviewQueryInput {
  limit: number;
  before?: string | null;
  /** Only rows predicted as this class. */
  class?: string;
  /** Only rows at or below this confidence. */
  maxConfidence?: number;
}

export interface ReviewOptions {
  /** Model whose queue is shown; dashboard variables allowed (e.g. `$model`). */
  model: string;
  /** Rows per page (the API's `limit`, 1–1000). */
  pageSize: number;
  /** Only rows predicted as this class; empty for all. Dashboard variables allowed. */
  classFilter: string;
  /** Only rows at or below this confidence; 0 or empty for every row below its limit. */
  maxConfidence: number;
}

export const DEFAULT_REVIEW_OPTIONS: ReviewOptions = {
  model: '$model',
  pageSize: 50,
  classFilter: '',
  maxConfidence: 0,
};
