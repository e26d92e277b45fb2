/**
 * createSidecar(config, deps): the whole sidecar wired from a validated config, not yet listening.
 * startSidecar() also listens and returns { url, adminUrl, stop() } (what `plumbline sidecar` and
 * `plumbline start` use). Nothing here reads env.
 *
 *   proxy thread:   client ─▶ proxy (node:http + undici Pool) ─▶ upstream; each finished exchange ─┐
 *   capture thread: capture ─▶ metrics + pipeline (sinks, spool); admin server (/metrics, /feedback) ◀─┘
 *
 * The process metrics (prom-client's defaults: CPU, memory, event-loop delay, GC) are collected here, on the
 * proxy thread, and appended to the admin server's /metrics: the event loop and heap they describe are the ones
 * proxied requests wait on (CPU and resident memory cover the whole process, both threads).
 *
 * The capture thread is a worker thread (src/capture-thread/) so that parsing, encoding and sink I/O never
 * delay a proxied request. `captureMode: 'inline'` runs the same core on the proxy's own thread instead, for a
 * caller that injects a pipeline or registry (a test that puts fakes in the capture path).
 */
import type { KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { collectProcessMetrics } from '@plumbline/schema';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Dispatcher } from 'undici';
import type { EventPipeline } from './capture/capture';
import type { Exchange } from './capture/exchange';
import { startCaptureThread, type CaptureThread } from './capture-thread/bridge';
import { redactedFields, type SidecarConfig } from './config';
import { baseUrl, closeServer, listen } from './http-server';
import { createProxyHandler, type ProxyOptions } from './proxy/proxy';
import { checkSinkCredentials } from './sinks/credentials';
import { attachRawPlane, type RawPlane } from './proxy/raw/raw-plane';
import { readRedactionKey } from './redaction-key';
import type { SidecarCore } from './sidecar-core';
import { upstreamTarget } from './upstream-target';

/**
 * The capture side's modules (sidecar-core: the sinks' clients, the pipeline, the admin server) and undici, loaded
 * on first use: a threaded sidecar on the raw plane never needs them on the proxy thread, and loading them there
 * held ~30 MB of code and objects twice (once per isolate). `plumbline sidecar` resident memory: README.
 */
function sidecarCore(): typeof import('./sidecar-core') {
  return require('./sidecar-core') as typeof import('./sidecar-core');
}

/** sidecar-core's pipelineOptions (loaded on first use, see sidecarCore()). */
export const pipelineOptions: (typeof import('./sidecar-core'))['pipelineOptions'] = (...args) =>
  sidecarCore().pipelineOptions(...args);

/** Where capture runs: a worker thread of its own (production), or the proxy's thread. */
export type CaptureMode = 'thread' | 'inline';

export interface SidecarDeps {
  /**
   * 'thread': capture, metrics, the pipeline and the admin server run in the capture thread, as in production.
   * 'inline': they run on the proxy's thread, where an injected `pipeline` or `registry` can be observed.
   * @default 'thread'
   */
  captureMode?: CaptureMode;
  /**
   * Where events go ('inline' only); default: createPipeline() from config.sinks. An injected one is flushed,
   * not closed.
   */
  pipeline?: EventPipeline;
  /** Registry of the sidecar's metrics ('inline' only). @default a new Registry */
  registry?: Registry;
  /** The proxy thread's logger. @default pino at config.logLevel on stderr */
  logger?: Logger;
  /**
   * Upstream client of `dataPlane: node` and of inline capture's /readyz; default: an undici Pool on
   * config.upstream (closed by stop()), made only when one of those needs it.
   */
  dispatcher?: Dispatcher;
  /** The `hmac-sha256` redaction key. @default readRedactionKey(config.redaction.keyFile) when that is set */
  redactionKey?: KeyObject;
}

