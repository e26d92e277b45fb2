/**
 * The sink contract: where captured events go (Elasticsearch, Kafka, the local store, memory).
 *
 * A sink never throws into the caller: `write()` resolves with what happened to every record —
 * written, worth another try (`retry`: the sink was down, slow, throttled), or refused for good (`rejected`:
 * a mapping error, a message over the broker's size limit). Queueing, batching, retry and spooling are
 * decorators around a sink (src/pipeline/), so a sink only knows how to talk to its backend once.
 */
import type { SpoolRecord } from '@plumbline/spool';

/**
 * One event on its way to a sink, tagged with its kind so sinks can route inference and feedback apart. It is the
 * spool's record type: what a sink is handed is exactly what the spool stores when the sink is down.
 */
export type SinkRecord = SpoolRecord;

export type SinkRecordKind = SinkRecord['kind'];

/** A record the sink refused for good, with a short low-cardinality reason (a metric label) and the detail. */
export interface Rejection {
  readonly record: SinkRecord;
  /** e.g. `rejected` (mapping / validation error at the backend), `oversize`. */
  readonly reason: string;
  readonly error: string;
}

export type SinkStatus = 'success' | 'retryable' | 'failure';

export interface SinkResult {
  /** success: all written; retryable: some records are worth another try; failure: some were refused for good. */
  readonly status: SinkStatus;
  /** Records not written for a passing reason; a decorator retries or spools them. */
  readonly retry: readonly SinkRecord[];
  /** Records the backend refused for good; never retried, always counted. */
  readonly rejected: readonly Rejection[];
  /** The cause of the first retryable or rejected record, for logs. */
  readonly error?: string;
}

export interface Sink {
  /** Low-cardinality name: the `sink` label of the pipeline metrics and the spool stream's directory name. */
  readonly name: string;
  /** Writes a batch; resolves with the outcome of every record, never rejects. */
  write(records: readonly SinkRecord[]): Promise<SinkResult>;
  /** Releases connections and files. */
  close(): Promise<void>;
  /**
   * Retention, for a sink that stores (Elasticsearch): removes the events whose `@timestamp` is before `cutoffMs`
   * (epoch ms) and resolves with how many went. Rejects when the backend cannot be asked (run off the request path,
   * by the pipeline's retention timer, which logs it and tries again next time).
   */
  expire?(cutoffMs: number): Promise<number>;
}

export const SUCCESS: SinkResult = Object.freeze({ status: 'success', retry: [], rejected: [] });

/** Every record worth another try (backend down, timed out, throttled). */
export function retryable(records: readonly SinkRecord[], error: unknown): SinkResult {
  return { status: 'retryable', retry: records, rejected: [], error: errorMessage(error) };
}

/** Builds a result from per-record outcomes (a bulk response, a split batch). */
export function sinkResult(
  retry: readonly SinkRecord[],
  rejected: readonly Rejection[],
  error?: string,
): SinkResult {
  if (retry.length === 0 && rejected.length === 0) return SUCCESS;
  return {
    status: retry.length > 0 ? 'retryable' : 'failure',
    retry,
    rejected,
    error: error ?? rejected[0]?.error,
  };
}

/** Calls `sink.write` and turns a throw (a sink bug) into a retryable result, so nothing escapes. */
export async function safeWrite(sink: Sink, records: readonly SinkRecord[]): Promise<SinkResult> {
  try {
    return await sink.write(records);
  } catch (error) {
    return retryable(records, error);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
