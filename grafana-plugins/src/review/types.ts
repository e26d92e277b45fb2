/** The review queue's bodies, as the exporter defines them (types only: the panel bundle imports no node code). */
export type {
  QueueItem as ReviewQueueItem,
  QueuePage as ReviewQueuePage,
  ReviewAction,
  ReviewRequestBody as ReviewRequest,
  ReviewResultBody as ReviewResult,
} from '@plumbline/exporter/review-types';

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