export interface Sidecar {
  /** Listens for clients; with `dataPlane: raw` its connections are handled by the raw plane (no 'request' events). */
  readonly proxyServer: Server;
  /** Where capture runs (SidecarDeps.captureMode). */
  readonly captureMode: CaptureMode;
  /** config.dataPlane. */
  readonly dataPlane: 'node' | 'raw';
  /** Requests received on the proxy port so far (either plane). */
  requests(): number;
  /** Listens on config.host:port and :adminPort. */
  listen(): Promise<RunningSidecar>;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), flushes capture and the pipeline. */
  close(graceMs?: number): Promise<void>;
}

export interface RunningSidecar {
  /** Base URL of the proxy, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Base URL of the admin server. */
  adminUrl: string;
  /** Rejects if capture stops working (its thread died); the proxy keeps serving. Never resolves. */
  failed: Promise<never>;
  stop(): Promise<void>;
}

/** Where finished exchanges go, and the admin server: the capture thread, or the core on this thread. */
interface CaptureSide {
  record(exchange: Exchange): void;
  start(): Promise<{ adminUrl: string; failed: Promise<never> }>;
  close(): Promise<void>;
}

function inlineCapture(core: SidecarCore): CaptureSide {
  return {
    record: (ex) => core.record(ex),
    async start() {
      return { adminUrl: await core.listen(), failed: new Promise<never>(() => undefined) };
    },
    close: () => core.close(),
  };
}

function threadCapture(
  config: SidecarConfig,
  logger: Logger,
  redactionKey: KeyObject | undefined,
  processMetrics: () => Promise<string>,
): CaptureSide {
  let thread: CaptureThread | null = null;
  return {
    record: (ex) => thread?.record(ex),
    async start() {
      thread = await startCaptureThread(config, logger, { redactionKey, processMetrics });
      return { adminUrl: thread.adminUrl, failed: thread.failed };
    },
    async close() {
      await thread?.close();
    },
  };
}

