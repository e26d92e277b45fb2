/**
 * The exporter's HTTP surface, a route table on service-kit's createHttpHandler: GET /metrics, GET /api/health,
 * GET /api/models, GET /api/models/:model/drift, /api/models/:model/confusion-matrix,
 * /api/models/:model/histograms, /api/models/:model/versions (+ /compare?a=&b=), /api/models/:model/shadow,
 * /api/models/:model/segments, and
 * the review queue's routes (exporter/src/review/routes.ts). Shapes are documented in exporter/README.md; errors are
 * `{ "error": { "code": "EXPORTER_ERR_…", "message" } }` (docs/errors.md).
 *
 * Other modules mount their own routes through `extraHandlers` (the retrain endpoint does): each handler is
 * asked in turn and resolves true when it answered the request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  createHttpHandler,
  HttpError,
  type HttpAuth,
  type RequestContext,
  type Route,
} from '@plumbline/service-kit';
import type { Registry } from 'prom-client';
import type { ExporterErrorCode } from '../errors';
import type { ShadowReport } from '../service/shadow-report';
import { versionCounts, type SliceFigures, type SlicesReport } from '../service/evaluate-slices';
import { compareVersions } from '../versions';
import type { EstimatedQualityReport, ModelWindowReport } from '../service/report';

/** Resolves true when it handled (answered) the request, false to pass it on. */
export type ExtraHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean;

export interface ApiState {
  /** Newest last. */
  history(model: string): readonly ModelWindowReport[];
  models(): string[];
  health(): HealthBody;
  /** The model's latest versions and segments (null: not evaluated yet, or neither is kept). */
  slices?(model: string): SlicesReport | null;
  /** The model's latest shadow comparison (null: not evaluated yet, or no shadow rows in the window). */
  shadow?(model: string): ShadowReport | null;
  /** The comparison's settings (`versions.minimumSamples`, `versions.alpha`). */
  compare?: { minimumSamples: number; alpha: number };
}

export interface HealthBody {
  status: 'ok' | 'degraded' | 'starting';
  source: string;
  models: {
    model: string;
    status: string | null;
    /** False when another exporter of the Kafka consumer group evaluates this model. */
    owned: boolean;
    lastEvaluatedAt: string | null;
    lastSuccessAt: string | null;
    lastError: string | null;
  }[];
}

export interface ApiServerOptions {
  registry: Registry;
  state: ApiState;
  extraHandlers?: readonly ExtraHandler[];
  /** More routes under the same auth (the review queue, exporter/src/review/routes.ts). */
  routes?: readonly Route[];
  /**
   * The API token: every route that is not a GET needs it (none today; the next write gets the check by being a
   * route), GETs too with `reads`. Mounted handlers (the retrain endpoint) check their own. @default open
   */
  auth?: HttpAuth;
  /** Gets every error answered with 500 (the client sees only the code and a generic message). @default stderr */
  onError?: (err: unknown) => void;
}

/** Error codes of the exporter's HTTP API (docs/errors.md). */
export const API_ERRORS = {
  notFound: 'EXPORTER_ERR_NOT_FOUND',
  methodNotAllowed: 'EXPORTER_ERR_METHOD',
  /** A path that is not valid percent-encoding (`/api/models/%E0/drift`). */
  badRequest: 'EXPORTER_ERR_BAD_REQUEST',
  unauthorized: 'EXPORTER_ERR_UNAUTHORIZED',
  internal: 'EXPORTER_ERR_INTERNAL',
} as const satisfies Record<string, ExporterErrorCode>;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function notFound(message: string): HttpError {
  return new HttpError(404, API_ERRORS.notFound, message);
}

