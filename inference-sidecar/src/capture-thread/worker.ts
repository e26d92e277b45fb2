/**
 * The capture thread: runs the sidecar core (capture, metrics, pipeline and sinks, admin server) on its own
 * event loop, fed with exchanges by the proxy thread through the exchange ring (bridge.ts, exchange-ring.ts). Parsing bodies, encoding events for
 * Elasticsearch and Kafka and the sinks' I/O therefore never delay a proxied request.
 *
 * The process metrics (CPU, memory, event-loop delay, GC) are collected on the proxy thread, whose event loop
 * serves the requests: each scrape of /metrics asks it for them (PROCESS_METRICS_TIMEOUT_MS).
 * It runs at a lower priority than the proxy thread (captureThreadNice, thread-priority.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { createSidecarCore, upstreamPool } from '../sidecar-core';
import { READER_IDLE_POLLS, READER_POLL_MS, RingReader } from './exchange-ring';
import { lowerThreadPriority } from './thread-priority';
import {
  PROCESS_METRICS_TIMEOUT_MS,
  type CaptureThreadData,
  type FromCaptureThread,
  type ToCaptureThread,
} from './messages';

const port = parentPort;
if (port === null) throw new Error('capture-thread/worker.js runs as a worker thread only');
const { config, ring, redactionKey } = workerData as CaptureThreadData;
const reader = new RingReader(ring);
/** Exchanges taken from the ring per turn of the event loop: the sinks' I/O runs between turns. */
const EXCHANGES_PER_TURN = 256;
const post = (message: FromCaptureThread): void => port.postMessage(message);

const logger = pino({ level: config.logLevel, name: 'plumbline-sidecar' }, pino.destination(2));
// First, so that every thread this one starts inherits it: the proxy thread runs first where CPU is short.
lowerThreadPriority(config.captureThreadNice, logger);
// /readyz only: two connections are plenty.
const dispatcher = upstreamPool(config, 2);

let processMetricsRequests = 0;
const waitingForProcessMetrics = new Map<number, (text: string) => void>();

function processMetrics(): Promise<string> {
  const id = ++processMetricsRequests;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waitingForProcessMetrics.delete(id);
      logger.warn(
        { timeoutMs: PROCESS_METRICS_TIMEOUT_MS },
        'the proxy thread did not send its process metrics in time; /metrics answers without them',
      );
      resolve('');
    }, PROCESS_METRICS_TIMEOUT_MS);
    waitingForProcessMetrics.set(id, (text) => {
      clearTimeout(timer);
      waitingForProcessMetrics.delete(id);
      resolve(text);
    });
    post({ type: 'process-metrics', id, sentAt: Date.now() });
  });
}

const core = createSidecarCore(config, { logger, dispatcher, redactionKey, processMetrics });

const record = (ex: Parameters<typeof core.record>[0]): void => core.record(ex);
let draining = true;

function takeLost(): void {
  const lost = reader.takeLost();
  if (lost > 0) core.metrics.captureLost(lost);
}

let idlePolls = 0;
/** The next look at the ring (READER_POLL_MS); unref'd: it never keeps a closing thread alive. */
const poll = setTimeout(drain, READER_POLL_MS).unref();

/**
 * Takes in what the ring holds, a turn at a time; then looks again in READER_POLL_MS, or after READER_IDLE_POLLS
 * empty looks sleeps until the proxy thread wakes it (bridge.ts).
 */
function drain(): void {
  if (!draining) return;
  takeLost();
  const n = reader.read(EXCHANGES_PER_TURN, record);
  if (n === EXCHANGES_PER_TURN) {
    setImmediate(drain);
    return;
  }
  idlePolls = n > 0 ? 0 : idlePolls + 1;
  if (idlePolls < READER_IDLE_POLLS) poll.refresh();
  else {
    idlePolls = 0;
    void reader.sleep().then(drain);
  }
}

async function close(): Promise<void> {
  // Everything the proxy thread handed over before it asked to close is captured.
  draining = false;
  clearTimeout(poll);
  while (reader.read(EXCHANGES_PER_TURN, record) > 0);
  takeLost();
  await core.close();
  await dispatcher.close();
  post({ type: 'closed' });
  port?.close();
}

port.on('message', (message: ToCaptureThread) => {
  if (message.type === 'process-metrics') {
    waitingForProcessMetrics.get(message.id)?.(message.text);
  } else {
    close().catch((err: unknown) => {
      logger.error({ err }, 'capture thread: close failed');
      post({ type: 'closed' });
      port.close();
    });
  }
});

core.listen().then(
  (adminUrl) => post({ type: 'listening', adminUrl }),
  (err: NodeJS.ErrnoException) => {
    post({ type: 'failed', message: err.message, code: err.code });
    void core
      .close()
      .then(() => dispatcher.close())
      .finally(() => port.close());
  },
);