export function createSidecar(config: SidecarConfig, deps: SidecarDeps = {}): Sidecar {
  const captureMode = deps.captureMode ?? 'thread';
  if (captureMode === 'thread' && (deps.pipeline !== undefined || deps.registry !== undefined)) {
    // The capture thread builds its own from config; an injected one would silently stay unused.
    throw new TypeError(
      "createSidecar: a pipeline or registry can only be injected with captureMode: 'inline' " +
        '(capture in a thread builds its own)',
    );
  }
  const logger =
    deps.logger ?? pino({ level: config.logLevel, name: 'plumbline-sidecar' }, pino.destination(2));
  // Read once, here, before anything listens: a missing or short key file stops start-up (SIDECAR_ERR_CONFIG).
  const keyFile = config.redaction.keyFile;
  const redactionKey = deps.redactionKey ?? (keyFile === undefined ? undefined : readRedactionKey(keyFile));
  checkSinkCredentials(config);
  const plainHashed = redactedFields(config, 'sha256');
  if (plainHashed.length > 0) {
    logger.warn(
      { fields: plainHashed },
      'sha256 redaction is reversible by dictionary for low-entropy values (postcodes, birth years): ' +
        'use hmac-sha256 with redaction.keyFile (docs/config.md#redaction)',
    );
  }
  const { origin, basePath } = upstreamTarget(config);
  const ownDispatcher = deps.dispatcher === undefined;
  let dispatcher: Dispatcher | null = deps.dispatcher ?? null;
  /** The node plane's and inline capture's upstream client, made on first use (the raw plane has its own). */
  const upstreamClient = (): Dispatcher =>
    (dispatcher ??= sidecarCore().upstreamPool(config, config.upstreamPool.connections));
  // Process metrics (CPU, memory, event-loop delay, GC) from this thread, the one that proxies: its event loop
  // and heap are the ones a request waits on. The admin server appends them to /metrics in either mode.
  const processRegistry = new Registry();
  collectProcessMetrics(processRegistry, 'sidecar');
  const processMetrics = (): Promise<string> => processRegistry.metrics();
  const capture =
    captureMode === 'inline'
      ? inlineCapture(
          sidecarCore().createSidecarCore(config, {
            logger,
            dispatcher: upstreamClient(),
            pipeline: deps.pipeline,
            registry: deps.registry,
            redactionKey,
            processMetrics,
          }),
        )
      : threadCapture(config, logger, redactionKey, processMetrics);

  const KEEP_ALIVE_TIMEOUT_MS = 65_000;
  const proxyServer = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS });
  const proxyOptions: ProxyOptions = {
    origin,
    basePath,
    requestIdHeader: config.requestIdHeader,
    versionHeader: config.versionHeader,
    captureMaxBytes: config.captureMaxBytes,
    headersTimeoutMs: config.timeouts.headersMs,
    bodyTimeoutMs: config.timeouts.bodyMs,
    // After the response was written, in both planes: capture (and shadow traffic) hang off this one call.
    onExchange: (ex) => capture.record(ex),
    // Counted by capture (which knows the model); logged here with the cause.
    onUpstreamError: (_reason, err) => logger.warn({ code: err.code, err: err.cause ?? err }, err.message),
  };
  let nodeRequests = 0;
  let rawPlane: RawPlane | null = null;
  if (config.dataPlane === 'raw') {
    rawPlane = attachRawPlane(proxyServer, {
      ...proxyOptions,
      connections: config.upstreamPool.connections,
      upstreamKeepAliveMs: config.upstreamPool.keepAliveMs,
      connectTimeoutMs: config.timeouts.connectMs,
      keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
    });
  } else {
    const handler = createProxyHandler(proxyOptions, upstreamClient());
    proxyServer.on('request', (req, res) => {
      nodeRequests++;
      handler(req, res);
    });
  }
  proxyServer.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Bytes after a request that closes the connection (HTTP/1.0 without keep-alive, `Connection: close`): the
    // response in flight is still owed and ends the connection (RFC 9112 §9.6: no further requests are processed).
    // Answering 400 here once replaced that response.
    if (err.code === 'HPE_CLOSED_CONNECTION') return;
    // Garbage that is not HTTP: answer 400 when the socket can still take it, never crash.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });

  let closing: Promise<void> | undefined;
  async function close(graceMs = 5000): Promise<void> {
    closing ??= (async () => {
      if (rawPlane !== null) await rawPlane.close(graceMs);
      else await closeServer(proxyServer, graceMs);
      await capture.close();
      if (ownDispatcher) await dispatcher?.close();
    })();
    return closing;
  }

  return {
    proxyServer,
    captureMode,
    dataPlane: config.dataPlane,
    requests: () => (rawPlane === null ? nodeRequests : rawPlane.requests()),
    async listen() {
      // Capture first: the admin port (and with it /healthz) is up before the first request is proxied.
      const { adminUrl, failed } = await capture.start();
      await listen(proxyServer, config.port, config.host);
      const url = baseUrl(proxyServer, config.host);
      logger.info(
        {
          url,
          adminUrl,
          upstream: config.upstream,
          protocol: config.protocol,
          capture: captureMode,
          dataPlane: config.dataPlane,
        },
        'sidecar listening',
      );
      if (config.apiToken === undefined) {
        logger.warn(
          'PLUMBLINE_API_TOKEN is not set: POST /feedback on the admin port accepts writes from anyone who can reach it',
        );
      }
      return { url, adminUrl, failed, stop: () => close() };
    },
    close,
  };
}

/** createSidecar + listen: `const { url, adminUrl, stop } = await startSidecar(config)`. */
export async function startSidecar(config: SidecarConfig, deps: SidecarDeps = {}): Promise<RunningSidecar> {
  const sidecar = createSidecar(config, deps);
  try {
    return await sidecar.listen();
  } catch (err) {
    await sidecar.close(0);
    throw err;
  }
}
