/**
 * The proxy thread's side of the capture thread: it starts the worker (worker.ts), collects the exchanges the
 * proxy finishes within BATCH_WINDOW_MS and posts them as one batch. The proxy thread's cost per request is a
 * copy of the captured bodies and its share of one postMessage.
 *
 * Bounded: while the capture thread has more than MAX_BACKLOG_EXCHANGES exchanges or MAX_BACKLOG_BYTES of
 * bodies not yet captured, new exchanges are not handed over; they are counted
 * (plumbline_sidecar_events_dropped_total{sink="capture",reason="capture_backlog"}) and logged, and the proxy
 * never waits. If the capture thread dies, the proxy keeps serving, the loss is logged, and `failed` rejects so
 * the process can exit and be restarted (the spool replays what was not yet delivered).
 */
import type { KeyObject } from 'node:crypto';
import { startWorker } from '@plumbline/service-kit';
import type { Logger } from 'pino';
import type { Exchange } from '../capture/exchange';
import type { SidecarConfig } from '../config';
import { packExchanges } from './exchange-batch';
import {
  CaptureProgress,
  PROCESS_METRICS_TIMEOUT_MS,
  type CaptureThreadData,
  type FromCaptureThread,
  type ToCaptureThread,
} from './messages';

/**
 * Exchanges wait at most this long on the proxy thread before they are posted together: one postMessage (and
 * one wake-up of the capture thread) costs the proxy thread ~20 µs, so batching matters at low rates too.
 */
export const BATCH_WINDOW_MS = 5;
/** …or until this many are pending. */
export const BATCH_MAX_EXCHANGES = 256;
/**
 * The capture thread's young generation (V8's new space, where every event's short-lived objects are born): V8
 * grows it up to 3 × 16 MB under this thread's allocation rate, ~32 MB resident that a scavenge then copies
 * little of. 12 MB (4 MB semi-spaces) keeps scavenges cheap (their cost is the survivors, not the garbage) at a
 * quarter of the memory: `BENCH_MEMORY_SECONDS=180 npm run bench:sidecar` (README, Memory).
 */
export const CAPTURE_THREAD_YOUNG_GENERATION_MB = 12;
export const MAX_BACKLOG_EXCHANGES = 100_000;
export const MAX_BACKLOG_BYTES = 256 * 1024 * 1024;
const LOG_INTERVAL_MS = 10_000;

export interface CaptureThread {
  /** Base URL of the admin server the capture thread listens on. */
  readonly adminUrl: string;
  /** Hands an exchange over (batched, see BATCH_WINDOW_MS). Never throws, never waits. */
  record(exchange: Exchange): void;
  /** Exchanges posted to the capture thread, and not handed over (counted as capture_backlog), so far. */
  stats(): { posted: number; lost: number };
  /** Rejects if the capture thread dies before close(). */
  readonly failed: Promise<never>;
  /** Hands over what is pending, lets the capture thread flush its sinks, and waits for it to exit. */
  close(): Promise<void>;
}

export interface BacklogBound {
  /** @default MAX_BACKLOG_EXCHANGES */
  exchanges?: number;
  /** @default MAX_BACKLOG_BYTES */
  bytes?: number;
}

/** The backlog bound, and what the capture thread gets besides the config. */
export interface CaptureThreadOptions extends BacklogBound {
  /** The `hmac-sha256` redaction key (src/redaction-key.ts), handed over in workerData. */
  redactionKey?: KeyObject;
  /**
   * This thread's process metrics as Prometheus text, for the capture thread's /metrics (it asks at each scrape).
   * @default none ('')
   */
  processMetrics?: () => Promise<string>;
}

