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
 *
 * A copy costs the capture thread little (shadow-client.ts): one Buffer written on a keep-alive connection, the
 * answer framed by the raw plane's parser, one timer for every copy in flight (a sweep, not a timer per copy), and
 * capture reads the answer with the primary's request parse (it parses only the challenger's response).
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { modelFromPath } from '../capture/capture';
import type { Exchange } from '../capture/exchange';
import { shadowSettings, type ShadowTarget, type SidecarConfig } from '../config';
import { classifyUpstreamError } from '../errors';
import type { ShadowOutcome } from '../metrics/sidecar-metrics';
import { mayBeInference } from '../protocols/detect';
import { createShadowClient, type CopyHandler, type InFlight, type ShadowClient } from './shadow-client';

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

/** Errors of a copy that ran out of time while connecting (shadow-client.ts: `connectTimeoutMs`, or the system's). */
const TIMEOUT_CODES = new Set(['ETIMEDOUT']);

/** How often copies in flight are checked against `shadow.timeoutMs`: a tenth of it, at most 250 ms. */
export function timeoutSweepMs(timeoutMs: number): number {
  return Math.max(1, Math.min(250, Math.floor(timeoutMs / 10)));
}

/** Whether any model has a challenger: without one, no Shadow is made at all. */
export function hasShadow(config: SidecarConfig): boolean {
  return config.shadow.url !== undefined || Object.values(config.models).some((m) => m.shadow !== undefined);
}

export function createShadow(deps: ShadowDeps): Shadow {
  const { config, logger, count, onAnswer } = deps;
  const random = deps.random ?? Math.random;
  const { maxConcurrent, timeoutMs } = config.shadow;
  /**
   * Per challenger URL, parsed once: its client, the path prefix of every copy and the head's fixed lines
   * (`host`).
   */
  const targets = new Map<string, { client: ShadowClient; basePath: string; host: string }>();
  const clients = new Map<string, ShadowClient>();
  /** Copies in flight, oldest first (all have the same timeout, so they expire in this order). */
  const inFlight = new Set<Copy>();
  let closed = false;
  let lastFailureLog = 0;
  // One timer for every copy in flight: a copy is abandoned at most a sweep period past its timeout.
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const copy of inFlight) {
      if (now - copy.started < timeoutMs) break;
      copy.abandon(new Abandoned('timeout'));
    }
  }, timeoutSweepMs(timeoutMs));
  sweep.unref();

  function targetFor(urlText: string): { client: ShadowClient; basePath: string; host: string } {
    let target = targets.get(urlText);
    if (target === undefined) {
      const url = new URL(urlText);
      let client = clients.get(url.origin);
      if (client === undefined) {
        client = createShadowClient({
          origin: url.origin,
          versionHeader: config.versionHeader.toLowerCase(),
          keepAliveMs: config.upstreamPool.keepAliveMs,
          connectTimeoutMs: Math.min(config.timeouts.connectMs, timeoutMs),
        });
        clients.set(url.origin, client);
      }
      target = {
        client,
        basePath: url.pathname === '/' ? '' : url.pathname.replace(/\/$/, ''),
        host: url.host,
      };
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

  /** One copy: its answer's chunks are kept as they arrive, and it ends in exactly one of `answered` or `failed`. */
  class Copy implements CopyHandler {
    readonly started = performance.now();
    private request: InFlight | null = null;
    private status = 0;
    private version: string | null = null;
    private chunks: Buffer[] = [];
    private bytes = 0;
    private truncated = false;
    private done = false;

    constructor(
      private readonly ex: Exchange,
      private readonly model: string,
    ) {
      inFlight.add(this);
    }

    sent(request: InFlight): void {
      if (this.done) request.abort();
      else this.request = request;
    }

    onHead(status: number, version: string | null): void {
      this.status = status;
      this.version = version;
    }

    onData(chunk: Buffer): void {
      this.bytes += chunk.length;
      if (this.truncated) return;
      if (this.bytes <= config.captureMaxBytes) this.chunks.push(chunk);
      else {
        this.truncated = true;
        this.chunks = [];
      }
    }

    onEnd(): void {
      if (!this.end()) return;
      const { ex, model, chunks } = this;
      count(model, this.status >= 500 ? 'error' : 'sent');
      onAnswer(
        answer(ex, performance.now() - this.started, {
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
          errorCode: null,
          errorMessage: null,
        }),
      );
    }

    onError(err: Error): void {
      this.failed(err);
    }

    /** Gives the copy up (its timeout, or the sidecar closing): counted now, its connection closed. */
    abandon(reason: Abandoned): void {
      if (this.done) return;
      this.failed(reason);
      this.request?.abort();
    }

    /** Marks the copy ended; false if it already was. */
    private end(): boolean {
      if (this.done) return false;
      this.done = true;
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
      onAnswer(
        answer(ex, performance.now() - this.started, {
          status: coded.statusCode,
          headerVersion: null,
          responseBody: null,
          responseBytes: 0,
          responseTruncated: false,
          errorCode: coded.code,
          errorMessage: `shadow: ${coded.message}`,
        }),
      );
    }
  }

  function send(ex: Exchange, model: string, target: ShadowTarget): void {
    const { client, basePath, host } = targetFor(target.url);
    // The request line and the few headers a copy carries, in one string; the body follows in the same Buffer.
    // Every piece came through the proxy's HTTP parser (path, query, content type, request id): no CR or LF.
    const head =
      `${ex.method} ${basePath}${ex.path}${ex.query} HTTP/1.1\r\nhost: ${host}\r\n` +
      `${config.requestIdHeader}: ${ex.requestId}\r\n` +
      (ex.contentType === null ? '' : `content-type: ${ex.contentType}\r\n`) +
      `content-length: ${ex.requestBody?.length ?? 0}\r\n\r\n`;
    const copy = new Copy(ex, model);
    copy.sent(client.send(ex.method, head, ex.requestBody, copy));
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
    close() {
      closed = true;
      clearInterval(sweep);
      for (const copy of [...inFlight]) copy.abandon(new Abandoned('dropped'));
      for (const client of clients.values()) client.close();
      clients.clear();
      targets.clear();
      return Promise.resolve();
    },
  };
}

/**
 * A shadow exchange: the fields that come from the primary's request, and the challenger's `outcome`.
 * `receivedAt` is the primary's (when the request reached the sidecar), so a shadow row lands in the same time
 * bucket as the row it answers; the latency is the challenger's own. `requestBody` is the primary's Buffer itself:
 * capture reads it with the primary's parse (capture.ts).
 */
function answer(
  ex: Exchange,
  ms: number,
  outcome: Pick<
    Exchange,
    | 'status'
    | 'headerVersion'
    | 'responseBody'
    | 'responseBytes'
    | 'responseTruncated'
    | 'errorCode'
    | 'errorMessage'
  >,
): Exchange {
  return {
    requestId: ex.requestId,
    shadowOf: ex.requestId,
    receivedAt: ex.receivedAt,
    method: ex.method,
    path: ex.path,
    query: ex.query,
    contentType: ex.contentType,
    headerVersion: outcome.headerVersion,
    requestBody: ex.requestBody,
    requestBytes: ex.requestBytes,
    requestTruncated: ex.requestTruncated,
    status: outcome.status,
    responseBody: outcome.responseBody,
    responseBytes: outcome.responseBytes,
    responseTruncated: outcome.responseTruncated,
    totalMs: ms,
    upstreamMs: ms,
    errorCode: outcome.errorCode,
    errorMessage: outcome.errorMessage,
  };
}
