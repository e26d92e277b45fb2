/**
 * How a review reaches the stores: posted to the sidecar's `POST /feedback` (review.feedbackUrl) with the API
 * token, so it takes the path every feedback event takes — the sidecar's pipeline to Elasticsearch, Kafka and the
 * spool store, with its retry and spooling. The exporter never writes to the sidecar's stores itself (the spool
 * store has one writer).
 */
import type { FeedbackEvent } from '@plumbline/schema';

export interface FeedbackWriter {
  /** Resolves once the sidecar accepted the event; rejects with a ReviewWriteError. */
  write(event: FeedbackEvent): Promise<void>;
}

/** EXPORTER_ERR_REVIEW_WRITE: the review could not be handed to the sidecar (502/503/504, `cause` kept). */
export class ReviewWriteError extends Error {
  readonly code = 'EXPORTER_ERR_REVIEW_WRITE';
  constructor(
    readonly status: 502 | 503 | 504,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ReviewWriteError';
  }
}

export interface SidecarFeedbackWriterOptions {
  /** The sidecar's admin base URL. */
  url: string;
  /** The API token the sidecar's POST /feedback needs (the shared PLUMBLINE_API_TOKEN). */
  token: string | undefined;
  timeoutMs: number;
}

export function createSidecarFeedbackWriter(options: SidecarFeedbackWriterOptions): FeedbackWriter {
  const target = new URL('feedback', options.url.endsWith('/') ? options.url : `${options.url}/`).toString();
  return {
    async write(event) {
      const body = {
        event_id: event.event_id,
        request_id: event.request_id,
        row: event.row,
        '@timestamp': event['@timestamp'],
        ground_truth: event.ground_truth,
        source: event.source,
        ...(event.model ? { model: { name: event.model.name, version: event.model.version } } : {}),
        ...(event.action ? { action: event.action } : {}),
        ...(event.reviewer ? { reviewer: event.reviewer } : {}),
      };
      let res: Response;
      try {
        res = await fetch(target, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (err) {
        const timedOut = (err as Error).name === 'TimeoutError';
        throw new ReviewWriteError(
          timedOut ? 504 : 503,
          `the sidecar at ${options.url} did not take the review: ${(err as Error).message}`,
          { cause: err },
        );
      }
      const text = await res.text().catch(() => '');
      if (res.status !== 202 && res.status !== 200)
        throw new ReviewWriteError(
          502,
          `the sidecar refused the review (HTTP ${res.status}): ${text.slice(0, 300)}`,
        );
    },
  };
}

/** review.feedbackUrl not set: every review write answers 503. */
export const NO_FEEDBACK_WRITER: FeedbackWriter = {
  write: () =>
    Promise.reject(
      new ReviewWriteError(
        503,
        'review writes are off: set review.feedbackUrl (PLUMBLINE_REVIEW_FEEDBACK_URL) to the sidecar admin URL',
      ),
    ),
};
