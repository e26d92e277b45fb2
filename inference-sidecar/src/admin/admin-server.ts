/**
 * The admin server (its own port, never the proxy's): GET /metrics (Prometheus text from the injected registry,
 * then the process metrics, see AdminDeps.processMetrics),
 * GET /healthz (the process is alive), GET /readyz (the upstream answers), POST /feedback (ground truth).
 * With an API token, POST /feedback needs it as a bearer token (and /metrics too with requireTokenForReads);
 * the probes stay open.
 * Routing, 404 / 405, the body limit and 500s go through service-kit's createHttpHandler with the SIDECAR_ERR_*
 * codes (docs/errors.md).
 */
import { createServer, type Server } from 'node:http';
import { createHttpHandler, HttpError, type RequestContext } from '@plumbline/service-kit';
import { isHumanFeedback } from '@plumbline/schema';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { EventPipeline } from '../capture/capture';
import { SIDECAR_ERRORS, type SidecarErrorCode } from '../errors';
import type { SidecarMetrics } from '../metrics/sidecar-metrics';
import { parseJson } from '../protocols/json';
import { parseFeedback } from './feedback';

export const MAX_FEEDBACK_BODY_BYTES = 4 * 1024 * 1024;

export interface AdminDeps {
  registry: Registry;
  metrics: SidecarMetrics;
  pipeline: EventPipeline;
  logger: Logger;
  /** The API token writes need; undefined: open. */
  apiToken?: string;
  /** /metrics needs the token too. @default false */
  requireTokenForReads?: boolean;
  /** Resolves true when the upstream answers its health path. */
  upstreamReady(): Promise<{ ready: boolean; detail: string }>;
  /**
   * Prometheus text of the process metrics (SIDECAR_PROCESS_METRICS), appended to the registry's on /metrics;
   * '' when there are none to add. They are collected on the proxy thread, which may not be this one (app.ts).
   */
  processMetrics?(): Promise<string>;
}

/** An error the admin port answers as it is, with the status docs/errors.md gives its code. */
function sidecarHttpError(code: SidecarErrorCode, message: string): HttpError {
  return new HttpError(SIDECAR_ERRORS[code].status, code, message);
}

export function createAdminServer(deps: AdminDeps): Server {
  const handler = createHttpHandler({
    codes: {
      notFound: 'SIDECAR_ERR_NOT_FOUND',
      methodNotAllowed: 'SIDECAR_ERR_METHOD',
      // POST /feedback is the only route with a body: its codes are the admin port's body codes.
      badRequest: 'SIDECAR_ERR_FEEDBACK_INVALID',
      tooLarge: 'SIDECAR_ERR_FEEDBACK_TOO_LARGE',
      unauthorized: 'SIDECAR_ERR_UNAUTHORIZED',
      internal: 'SIDECAR_ERR_INTERNAL',
    } satisfies Record<string, SidecarErrorCode>,
    maxBodyBytes: MAX_FEEDBACK_BODY_BYTES,
    auth: { token: deps.apiToken, reads: deps.requireTokenForReads },
    onError: (err) => deps.logger.error({ err, code: 'SIDECAR_ERR_INTERNAL' }, 'admin request failed'),
    routes: [
      {
        method: 'GET',
        path: '/metrics',
        handle: async (ctx) => {
          const [own, process] = await Promise.all([deps.registry.metrics(), deps.processMetrics?.() ?? '']);
          ctx.sendText(200, deps.registry.contentType, process ? `${own}\n${process}` : own);
        },
      },
      { method: 'GET', path: '/healthz', auth: 'public', handle: (ctx) => ctx.send(200, { status: 'ok' }) },
      {
        method: 'GET',
        path: '/readyz',
        auth: 'public',
        handle: async (ctx) => {
          const { ready, detail } = await deps.upstreamReady();
          ctx.send(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', upstream: detail });
        },
      },
      { method: 'POST', path: '/feedback', handle: (ctx) => feedback(ctx, deps) },
    ],
  });
  return createServer(handler);
}

async function feedback(ctx: RequestContext, deps: AdminDeps): Promise<void> {
  const doc = await ctx.readJson({
    parse: parseJson,
    invalidMessage: (detail) => `(root): not JSON: ${detail}`,
  });
  const parsed = parseFeedback(doc);
  if (!parsed.ok) throw sidecarHttpError('SIDECAR_ERR_FEEDBACK_INVALID', parsed.error);
  deps.pipeline.submitFeedback(parsed.events);
  // Per model and version as the feedback names them ("" when it names no version).
  const byModel = new Map<string, { model: string; version: string; n: number; human: number }>();
  for (const e of parsed.events) {
    const model = e.model?.name ?? 'unknown';
    const version = e.model?.version ?? '';
    const key = `${model}\u0000${version}`;
    const held = byModel.get(key) ?? { model, version, n: 0, human: 0 };
    held.n += 1;
    // A human label (the humanLabels retrain trigger): a review confirming or correcting, or a label a person posted
    // with `source: "human"`; a reject or a retract takes a label away.
    if (isHumanFeedback(e) && e.action !== 'reject' && e.action !== 'retract') held.human += 1;
    byModel.set(key, held);
  }
  for (const { model, version, n, human } of byModel.values()) {
    deps.metrics.feedback(model, version, n);
    if (human > 0) deps.metrics.humanLabels(model, version, human);
  }
  ctx.send(202, { accepted: parsed.events.length, event_ids: parsed.events.map((e) => e.event_id) });
}
