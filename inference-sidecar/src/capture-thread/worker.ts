/**
 * The capture thread: runs the sidecar core (capture, metrics, pipeline and sinks, admin server) on its own
 * event loop, fed with batches of exchanges by the proxy thread (bridge.ts). Parsing bodies, encoding events for
 * Elasticsearch and Kafka and the sinks' I/O therefore never delay a proxied request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { createSidecarCore, upstreamPool } from '../sidecar-core';
import { unpackExchanges } from './exchange-batch';
import {
  CaptureProgress,
  type CaptureThreadData,
  type FromCaptureThread,
  type ToCaptureThread,
} from './messages';

const port = parentPort;
if (port === null) throw new Error('capture-thread/worker.js runs as a worker thread only');
const { config, progress: progressBuffer, redactionKey } = workerData as CaptureThreadData;
const progress = new CaptureProgress(progressBuffer);
const post = (message: FromCaptureThread): void => port.postMessage(message);

const logger = pino({ level: config.logLevel, name: 'plumbline-sidecar' }, pino.destination(2));
// /readyz only: two connections are plenty.
const dispatcher = upstreamPool(config, 2);
const core = createSidecarCore(config, { logger, dispatcher, redactionKey });

async function close(): Promise<void> {
  await core.close();
  await dispatcher.close();
  post({ type: 'closed' });
  port?.close();
}

port.on('message', (message: ToCaptureThread) => {
  if (message.type === 'exchanges') {
    if (message.lost > 0) core.metrics.captureLost(message.lost);
    const exchanges = unpackExchanges(message);
    for (const ex of exchanges) core.capture.record(ex);
    progress.add(exchanges.length, message.bytes.byteLength);
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
