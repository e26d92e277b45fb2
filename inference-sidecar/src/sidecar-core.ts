/**
 * The sidecar's core: everything that happens after a response was written — capture (exchange → events),
 * shadow traffic (a copy of the request for a challenger model, src/shadow/), the Prometheus metrics, the event
 * pipeline (sinks, spool) and the admin server (/metrics, /healthz, /readyz, /feedback). It runs in the capture thread (src/capture-thread/worker.ts) so that none of it competes with the
 * proxy's event loop, or on the proxy's own thread with createSidecar's `captureMode: 'inline'` (for tests
 * with fakes).
 */
import type { KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { Pool, type Dispatcher } from 'undici';
import { createAdminServer } from './admin/admin-server';
import { createCapture, type Capture, type EventPipeline } from './capture/capture';
import type { Exchange } from './capture/exchange';
import type { SidecarConfig } from './config';
import { baseUrl, closeServer, listen } from './http-server';
import { createSidecarMetrics, type SidecarMetrics } from './metrics/sidecar-metrics';
import { createPipeline, type PipelineOptions } from './pipeline/pipeline';
import { createShadow, hasShadow, type Shadow } from './shadow/shadow';
import { upstreamTarget } from './upstream-target';

export interface SidecarCore {
  /**
   * Where the data plane hands every finished exchange, once its response was written: capture, and a copy for
   * the model's shadow (challenger) when it has one. Never throws.
   */
  record(exchange: Exchange): void;
  readonly capture: Capture;
  /** Copies for the shadow models; undefined when no model has one (config `shadow`, `models.<m>.shadow`). */
  readonly shadow: Shadow | undefined;
  readonly pipeline: EventPipeline;
  readonly registry: Registry;
  readonly metrics: SidecarMetrics;
  readonly adminServer: Server;
  /** Listens on config.host:adminPort; resolves with the admin server's base URL. */
  listen(): Promise<string>;
  /** Closes the admin server, processes what capture still holds, then closes the pipeline (or flushes an injected one). */
  close(): Promise<void>;
}

export interface SidecarCoreDeps {
  logger: Logger;
  /** Reaches the upstream's health path for /readyz. */
  dispatcher: Dispatcher;
  /** @default createPipeline() from config.sinks (closed by close()); an injected one is flushed, not closed. */
  pipeline?: EventPipeline;
  /** @default a new Registry */
  registry?: Registry;
  /** The `hmac-sha256` redaction key, read at start-up (src/redaction-key.ts); required when a field uses it. */
  redactionKey?: KeyObject;
  /** The process metrics the admin server appends to /metrics (AdminDeps.processMetrics). @default none */
  processMetrics?: () => Promise<string>;
}

/** Builds the pipeline options from the config's sinks section. */
export function pipelineOptions(config: SidecarConfig, registry: Registry, logger: Logger): PipelineOptions {
  const s = config.sinks;
  return {
    elasticsearch: s.elasticsearch && { ...s.elasticsearch },
    kafka: s.kafka && { ...s.kafka },
    spool: { dir: s.spoolDir, maxBytes: s.spoolMaxBytes, fsync: s.spoolFsync },
    queue: { batchSize: s.batchSize, flushIntervalMs: s.flushIntervalMs, maxEvents: s.maxQueueEvents },
    retention:
      config.retention.maxAgeSeconds === null
        ? undefined
        : {
            maxAgeMs: config.retention.maxAgeSeconds * 1000,
            intervalMs: config.retention.intervalSeconds * 1000,
          },
    registry,
    logger,
  };
}

// In a module of its own so that the proxy thread can use it without loading this one (app.ts).
export { upstreamTarget } from './upstream-target';

/** A keep-alive pool to the upstream with the configured timeouts. */
export function upstreamPool(config: SidecarConfig, connections: number): Pool {
  return new Pool(upstreamTarget(config).origin, {
    connections,
    keepAliveTimeout: config.upstreamPool.keepAliveMs,
    connectTimeout: config.timeouts.connectMs,
    headersTimeout: config.timeouts.headersMs,
    bodyTimeout: config.timeouts.bodyMs,
  });
}

export function createSidecarCore(config: SidecarConfig, deps: SidecarCoreDeps): SidecarCore {
  const { logger, dispatcher } = deps;
  const registry = deps.registry ?? new Registry();
  const ownPipeline = deps.pipeline === undefined;
  const pipeline = deps.pipeline ?? createPipeline(pipelineOptions(config, registry, logger));
  const metrics = createSidecarMetrics(registry, {
    maxClassesPerModel: config.maxClassesPerModel,
    maxModels: config.maxModels,
    knownModels: Object.keys(config.models).filter((name) => name !== '*'),
  });
  const capture = createCapture({ config, metrics, pipeline, logger, redactionKey: deps.redactionKey });
  const shadow = hasShadow(config)
    ? createShadow({
        config,
        logger,
        count: (model, outcome) => metrics.shadowRequest(model, outcome),
        onAnswer: (ex) => capture.record(ex),
      })
    : undefined;

  const { origin, basePath } = upstreamTarget(config);
  const healthPath = config.upstreamHealthPath ?? (config.protocol === 'v2' ? '/v2/health/ready' : '/');
  async function upstreamReady(): Promise<{ ready: boolean; detail: string }> {
    try {
      const res = await dispatcher.request({
        origin,
        path: basePath + healthPath,
        method: 'GET',
        headersTimeout: 2000,
        bodyTimeout: 2000,
      });
      await res.body.dump();
      return { ready: res.statusCode < 500, detail: `GET ${healthPath} → ${res.statusCode}` };
    } catch (err) {
      return { ready: false, detail: `GET ${healthPath} failed: ${(err as Error).message}` };
    }
  }
  const adminServer = createAdminServer({
    registry,
    metrics,
    pipeline,
    logger,
    upstreamReady,
    processMetrics: deps.processMetrics,
    apiToken: config.apiToken,
    requireTokenForReads: config.requireTokenForReads,
  });

  return {
    record(exchange) {
      capture.record(exchange);
      shadow?.mirror(exchange);
    },
    capture,
    shadow,
    pipeline,
    registry,
    metrics,
    adminServer,
    async listen() {
      await listen(adminServer, config.adminPort, config.host);
      return baseUrl(adminServer, config.host);
    },
    async close() {
      await closeServer(adminServer, 0);
      await shadow?.close();
      capture.drain();
      if (ownPipeline) await pipeline.close();
      else await pipeline.flush();
    },
  };
}