export function startCaptureThread(
  config: SidecarConfig,
  logger: Logger,
  options: CaptureThreadOptions = {},
): Promise<CaptureThread> {
  const maxExchanges = options.exchanges ?? MAX_BACKLOG_EXCHANGES;
  const maxBytes = options.bytes ?? MAX_BACKLOG_BYTES;
  const progress = new CaptureProgress();
  const data: CaptureThreadData = { config, progress: progress.buffer, redactionKey: options.redactionKey };
  const worker = startWorker(__filename, 'worker', {
    workerData: data,
    resourceLimits: { maxYoungGenerationSizeMb: CAPTURE_THREAD_YOUNG_GENERATION_MB },
  });
  const post = (message: ToCaptureThread, transfer?: ArrayBuffer[]): void =>
    worker.postMessage(message, transfer);

  let pending: Exchange[] = [];
  let timer: NodeJS.Timeout | null = null;
  let postedExchanges = 0;
  let postedBytes = 0;
  /** Set once per batch: the capture thread is more than the backlog bound behind. */
  let behind = false;
  let lostSinceBatch = 0;
  let lostSinceLog = 0;
  let lastLostLog = 0;
  let lostTotal = 0;
  let alive = true;
  let closing = false;
  let onFailed: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    onFailed = reject;
  });
  failed.catch(() => undefined); // observed through `failed` by whoever cares; never an unhandled rejection

  function lose(n: number, why: string): void {
    lostTotal += n;
    lostSinceBatch += n;
    lostSinceLog += n;
    const now = Date.now();
    if (now - lastLostLog < LOG_INTERVAL_MS) return;
    logger.error(
      { code: 'SIDECAR_ERR_CAPTURE_BACKLOG', exchanges: lostSinceLog },
      `exchanges not captured: ${why}; the requests were proxied`,
    );
    lastLostLog = now;
    lostSinceLog = 0;
  }

  function send(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (!alive) return;
    const batch = pending;
    pending = [];
    if (batch.length === 0 && lostSinceBatch === 0) return;
    const packed = packExchanges(batch);
    postedExchanges += batch.length;
    postedBytes += packed.bytes.byteLength;
    behind =
      postedExchanges - progress.exchanges() > maxExchanges || postedBytes - progress.bytes() > maxBytes;
    post({ type: 'exchanges', lost: lostSinceBatch, ...packed }, [packed.numbers, packed.bytes]);
    lostSinceBatch = 0;
  }

  return new Promise((resolve, reject) => {
    let started = false;
    let resolveClosed: () => void = () => undefined;
    const closed = new Promise<void>((r) => {
      resolveClosed = r;
    });

    worker.on('message', (message: FromCaptureThread) => {
      switch (message.type) {
        case 'listening':
          started = true;
          resolve(thread(message.adminUrl));
          break;
        case 'failed':
          reject(Object.assign(new Error(message.message), { code: message.code }));
          break;
        case 'process-metrics':
          // Collecting resets the event-loop delay summary: only for a scrape that still waits for the answer.
          if (Date.now() - message.sentAt < PROCESS_METRICS_TIMEOUT_MS) answerProcessMetrics(message.id);
          break;
        case 'closed':
          resolveClosed();
          break;
      }
    });
    function answerProcessMetrics(id: number): void {
      (options.processMetrics?.() ?? Promise.resolve(''))
        .catch((err: unknown) => {
          logger.error({ err, code: 'SIDECAR_ERR_INTERNAL' }, 'process metrics failed');
          return '';
        })
        .then((text) => {
          if (alive) post({ type: 'process-metrics', id, text });
        })
        .catch(() => undefined); // the worker went away between the check and the post
    }
    worker.on('error', (err) => {
      logger.fatal({ err, code: 'SIDECAR_ERR_INTERNAL' }, 'capture thread failed');
    });
    worker.on('exit', (code) => {
      alive = false;
      resolveClosed();
      if (closing) return;
      const err = new Error(`the capture thread exited (code ${code}); events are no longer captured`);
      if (!started) reject(err);
      else {
        logger.fatal({ code: 'SIDECAR_ERR_INTERNAL', exitCode: code }, err.message);
        const unprocessed = postedExchanges - progress.exchanges();
        lose(pending.length + unprocessed, 'the capture thread is gone');
        pending = [];
        onFailed(err);
      }
    });

    function thread(adminUrl: string): CaptureThread {
      return {
        adminUrl,
        failed,
        stats: () => ({ posted: postedExchanges, lost: lostTotal }),
        record(exchange) {
          if (!alive) {
            lose(1, 'the capture thread is gone');
            return;
          }
          // While behind, the next batch still goes out (empty): it reports the loss and re-reads the backlog.
          if (behind) lose(1, 'the capture thread is behind (backlog bound reached)');
          else if (pending.push(exchange) >= BATCH_MAX_EXCHANGES) {
            send();
            return;
          }
          timer ??= setTimeout(send, BATCH_WINDOW_MS);
        },
        async close() {
          if (closing) return closed;
          closing = true;
          send();
          if (alive) post({ type: 'close' });
          await closed;
          await worker.terminate();
        },
      };
    }
  });
}
