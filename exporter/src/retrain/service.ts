/**
 * The retrain endpoint behind Grafana's app-plugin proxy route:
 *   POST /api/retrain         { model, reason, idempotencyKey? }  → trigger the pipeline webhook
 *   GET  /api/retrain/status?model=M                               → cooldown, in-flight, last trigger
 * It authenticates the shared token (constant time), enforces the cooldown per model, refuses double triggers
 * (Idempotency-Key replay + one in-flight trigger per model), records every attempt in the audit store and counts
 * outcomes in plumbline_retrain_requests_total.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createHttpHandler,
  HttpError,
  tokenMatches,
  WWW_AUTHENTICATE,
  type RequestContext,
} from '@plumbline/service-kit';
import type { Registry } from 'prom-client';
import { request } from 'undici';
import { EXPORTER_METRICS, getOrCreateMetric } from '@plumbline/schema';
import type { ExporterErrorCode } from '../errors';
import type { RetrainConfig } from './config';
import { createElasticsearchAuditStore, createFileAuditStore, type RetrainAuditStore } from './audit-store';
import type {
  RetrainAuditEvent,
  RetrainOutcome,
  RetrainRequest,
  RetrainResponse,
  RetrainStatus,
} from './types';
import { buildWebhookRequest, type RetrainDataset } from './webhook-templates';

export const RETRAIN_PATH = '/api/retrain';
const MAX_BODY_BYTES = 16 * 1024;
const BODY_NOT_AN_OBJECT = 'body: expected a JSON object { "model": ..., "reason": ... }';
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const MAX_REASON_CHARS = 1000;
const LAST_TRIGGER_OUTCOMES: readonly RetrainOutcome[] = ['triggered', 'failed'];

export interface RetrainResult {
  httpStatus: number;
  body: RetrainResponse;
}

export interface RetrainServiceOptions {
  config: RetrainConfig;
  /** @default from config.audit */
  auditStore?: RetrainAuditStore;
  /** Registry for plumbline_retrain_requests_total (reused when the exporter already registered it). */
  registry?: Registry;
  /** @default Date.now */
  now?: () => number;
  /** Logger with pino's signature; @default silent */
  log?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /**
   * The webhook payload's `dataset` for a model: the labelled rows from `sinceMs` (the last successful trigger, null
   * when none) to `untilMs`. Absent, or resolving null: no `dataset` in the payload; a failure is logged and the
   * trigger goes on without it.
   */
  dataset?: (model: string, sinceMs: number | null, untilMs: number) => Promise<RetrainDataset | null>;
}

