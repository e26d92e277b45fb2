/**
 * Retry decorator: gives records a sink called retryable a few more tries, with exponential backoff and
 * jitter, before handing them back (the spooling decorator then puts them on disk). Rejected records are never
 * retried. Once the pipeline is stopping, no further tries are made.
 */
import {
  safeWrite,
  sinkResult,
  type Rejection,
  type Sink,
  type SinkRecord,
  type SinkResult,
} from '../sinks/sink';
import type { Stopper } from './stopper';

export interface RetryOptions {
  /** Tries per batch, the first included. @default 3 */
  maxAttempts?: number;
  /** Wait before the second try; doubles each time. @default 100 */
  initialDelayMs?: number;
  /** Longest wait between tries. @default 2000 */
  maxDelayMs?: number;
}

export function withRetry(sink: Sink, options: RetryOptions, stopper: Stopper): Sink {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const initialDelayMs = options.initialDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 2000;
  return {
    name: sink.name,
    async write(records: readonly SinkRecord[]): Promise<SinkResult> {
      const rejected: Rejection[] = [];
      let pending = records;
      let delay = initialDelayMs;
      let lastError: string | undefined;
      for (let attempt = 1; ; attempt++) {
        const result = await safeWrite(sink, pending);
        for (const r of result.rejected) rejected.push(r);
        if (result.retry.length === 0) return sinkResult([], rejected);
        pending = result.retry;
        lastError = result.error;
        if (attempt >= maxAttempts || stopper.stopped) return sinkResult(pending, rejected, lastError);
        await stopper.sleep(delay * (0.5 + Math.random() / 2));
        delay = Math.min(delay * 2, maxDelayMs);
      }
    },
    close: () => sink.close(),
  };
}
