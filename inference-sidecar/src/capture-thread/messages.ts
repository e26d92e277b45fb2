/** Messages between the proxy thread (bridge.ts) and the capture thread (worker.ts). */
import type { KeyObject } from 'node:crypto';
import type { SidecarConfig } from '../config';
import type { ExchangeBatch } from './exchange-batch';

export interface CaptureThreadData {
  config: SidecarConfig;
  /**
   * BigInt64Array over a SharedArrayBuffer: [exchanges, body bytes] the capture thread has taken in so far.
   * The proxy thread reads it to know the backlog without a message per batch waking it up.
   */
  progress: SharedArrayBuffer;
  /** The `hmac-sha256` redaction key: a KeyObject survives the copy into the thread and never prints its bytes. */
  redactionKey?: KeyObject;
}

/**
 * How long a scrape of /metrics (capture thread) waits for the proxy thread's process metrics. A proxy thread that
 * cannot answer in this time is stalled: /metrics answers without them, and the next answer's maximum event-loop
 * delay shows the stall.
 */
export const PROCESS_METRICS_TIMEOUT_MS = 2000;

const EXCHANGES = 0;
const BYTES = 1;

/**
 * The `progress` counters over their SharedArrayBuffer, laid out in this one place: the capture thread adds what it
 * took in, the proxy thread reads it (Atomics on both sides).
 */
export class CaptureProgress {
  private readonly counters: BigInt64Array;

  /** A new buffer (the proxy thread), or the one handed over in CaptureThreadData (the capture thread). */
  constructor(readonly buffer = new SharedArrayBuffer(2 * BigInt64Array.BYTES_PER_ELEMENT)) {
    this.counters = new BigInt64Array(buffer);
  }

  /** Capture thread: `exchanges` more exchanges, with `bytes` bytes of bodies, taken in. */
  add(exchanges: number, bytes: number): void {
    Atomics.add(this.counters, EXCHANGES, BigInt(exchanges));
    Atomics.add(this.counters, BYTES, BigInt(bytes));
  }

  /** Exchanges the capture thread has taken in so far. */
  exchanges(): number {
    return Number(Atomics.load(this.counters, EXCHANGES));
  }

  /** Body bytes the capture thread has taken in so far. */
  bytes(): number {
    return Number(Atomics.load(this.counters, BYTES));
  }
}

export type ToCaptureThread =
  /** `lost`: exchanges the proxy thread could not hand over since the last batch (backlog bound). */
  | ({ type: 'exchanges'; lost: number } & ExchangeBatch)
  /** The answer to a `process-metrics` request: the proxy thread's process metrics as Prometheus text. */
  | { type: 'process-metrics'; id: number; text: string }
  | { type: 'close' };

export type FromCaptureThread =
  | { type: 'listening'; adminUrl: string }
  | { type: 'failed'; message: string; code?: string }
  /**
   * A scrape of /metrics: the capture thread asks for the proxy thread's process metrics. `sentAt` (Date.now()):
   * a request older than PROCESS_METRICS_TIMEOUT_MS is no longer waited for and is not answered, so that it does
   * not reset the event-loop delay histogram the next scrape reports (a stall would vanish with it).
   */
  | { type: 'process-metrics'; id: number; sentAt: number }
  | { type: 'closed' };
