/**
 * The review queue's bodies on the wire (`GET/POST /api/models/{model}/review`, issue #13; exporter/README.md,
 * "Review queue"): types only, so the Grafana panel imports them (`@plumbline/exporter/review-types`) without node code.
 */
import type { ReviewAction } from '@plumbline/schema';

export type { ReviewAction };

export interface QueueItem {
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

export interface QueuePage {
  items: QueueItem[];
  /** Cursor for the next (older) page, passed back as `before`; null on the last page. */
  next: string | null;
}

/** The body of `POST /api/models/{model}/review`. */
export interface ReviewRequestBody {
  request_id: string;
  row: number;
  action: ReviewAction;
  /** Required for `correct` (the right class). */
  label?: string;
}

/** What the exporter answers to a review: whether it wrote anything and the row's label now. */
export interface ReviewResultBody {
  /** False when the review repeated the standing one (nothing was written). */
  changed: boolean;
  /** The row's label now (`kind` as schema/src/label-precedence.ts `RowLabel`). */
  label: { kind: string; label: string | number | boolean | null; label_source: string | null };
}
