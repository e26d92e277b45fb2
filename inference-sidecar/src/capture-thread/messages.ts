/** Messages between the proxy thread (bridge.ts) and the capture thread (worker.ts). */
import type { KeyObject } from 'node:crypto';
import type { SidecarConfig } from '../config';
import type { ExchangeRingBuffers } from './exchange-ring';

export interface CaptureThreadData {
  config: SidecarConfig;
  /** The exchange ring (exchange-ring.ts): the proxy thread writes exchanges into it, the capture thread drains it. */
  ring: ExchangeRingBuffers;
  /** The `hmac-sha256` redaction key: a KeyObject survives the copy into the thread and never prints its bytes. */
  redactionKey?: KeyObject;
}

/**
 * How long a scrape of /metrics (capture thread) waits for the proxy thread's process metrics. A proxy thread that
 * cannot answer in this time is stalled: /metrics answers without them, and the next answer's maximum event-loop
 * delay shows the stall.
 */
export const PROCESS_METRICS_TIMEOUT_MS = 2000;

export type ToCaptureThread =
  /** The answer to a `process-metrics` request: the proxy thread's process metrics as Prometheus text. */
  { type: 'process-metrics'; id: number; text: string } | { type: 'close' };

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