export interface RetrainService {
  /** Handles the request when its path is under /api/retrain; resolves false (untouched) otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  trigger(input: {
    authorization: string | undefined;
    model: unknown;
    reason: unknown;
    requestedBy: string;
    idempotencyKey: string | null;
  }): Promise<RetrainResult>;
  status(model: string): Promise<RetrainStatus>;
  close(): Promise<void>;
}

/** Error codes of the retrain endpoint (docs/errors.md). */
export const RETRAIN_ERRORS = {
  badRequest: 'EXPORTER_ERR_RETRAIN_BAD_REQUEST',
  unauthorized: 'EXPORTER_ERR_RETRAIN_UNAUTHORIZED',
  unknownModel: 'EXPORTER_ERR_RETRAIN_UNKNOWN_MODEL',
  method: 'EXPORTER_ERR_RETRAIN_METHOD',
  internal: 'EXPORTER_ERR_RETRAIN_INTERNAL',
} as const satisfies Record<string, ExporterErrorCode>;

/** The codes the retrain routes answer with; an unknown path (standalone server) is the exporter's 404. */
const RETRAIN_HTTP_CODES = {
  notFound: 'EXPORTER_ERR_NOT_FOUND',
  methodNotAllowed: RETRAIN_ERRORS.method,
  // A body over 16 KiB is a bad request too (413 with this code), as the app plugin documents.
  badRequest: RETRAIN_ERRORS.badRequest,
  internal: RETRAIN_ERRORS.internal,
};

/** The challenge every 401 of the retrain routes carries. */
const CHALLENGE = { 'www-authenticate': WWW_AUTHENTICATE };

/** Who clicked: Grafana's X-Grafana-User, else the login in X-Grafana-Context (set by the plugin proxy). */
export function grafanaUser(req: IncomingMessage, fallback: unknown): string {
  const user = req.headers['x-grafana-user'];
  if (typeof user === 'string' && user) return user;
  const ctx = req.headers['x-grafana-context'];
  if (typeof ctx === 'string') {
    try {
      const parsed = JSON.parse(ctx) as { Login?: unknown; login?: unknown };
      const login = parsed.Login ?? parsed.login;
      if (typeof login === 'string' && login) return login;
    } catch {
      // not JSON: ignore and fall back
    }
  }
  return typeof fallback === 'string' && fallback ? fallback.slice(0, 200) : 'unknown';
}

export function createRetrainService(options: RetrainServiceOptions): RetrainService {
  const { config } = options;
  const now = options.now ?? Date.now;
  const log = options.log;
  const store =
    options.auditStore ??
    ('elasticsearch' in config.audit
      ? createElasticsearchAuditStore(config.audit.elasticsearch)
      : createFileAuditStore(config.audit.file));
  const counter = options.registry
    ? getOrCreateMetric(options.registry, EXPORTER_METRICS.retrainRequests)
    : undefined;

  /** Last successful trigger per model (ms since epoch), loaded from the audit store on first use. */
  const lastTriggered = new Map<string, number>();
  const lastAttempt = new Map<string, RetrainAuditEvent | null>();
  const inFlight = new Map<string, Promise<RetrainResult>>();
  const byIdempotencyKey = new Map<string, { at: number; result: Promise<RetrainResult> }>();

  async function loadLast(model: string): Promise<void> {
    if (lastAttempt.has(model)) return;
    const [attempt, triggered] = await Promise.all([
      store.latest(model, LAST_TRIGGER_OUTCOMES),
      store.latest(model, ['triggered']),
    ]);
    lastAttempt.set(model, attempt);
    if (triggered) lastTriggered.set(model, Date.parse(triggered.at));
  }

  function cooldownRemaining(model: string): number {
    const last = lastTriggered.get(model);
    if (last === undefined) return 0;
    return Math.max(0, Math.ceil((last + config.cooldownSeconds * 1000 - now()) / 1000));
  }

  async function status(model: string): Promise<RetrainStatus> {
    await loadLast(model);
    return {
      model,
      cooldownSeconds: config.cooldownSeconds,
      cooldownRemainingSeconds: cooldownRemaining(model),
      inFlight: inFlight.has(model),
      last: lastAttempt.get(model) ?? null,
    };
  }

  async function finish(
    event: RetrainAuditEvent,
    httpStatus: number,
    message: string,
    metricModel = event.model,
  ): Promise<RetrainResult> {
    counter?.inc({ model: metricModel, outcome: event.outcome });
    try {
      await store.record(event);
    } catch (err) {
      // The pipeline decision stands; the audit failure is logged loudly rather than hiding the outcome.
      log?.warn({ err, requestId: event.requestId }, 'retrain audit event could not be recorded');
    }
    if (LAST_TRIGGER_OUTCOMES.includes(event.outcome)) lastAttempt.set(event.model, event);
    log?.info({ ...event, reason: undefined }, `retrain ${event.outcome}`);
    return {
      httpStatus,
      body: {
        outcome: event.outcome,
        requestId: event.requestId,
        message,
        status:
          // A caller without the token learns nothing about the model (not its last trigger: who, why, the
          // pipeline's answer), and its model name reaches neither the audit read-back nor the status cache.
          event.outcome === 'unauthorized'
            ? {
                model: event.model,
                cooldownSeconds: config.cooldownSeconds,
                cooldownRemainingSeconds: 0,
                inFlight: false,
                last: null,
              }
            : {
                ...(await status(event.model)),
                // A request holding the model's lock answers after its own work is done: the model is no longer
                // in flight from the caller's point of view (only a refused duplicate sees another request in flight).
                inFlight: event.outcome === 'duplicate' && inFlight.has(event.model),
              },
      },
    };
  }

  async function datasetFor(model: string, untilMs: number): Promise<RetrainDataset | null> {
    if (!options.dataset) return null;
    try {
      return await options.dataset(model, lastTriggered.get(model) ?? null, untilMs);
    } catch (err) {
      log?.warn({ err: (err as Error).message, model }, 'retrain dataset could not be counted');
      return null;
    }
  }

  async function callWebhook(event: RetrainAuditEvent): Promise<RetrainResult> {
    const dataset = await datasetFor(event.model, Date.parse(event.at));
    const call = buildWebhookRequest(config.webhook, {
      model: event.model,
      reason: event.reason,
      requestedBy: event.requestedBy,
      requestId: event.requestId,
      requestedAt: event.at,
      ...(dataset ? { dataset } : {}),
    });
    try {
      const res = await request(call.url, {
        method: call.method,
        headers: call.headers,
        body: call.body,
        headersTimeout: config.webhookTimeoutMs,
        bodyTimeout: config.webhookTimeoutMs,
      });
      const text = (await res.body.text()).slice(0, 300);
      if (!call.okStatus(res.statusCode)) {
        return await finish(
          {
            ...event,
            outcome: 'failed',
            webhookStatus: res.statusCode,
            detail: `pipeline answered ${res.statusCode}: ${text}`,
          },
          502,
          `The pipeline refused the trigger (HTTP ${res.statusCode}).`,
        );
      }
      lastTriggered.set(event.model, Date.parse(event.at));
      return await finish(
        {
          ...event,
          outcome: 'triggered',
          webhookStatus: res.statusCode,
          detail: 'pipeline accepted the trigger',
        },
        202,
        'Retraining pipeline triggered.',
      );
    } catch (err) {
      const timedOut = /timeout/i.test((err as Error).name) || /timeout/i.test((err as Error).message);
      return await finish(
        {
          ...event,
          outcome: 'failed',
          webhookStatus: null,
          detail: `pipeline unreachable: ${(err as Error).message}`,
        },
        timedOut ? 504 : 502,
        timedOut ? 'The pipeline did not answer in time.' : 'The pipeline could not be reached.',
      );
    }
  }

  async function trigger(input: Parameters<RetrainService['trigger']>[0]): Promise<RetrainResult> {
    const at = new Date(now()).toISOString();
    const requestId = randomUUID();
    if (!tokenMatches(input.authorization, config.token)) {
      return finish(
        {
          requestId,
          idempotencyKey: null,
          model: typeof input.model === 'string' ? input.model.slice(0, 200) : '',
          requestedBy: input.requestedBy,
          reason: '',
          at,
          outcome: 'unauthorized',
          webhookStatus: null,
          detail: 'missing or wrong bearer token',
        },
        401,
        'Unauthorized: the retrain token is missing or wrong (check the app plugin settings).',
        '', // never a label value from an unauthenticated caller
      );
    }
    if (typeof input.model !== 'string' || !/^[\w.:/-]{1,200}$/.test(input.model)) {
      throw new HttpError(
        400,
        RETRAIN_ERRORS.badRequest,
        'model: required, 1-200 characters of letters, digits, _ . : / -',
      );
    }
    if (config.models.length > 0 && !config.models.includes(input.model)) {
      throw new HttpError(
        404,
        RETRAIN_ERRORS.unknownModel,
        `model: "${input.model}" is not retrainable here (known: ${config.models.join(', ')})`,
      );
    }
    if (typeof input.reason !== 'string' || input.reason.trim().length < 3) {
      throw new HttpError(
        400,
        RETRAIN_ERRORS.badRequest,
        'reason: required, at least 3 characters (it goes into the audit trail)',
      );
    }
    const model = input.model;
    const reason = input.reason.trim().slice(0, MAX_REASON_CHARS);
    const key = input.idempotencyKey;
    const base: RetrainAuditEvent = {
      requestId,
      idempotencyKey: key,
      model,
      requestedBy: input.requestedBy,
      reason,
      at,
      outcome: 'triggered',
      webhookStatus: null,
      detail: '',
    };

    // Expire old idempotency keys before looking one up.
    for (const [k, v] of byIdempotencyKey)
      if (now() - v.at > config.idempotencyTtlSeconds * 1000) byIdempotencyKey.delete(k);
    if (key) {
      const seen = byIdempotencyKey.get(`${model}\u0000${key}`);
      if (seen) {
        const first = await seen.result;
        const replay = await finish(
          { ...base, outcome: 'duplicate', detail: `replay of request ${first.body.requestId}` },
          first.httpStatus,
          `Already handled (request ${first.body.requestId}): ${first.body.message}`,
        );
        return {
          httpStatus: first.httpStatus,
          body: {
            ...first.body,
            outcome: 'duplicate',
            message: replay.body.message,
            status: replay.body.status,
          },
        };
      }
    }
    if (inFlight.has(model)) {
      return finish(
        { ...base, outcome: 'duplicate', detail: 'a trigger for this model is already in flight' },
        409,
        'A retrain of this model is already being triggered.',
      );
    }

    // The lock: registered synchronously before the first await below, so a concurrent request sees it.
    const run = (async (): Promise<RetrainResult> => {
      await loadLast(model);
      const remaining = cooldownRemaining(model);
      if (remaining > 0) {
        return finish(
          { ...base, outcome: 'cooldown', detail: `cooldown: ${remaining}s remaining` },
          429,
          `Model ${model} was retrained recently; try again in ${remaining}s.`,
        );
      }
      return callWebhook(base);
    })();
    inFlight.set(model, run);
    if (key) byIdempotencyKey.set(`${model}\u0000${key}`, { at: now(), result: run });
    try {
      return await run;
    } finally {
      inFlight.delete(model);
    }
  }

  async function statusRoute(ctx: RequestContext): Promise<void> {
    if (!tokenMatches(ctx.req.headers.authorization, config.token))
      throw new HttpError(401, RETRAIN_ERRORS.unauthorized, 'Unauthorized', { headers: CHALLENGE });
    const model = ctx.query.get('model');
    if (!model) throw new HttpError(400, RETRAIN_ERRORS.badRequest, 'model: query parameter required');
    ctx.send(200, await status(model));
  }

  async function triggerRoute(ctx: RequestContext): Promise<void> {
    const { req } = ctx;
    const parsed = await ctx.readJson({ empty: {}, invalidMessage: () => BODY_NOT_AN_OBJECT });
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new HttpError(400, RETRAIN_ERRORS.badRequest, BODY_NOT_AN_OBJECT);
    // The fields of RetrainRequest, each still to be checked.
    const body = parsed as { [K in keyof RetrainRequest]?: unknown };
    const headerKey = req.headers['idempotency-key'];
    const key =
      (typeof headerKey === 'string' && headerKey) ||
      (typeof body.idempotencyKey === 'string' && body.idempotencyKey) ||
      null;
    const result = await trigger({
      authorization: req.headers.authorization,
      model: body.model,
      reason: body.reason,
      requestedBy: grafanaUser(req, body.requestedBy),
      idempotencyKey: key ? key.slice(0, 200) : null,
    });
    const headers =
      result.body.outcome === 'cooldown'
        ? { 'retry-after': String(result.body.status.cooldownRemainingSeconds) }
        : result.body.outcome === 'unauthorized'
          ? CHALLENGE
          : undefined;
    ctx.send(result.httpStatus, result.body, headers);
  }

  const routes = createHttpHandler({
    codes: RETRAIN_HTTP_CODES,
    maxBodyBytes: MAX_BODY_BYTES,
    jsonHeaders: JSON_HEADERS,
    onError: (err) => log?.warn({ err }, 'retrain request failed'),
    routes: [
      { method: 'POST', path: RETRAIN_PATH, handle: triggerRoute },
      { method: 'GET', path: `${RETRAIN_PATH}/status`, handle: statusRoute },
    ],
  });
  const handle = (req: IncomingMessage, res: ServerResponse): Promise<boolean> => routes.handle(req, res);

  return { handle, trigger, status, close: () => store.close() };
}

/** Runs the retrain endpoint as its own small HTTP server (beside the exporter, or in tests). */
export async function startRetrainService(
  options: RetrainServiceOptions & { host?: string; port?: number },
): Promise<{ url: string; port: number; service: RetrainService; close(): Promise<void> }> {
  const service = createRetrainService(options);
  // The retrain routes mounted on a server of their own, as the exporter mounts them: other paths get a 404.
  const server = createServer(
    createHttpHandler({
      codes: RETRAIN_HTTP_CODES,
      jsonHeaders: JSON_HEADERS,
      mounted: [service.handle],
      routes: [],
      onError: (err) => options.log?.warn({ err }, 'retrain request failed'),
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    service,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
    },
  };
}
