/** Messages between the proxy thread (bridge.ts) and the capture thread (worker.ts). */
import type { SidecarConfig } from '../config';
import type { ExchangeBatch } from './exchange-batch';

export interface CaptureThreadData {
  config: SidecarConfig;
  /**
   * BigInt64Array over a SharedArrayBuffer: [exchanges, body bytes] the capture thread has taken in so far.
   * The proxy thread reads it to know the backlog without a message per batch waking it up.
   */
  progress: SharedArrayBuffer;
}

export const PROGRESS_EXCHANGES = 0;
export const PROGRESS_BYTES = 1;

export type ToCaptureThread =
  /** `lost`: exchanges the proxy thread could not hand over since the last batch (backlog bound). */
  ({ type: 'exchanges'; lost: number } & ExchangeBatch) | { type: 'close' };

export type FromCaptureThread =
  | { type: 'listening'; adminUrl: string }
  | { type: 'failed'; message: string; code?: string }
  | { type: 'closed' };
