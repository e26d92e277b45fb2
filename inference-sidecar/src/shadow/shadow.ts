/**
 * Shadow traffic: a copy of a model's requests (or a `sampleRate` sample) goes to a challenger once the primary's
 * response has been written, and the challenger's answer becomes events with `role: "shadow"` (capture, through
 * `onAnswer`). The client only ever gets the primary's bytes.
 *
 * It runs where capture runs (the capture thread in production), fed by the same hand-off: the data plane calls
 * `mirror(exchange)` for every finished exchange, right where it hands the exchange to capture — a proxy's only
 * duty is to put the query string and the content type in the exchange. Nothing here can slow the primary: copies
 * are bounded (`shadow.maxConcurrent` in flight over every challenger; one more is dropped and counted, never
 * queued) and abandoned after `shadow.timeoutMs`. Every copy is counted once in
 * plumbline_sidecar_shadow_requests_total by how it ended: sent, error, timeout or dropped.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { Pool, type Dispatcher } from 'undici';
import { modelFromPath } from '../capture/capture';
import type { Exchange } from '../capture/exchange';
import { shadowSettings, type ShadowTarget, type SidecarConfig } from '../config';
import { classifyUpstreamError } from '../errors';
import type { ShadowOutcome } from '../metrics/sidecar-metrics';
import { mayBeInference } from '../protocols/detect';

export interface ShadowDeps {
  config: SidecarConfig;
  logger: Logger;
  /** Counts one copy by how it ended (SidecarMetrics.shadowRequest). */
  count(model: string, outcome: ShadowOutcome): void;
  /** The challenger's answer (or failure) as a shadow exchange, for capture. Must not throw. */
  onAnswer(exchange: Exchange): void;
  /** Sampling source, 0 ≤ x < 1. @default Math.random */
  random?: () => number;
}

export interface Shadow {
  /** Sends a copy of a finished exchange to its model's challenger, if it has one. Never throws, never waits. */
  mirror(exchange: Exchange): void;
  /** Abandons the copies in flight (counted as dropped) and closes the connections to the challengers. */
  close(): Promise<void>;
}

/** Why an in-flight copy was abandoned. */
class Abandoned extends Error {
  constructor(readonly outcome: 'timeout' | 'dropped') {
    super(outcome === 'timeout' ? 'the shadow model did not answer in time' : 'the sidecar is closing');
  }
}

/** Errors of a copy that ran out of time, whichever timer noticed first. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** Whether any model has a challenger: without one, no Shadow is made at all. */
export function hasShadow(config: SidecarConfig): boolean {
  return config.shadow.url !== undefined || Object.values(config.models).some((m) => m.shadow !== undefined);
}

