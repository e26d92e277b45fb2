/**
 * The proxy thread's side of the capture thread: it starts the worker (worker.ts) and writes each exchange the
 * proxy finishes into the exchange ring (exchange-ring.ts), a SharedArrayBuffer the capture thread drains. The
 * proxy thread's cost per request is a copy of the exchange into the ring; a capture thread that is busy finds the
 * next exchanges when it comes back for more (no message at all), and one that sleeps is woken at most once per
 * BATCH_WINDOW_MS (or at once when BATCH_MAX_EXCHANGES wait), so wake-ups stay batched at low rates too.
 *
 * Bounded: while the capture thread has more than `captureBacklog.exchanges` exchanges not yet taken in, or the
 * ring (`captureBacklog.ringBytes`, else ringBytesFor(captureMaxBytes): 18 MiB by default) has no room for the next
 * one, new exchanges are not handed over; they are counted
 * (plumbline_sidecar_events_dropped_total{sink="capture",reason="capture_backlog"}) and logged, and the proxy never
 * waits. If the capture thread dies, the proxy keeps serving, the loss is logged, and `failed`
 * rejects so the process can exit and be restarted (the spool replays what was not yet delivered).
 */
import type { KeyObject } from 'node:crypto';
import { startWorker } from '@plumbline/service-kit';
import type { Logger } from 'pino';
import type { Exchange } from '../capture/exchange';
import type { SidecarConfig } from '../config';
import { createRingBuffers, ringBytesFor, RingWriter } from './exchange-ring';
import {
  PROCESS_METRICS_TIMEOUT_MS,
  type CaptureThreadData,
  type FromCaptureThread,
  type ToCaptureThread,
} from './messages';

/**
 * A sleeping capture thread is woken at most this long after the first exchange it has not seen: one wake-up of
 * the capture thread costs both threads far more than an exchange, so batching matters at low rates too.
 */
export const BATCH_WINDOW_MS = 5;
/** …or at once when this many wait. */
export const BATCH_MAX_EXCHANGES = 256;
/**
 * The capture thread's young generation (V8's new space, where every event's short-lived objects are born): V8
 * grows it up to 3 × 16 MB under this thread's allocation rate, ~32 MB resident that a scavenge then copies
 * little of. 12 MB (4 MB semi-spaces) keeps scavenges cheap (their cost is the survivors, not the garbage) at a
 * quarter of the memory: `BENCH_MEMORY_SECONDS=180 npm run bench:sidecar` (README, Memory).
 */
export const CAPTURE_THREAD_YOUNG_GENERATION_MB = 12;
const LOG_INTERVAL_MS = 10_000;

export interface CaptureThread {
  /** Base URL of the admin server the capture thread listens on. */
  readonly adminUrl: string;
  /** Hands an exchange over (written into the ring, see BATCH_WINDOW_MS). Never throws, never waits. */
  record(exchange: Exchange): void;
  /** Exchanges handed to the capture thread, and not handed over (counted as capture_backlog), so far. */
  stats(): { posted: number; lost: number };
  /** Rejects if the capture thread dies before close(). */
  readonly failed: Promise<never>;
  /** Lets the capture thread take in the whole ring and flush its sinks, and waits for it to exit. */
  close(): Promise<void>;
}

export interface BacklogBound {
  /** @default config.captureBacklog.exchanges */
  exchanges?: number;
  /**
   * The exchange ring's size in bytes: records (bodies, strings and 96 bytes each) the capture thread has not taken
   * in yet. An exchange larger than the ring is never handed over.
   * @default config.captureBacklog.ringBytes, else ringBytesFor(config.captureMaxBytes)
   */
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
  const maxExchanges = options.exchanges ?? config.captureBacklog.exchanges;
  const ring = createRingBuffers(
    options.bytes ?? config.captureBacklog.ringBytes ?? ringBytesFor(config.captureMaxBytes),
  );
  const writer = new RingWriter(ring);
  const data: CaptureThreadData = { config, ring, redactionKey: options.redactionKey };
  const worker = startWorker(__filename, 'worker', {
    workerData: data,
    resourceLimits: { maxYoungGenerationSizeMb: CAPTURE_THREAD_YOUNG_GENERATION_MB },
  });
  const post = (message: ToCaptureThread): void => worker.postMessage(message);

  /** Pending wake-up of the sleeping capture thread, and the exchanges it has not been woken for yet. */
  let wakeTimer: NodeJS.Timeout | null = null;
  let unwoken = 0;
  let postedExchanges = 0;
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
    lostSinceLog += n;
    if (alive) writer.lose(n);
    const now = Date.now();
    if (now - lastLostLog < LOG_INTERVAL_MS) return;
    logger.error(
      { code: 'SIDECAR_ERR_CAPTURE_BACKLOG', exchanges: lostSinceLog },
      `exchanges not captured: ${why}; the requests were proxied`,
    );
    lastLostLog = now;
    lostSinceLog = 0;
  }

  function wake(): void {
    if (wakeTimer !== null) clearTimeout(wakeTimer);
    wakeTimer = null;
    unwoken = 0;
    writer.wake();
  }

  /** After a write or a loss: a sleeping capture thread is woken within BATCH_WINDOW_MS; a busy one costs nothing. */
  function nudge(): void {
    if (!writer.readerSleeping()) return;
    if (++unwoken >= BATCH_MAX_EXCHANGES) wake();
    else wakeTimer ??= setTimeout(wake, BATCH_WINDOW_MS);
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
        if (wakeTimer !== null) clearTimeout(wakeTimer);
        lose(writer.backlog(), 'the capture thread is gone');
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
          if (writer.backlog() > maxExchanges || !writer.write(exchange))
            lose(1, 'the capture thread is behind (backlog bound reached)');
          else postedExchanges++;
          nudge();
        },
        async close() {
          if (closing) return closed;
          closing = true;
          // The capture thread takes in everything in the ring before it closes (worker.ts).
          if (wakeTimer !== null) clearTimeout(wakeTimer);
          wakeTimer = null;
          if (alive) post({ type: 'close' });
          await closed;
          // Written after the capture thread took in the ring for the last time: never captured.
          const unread = writer.backlog();
          if (unread > 0) lose(unread, 'handed over after the capture thread closed');
          await worker.terminate();
        },
      };
    }
  });
}