function logToStderr(err: unknown): void {
  process.stderr.write(
    `plumbline exporter: request failed: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
}

function summary(r: ModelWindowReport): Record<string, unknown> {
  return {
    window: r.window,
    evaluatedAt: r.evaluatedAt,
    status: r.status,
    reason: r.reason,
    samples: r.samples,
    sampling: r.sampling,
    coveredFrom: r.coveredFrom,
    modelVersion: r.modelVersion,
    modelVersions: r.modelVersions,
    driftShare: r.drift?.dataset.driftShare ?? null,
    drift: r.drift?.dataset.drift ?? null,
    driftedFeatures: r.drift?.features.filter((f) => f.drift).map((f) => f.name) ?? [],
  };
}

function driftBody(model: string, history: readonly ModelWindowReport[], limit: number): unknown {
  const latest = history[history.length - 1];
  return {
    model,
    latest: {
      ...summary(latest),
      minimumSamples: latest.minimumSamples,
      baselineVersion: latest.baselineVersion,
      features: (latest.drift?.features ?? []).map((f) => ({
        name: f.name,
        type: f.type,
        n: f.n,
        missing: f.missing,
        tests: f.tests,
        drift: f.drift,
      })),
      summaries: latest.summaries,
      dataQuality: latest.dataQuality,
      multivariate: latest.multivariate,
      quality: latest.quality && {
        predictions: latest.quality.predictions,
        labelled: latest.quality.labelled,
        accuracy: latest.quality.classification?.accuracy ?? null,
        f1Macro: latest.quality.classification?.f1Macro ?? null,
        f1Micro: latest.quality.classification?.f1Micro ?? null,
        mae: latest.quality.regression?.mae ?? null,
        rmse: latest.quality.regression?.rmse ?? null,
        labelDelaySeconds: latest.quality.labelDelaySeconds,
        lowConfidenceShare: latest.quality.lowConfidenceShare,
        predictionShare: latest.quality.predictionShare,
        ...(latest.quality.sampled !== undefined
          ? { sampled: latest.quality.sampled, samplingRate: latest.quality.samplingRate }
          : {}),
      },
      qualityByPredictionTime: latest.qualityByPredictionTime ?? null,
      estimatedQuality: estimatedBody(latest.estimatedQuality ?? null),
      qualityBaseline: latest.qualityBaseline ?? null,
    },
    history: history.slice(-limit).map(summary),
  };
}

/** Issue #11: the label-free estimate beside the realized figures (docs/quality.md); null without one. */
function estimatedBody(e: EstimatedQualityReport | null): unknown {
  return (
    e && {
      rows: e.rows,
      skippedRows: e.skippedRows,
      calibration: e.calibration,
      accuracy: e.accuracy,
      accuracyBand: e.accuracyBand,
      precisionMacro: e.precisionMacro,
      precisionMacroBand: e.precisionMacroBand,
      recallMacro: e.recallMacro,
      recallMacroBand: e.recallMacroBand,
      f1Macro: e.f1Macro,
      f1MacroBand: e.f1MacroBand,
      perClass: e.perClass,
    }
  );
}

function confusionBody(model: string, latest: ModelWindowReport): unknown {
  const q = latest.quality;
  const e = latest.estimatedQuality ?? null;
  return {
    model,
    modelVersion: latest.modelVersion,
    window: latest.window,
    status: latest.status,
    labelled: q?.labelled ?? 0,
    labels: q?.confusionMatrix?.labels ?? [],
    /** counts[actual][predicted] */
    counts: q?.confusionMatrix?.counts ?? [],
    perClass: q?.classification?.perClass ?? {},
    accuracy: q?.classification?.accuracy ?? null,
    /** The estimated matrix (expected rows, fractional), shown when no labels exist and beside the realized one. */
    estimated: e && {
      labels: e.confusionMatrix.labels,
      counts: e.confusionMatrix.counts,
      rows: e.rows,
      accuracy: e.accuracy,
      accuracyBand: e.accuracyBand,
    },
  };
}

function histogramsBody(model: string, latest: ModelWindowReport, feature: string | null): unknown {
  const features = (latest.drift?.features ?? [])
    .filter((f) => feature === null || f.name === feature)
    .map((f) => ({ name: f.name, type: f.type, drift: f.drift, histogram: f.histogram ?? null }));
  return { model, modelVersion: latest.modelVersion, window: latest.window, status: latest.status, features };
}

function sliceBody(f: SliceFigures): Record<string, unknown> {
  const { key, ...rest } = f;
  return key.kind === 'version'
    ? { version: key.version, ...rest }
    : { feature: key.feature, segment: key.value, ...rest };
}

export function createApiServer(options: ApiServerOptions): Server {
  const { registry, state } = options;

  /** The model's history, newest last; 404 when the model is not configured or not evaluated yet. */
  function evaluated(ctx: RequestContext): { model: string; history: readonly ModelWindowReport[] } {
    const { model } = ctx.params;
    if (!state.models().includes(model)) throw notFound(`model ${model} is not configured`);
    const history = state.history(model);
    if (history.length === 0) throw notFound(`model ${model} has not been evaluated yet`);
    return { model, history };
  }
  const latestOf = (history: readonly ModelWindowReport[]) => history[history.length - 1];

  /** The model's latest slices; 404 when the model is not configured or its slices were not evaluated yet. */
  function slicesOf(ctx: RequestContext): SlicesReport {
    const { model } = ctx.params;
    if (!state.models().includes(model)) throw notFound(`model ${model} is not configured`);
    const report = state.slices?.(model) ?? null;
    if (!report) throw notFound(`model ${model} has no versions or segments evaluated yet`);
    return report;
  }

  const handler = createHttpHandler({
    codes: API_ERRORS,
    jsonHeaders: JSON_HEADERS,
    mounted: options.extraHandlers,
    auth: options.auth,
    onError: (err) => (options.onError ?? logToStderr)(err),
    routes: [
      {
        method: 'GET',
        path: '/metrics',
        handle: async (ctx) => ctx.sendText(200, registry.contentType, await registry.metrics()),
      },
      {
        method: 'GET',
        path: '/api/health',
        handle: (ctx) => {
          const health = state.health();
          ctx.send(health.status === 'degraded' ? 503 : 200, health);
        },
      },
      {
        method: 'GET',
        path: '/api/models',
        handle: (ctx) =>
          ctx.send(200, {
            models: state.models().map((model) => {
              const h = state.history(model);
              return { model, latest: h.length ? summary(h[h.length - 1]) : null };
            }),
          }),
      },
      {
        method: 'GET',
        path: '/api/models/:model/drift',
        handle: (ctx) => {
          const { model, history } = evaluated(ctx);
          const limit = Math.max(1, Math.min(10_000, Number(ctx.query.get('limit') ?? '100') || 100));
          ctx.send(200, driftBody(model, history, limit));
        },
      },
      {
        method: 'GET',
        path: '/api/models/:model/confusion-matrix',
        handle: (ctx) => {
          const { model, history } = evaluated(ctx);
          ctx.send(200, confusionBody(model, latestOf(history)));
        },
      },
      {
        method: 'GET',
        path: '/api/models/:model/histograms',
        handle: (ctx) => {
          const { model, history } = evaluated(ctx);
          ctx.send(200, histogramsBody(model, latestOf(history), ctx.query.get('feature')));
        },
      },
      ...(options.routes ?? []),
      {
        method: 'GET',
        path: '/api/models/:model/versions',
        handle: (ctx) => {
          const r = slicesOf(ctx);
          ctx.send(200, {
            model: r.model,
            window: r.window,
            evaluatedAt: r.evaluatedAt,
            versions: r.versions.map(sliceBody),
            comparisons: r.comparisons,
            // Shadow traffic against the primary, per (modelVersion, shadowVersion): /api/models/{m}/shadow in full.
            shadow: state.shadow?.(r.model)?.agreements ?? [],
          });
        },
      },
      {
        method: 'GET',
        path: '/api/models/:model/shadow',
        handle: (ctx) => {
          const { model } = ctx.params;
          if (!state.models().includes(model)) throw notFound(`model ${model} is not configured`);
          const report = state.shadow?.(model) ?? null;
          if (!report) throw notFound(`model ${model} has no shadow rows in its latest window`);
          ctx.send(200, report);
        },
      },
      {
        method: 'GET',
        path: '/api/models/:model/versions/compare',
        handle: (ctx) => {
          const r = slicesOf(ctx);
          const a = ctx.query.get('a');
          const b = ctx.query.get('b');
          if (!a || !b)
            throw new HttpError(
              400,
              API_ERRORS.badRequest,
              'give the two versions to compare: ?a=<version>&b=<version>',
            );
          const find = (v: string) => {
            const f = r.versions.find((x) => x.key.kind === 'version' && x.key.version === v);
            if (!f)
              throw notFound(
                `version ${v} of model ${r.model} has no rows in the window (versions: ${r.versions.map((x) => (x.key.kind === 'version' ? x.key.version : '')).join(', ') || 'none'})`,
              );
            return f;
          };
          const comparison = compareVersions(versionCounts(find(a)), versionCounts(find(b)), state.compare);
          ctx.send(200, { model: r.model, window: r.window, evaluatedAt: r.evaluatedAt, ...comparison });
        },
      },
      {
        method: 'GET',
        path: '/api/models/:model/segments',
        handle: (ctx) => {
          const r = slicesOf(ctx);
          const feature = ctx.query.get('feature');
          ctx.send(200, {
            model: r.model,
            window: r.window,
            evaluatedAt: r.evaluatedAt,
            segments: r.segments
              .filter((g) => feature === null || (g.key.kind === 'segment' && g.key.feature === feature))
              .map(sliceBody),
          });
        },
      },
    ],
  });
  return createServer(handler);
}