export function createShadow(deps: ShadowDeps): Shadow {
  const { config, logger, count, onAnswer } = deps;
  const random = deps.random ?? Math.random;
  const { maxConcurrent, timeoutMs } = config.shadow;
  /** Per challenger URL, parsed once: its pool and the path prefix of every copy. */
  const targets = new Map<string, { pool: Pool; basePath: string }>();
  const pools = new Map<string, Pool>();
  const inFlight = new Set<Copy>();
  let closed = false;
  let lastFailureLog = 0;

  function targetFor(urlText: string): { pool: Pool; basePath: string } {
    let target = targets.get(urlText);
    if (target === undefined) {
      const url = new URL(urlText);
      let pool = pools.get(url.origin);
      if (pool === undefined) {
        pool = new Pool(url.origin, {
          connections: maxConcurrent,
          keepAliveTimeout: config.upstreamPool.keepAliveMs,
          connectTimeout: Math.min(config.timeouts.connectMs, timeoutMs),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        pools.set(url.origin, pool);
      }
      target = { pool, basePath: url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '') };
      targets.set(urlText, target);
    }
    return target;
  }

  /** Why this exchange cannot be copied, or null when it can. */
  function unsendable(ex: Exchange): string | null {
    if (ex.errorCode === 'SIDECAR_ERR_CLIENT_CLOSED') return 'the client left before the primary answered';
    if (ex.errorCode === 'SIDECAR_ERR_BAD_REQUEST') return 'the request was refused by the sidecar';
    if (ex.requestTruncated) return `the request body is over captureMaxBytes (${config.captureMaxBytes})`;
    if (ex.requestBody === null && ex.requestBytes > 0) return 'the request body was not kept';
    return null;
  }

  function logFailure(model: string, outcome: ShadowOutcome, detail: string): void {
    const now = Date.now();
    if (now - lastFailureLog < 10_000) return;
    lastFailureLog = now;
    logger.warn({ model, outcome, detail }, 'shadow copy not answered; the primary was not affected');
  }

  /**
   * One copy, as undici's dispatch handler: no promise, stream, AbortController or async iteration per copy —
   * the answer's chunks are kept as they arrive and the copy ends in exactly one of `answered` or `failed`.
   */
  class Copy implements Dispatcher.DispatchHandler {
    private controller: Dispatcher.DispatchController | null = null;
    private readonly started = performance.now();
    private readonly timer: NodeJS.Timeout;
    private status = 0;
    private version: string | null = null;
    private chunks: Buffer[] = [];
    private bytes = 0;
    private truncated = false;
    /** Set once the copy was abandoned (timeout, closing): callbacks after it are ignored. */
    private abandoned: Abandoned | null = null;
    private done = false;

    constructor(
      private readonly ex: Exchange,
      private readonly model: string,
    ) {
      inFlight.add(this);
      this.timer = setTimeout(() => this.abandon(new Abandoned('timeout')), timeoutMs);
    }

    onRequestStart(controller: Dispatcher.DispatchController): void {
      this.controller = controller;
      if (this.abandoned !== null) controller.abort(this.abandoned);
    }

    onResponseStart(
      _controller: Dispatcher.DispatchController,
      statusCode: number,
      headers: Record<string, string | string[] | undefined>,
    ): void {
      if (statusCode < 200) return;
      this.status = statusCode;
      const version = headers[config.versionHeader];
      this.version = typeof version === 'string' && version !== '' ? version : null;
    }

    onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
      this.bytes += chunk.length;
      if (this.truncated) return;
      if (this.bytes <= config.captureMaxBytes) this.chunks.push(chunk);
      else {
        this.truncated = true;
        this.chunks = [];
      }
    }

    onResponseEnd(): void {
      if (!this.end()) return;
      const { ex, model, chunks } = this;
      count(model, this.status >= 500 ? 'error' : 'sent');
      onAnswer({
        ...answer(ex, performance.now() - this.started),
        status: this.status,
        headerVersion: this.version,
        responseBody:
          this.truncated || chunks.length === 0
            ? null
            : chunks.length === 1
              ? chunks[0]
              : Buffer.concat(chunks),
        responseBytes: this.bytes,
        responseTruncated: this.truncated,
      });
    }

    onResponseError(_controller: Dispatcher.DispatchController | null, err: Error): void {
      this.failed(this.abandoned ?? err);
    }

    /** Gives the copy up (its timeout, or the sidecar closing): counted now, whatever undici does next. */
    abandon(reason: Abandoned): void {
      if (this.done || this.abandoned !== null) return;
      this.abandoned = reason;
      this.failed(reason);
      this.controller?.abort(reason);
    }

    /** Marks the copy ended; false if it already was. */
    private end(): boolean {
      if (this.done) return false;
      this.done = true;
      clearTimeout(this.timer);
      inFlight.delete(this);
      return true;
    }

    private failed(reason: unknown): void {
      if (!this.end()) return;
      const { ex, model } = this;
      const outcome: ShadowOutcome =
        reason instanceof Abandoned
          ? reason.outcome
          : TIMEOUT_CODES.has((reason as { code?: string }).code ?? '')
            ? 'timeout'
            : 'error';
      count(model, outcome);
      if (outcome === 'dropped') return; // closing: no answer to record
      const coded =
        outcome === 'timeout'
          ? { code: 'SIDECAR_ERR_UPSTREAM_TIMEOUT', statusCode: 504, message: `no answer in ${timeoutMs} ms` }
          : classifyUpstreamError(reason);
      logFailure(model, outcome, coded.message);
      onAnswer({
        ...answer(ex, performance.now() - this.started),
        status: coded.statusCode,
        headerVersion: null,
        responseBody: null,
        responseBytes: 0,
        responseTruncated: false,
        errorCode: coded.code,
        errorMessage: `shadow: ${coded.message}`,
      });
    }
  }

  function send(ex: Exchange, model: string, target: ShadowTarget): void {
    const { pool, basePath } = targetFor(target.url);
    const headers: Record<string, string> = { [config.requestIdHeader]: ex.requestId };
    if (ex.contentType !== null) headers['content-type'] = ex.contentType;
    const copy = new Copy(ex, model);
    try {
      pool.dispatch(
        {
          path: basePath + ex.path + ex.query,
          method: ex.method as Dispatcher.HttpMethod,
          headers,
          body: ex.requestBody,
        },
        copy,
      );
    } catch (err) {
      copy.onResponseError(null, err as Error);
    }
  }

  return {
    mirror(ex) {
      if (closed || ex.shadowOf !== undefined || !mayBeInference(ex.method)) return;
      const model = modelFromPath(ex.path).model ?? config.model;
      const target = shadowSettings(config, model);
      if (target === undefined) return;
      if (target.sampleRate < 1 && random() >= target.sampleRate) return;
      const problem = unsendable(ex);
      if (problem !== null || inFlight.size >= maxConcurrent) {
        count(model, 'dropped');
        logFailure(model, 'dropped', problem ?? `${maxConcurrent} shadow copies already in flight`);
        return;
      }
      send(ex, model, target);
    },
    async close() {
      closed = true;
      for (const copy of [...inFlight]) copy.abandon(new Abandoned('dropped'));
      await Promise.all([...pools.values()].map((p) => p.destroy()));
      pools.clear();
      targets.clear();
    },
  };
}

/**
 * The fields of a shadow exchange that come from the primary's request. `receivedAt` is the primary's (when the
 * request reached the sidecar), so a shadow row lands in the same time bucket as the row it answers; the latency
 * is the challenger's own.
 */
function answer(
  ex: Exchange,
  ms: number,
): Omit<Exchange, 'status' | 'headerVersion' | 'responseBody' | 'responseBytes' | 'responseTruncated'> {
  return {
    requestId: ex.requestId,
    shadowOf: ex.requestId,
    receivedAt: ex.receivedAt,
    method: ex.method,
    path: ex.path,
    query: ex.query,
    contentType: ex.contentType,
    requestBody: ex.requestBody,
    requestBytes: ex.requestBytes,
    requestTruncated: ex.requestTruncated,
    totalMs: ms,
    upstreamMs: ms,
    errorCode: null,
    errorMessage: null,
  };
}
