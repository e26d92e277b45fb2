/**
 * The panels' only door to HTTP: Grafana's backend (`getBackendSrv().fetch`) and the app plugin's proxy routes,
 * so the retrain token never reaches the browser and no panel option can point requests elsewhere. Panels take a
 * `PlumblineClient` so tests can hand them a recording one.
 */
import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';
// The retrain endpoint's bodies, as the exporter defines them (a types-only entry: nothing of node in the bundle).
import type { RetrainRequest, RetrainResponse, RetrainStatus } from '@plumbline/exporter/retrain-types';
import { PROXY_BASE } from '../constants';
import type { ReviewQueryInput, ReviewQueuePage, ReviewRequest, ReviewResult } from '../review/types';

export interface PlumblineClient {
  retrainStatus(model: string): Promise<RetrainStatus>;
  triggerRetrain(input: {
    model: string;
    reason: string;
    idempotencyKey: string;
    requestedBy: string;
  }): Promise<RetrainResponse>;
  /** GET `<exporterUrl>/<path>` through the proxy route; `path` is relative (e.g. `api/drift?model=iris`). */
  exporterGet(path: string): Promise<unknown>;
  /** GET the model's review queue through the `models/*` route (exporter `GET /api/models/{model}/review`). */
  reviewQueue(model: string, query: ReviewQueryInput): Promise<ReviewQueuePage>;
  /** POST a review through the `models/*` route (Editor role; Grafana adds the token and X-Grafana-User). */
  review(model: string, body: ReviewRequest): Promise<ReviewResult>;
}

/** `?limit=50&before=…&class=…&maxConfidence=…`, leaving out what is unset. */
export function reviewQueryString(query: ReviewQueryInput): string {
  const q = new URLSearchParams({ limit: String(query.limit) });
  if (query.before) {
    q.set('before', query.before);
  }
  if (query.class) {
    q.set('class', query.class);
  }
  if (query.maxConfidence !== undefined && query.maxConfidence > 0) {
    q.set('maxConfidence', String(query.maxConfidence));
  }
  return q.toString();
}

const reviewPath = (model: string) => `${PROXY_BASE}/models/${encodeURIComponent(model)}/review`;

/** An HTTP failure with the server's message, ready to show. */
export class PlumblineHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown
  ) {
    super(message);
    this.name = 'PlumblineHttpError';
  }
}

function messageOf(status: number, data: unknown): string {
  if (data && typeof data === 'object') {
    const d = data as { message?: unknown; error?: unknown };
    if (typeof d.message === 'string' && d.message) {
      return d.message;
    }
    if (typeof d.error === 'string' && d.error) {
      return d.error;
    }
    // Plumbline's coded errors: { error: { code, message } } (docs/errors.md).
    const e = d.error as { code?: unknown; message?: unknown } | undefined;
    if (e && typeof e.message === 'string') {
      return typeof e.code === 'string' ? `${e.message} (${e.code})` : e.message;
    }
  }
  if (status === 403) {
    return 'Forbidden: your Grafana role may not use this (Editor or above is required to retrain or review).';
  }
  if (status === 502) {
    return 'Grafana could not reach the Plumbline service (check the URL in the app plugin settings).';
  }
  return `Request failed with HTTP ${status}.`;
}

async function call<T>(options: {
  url: string;
  method: 'GET' | 'POST';
  data?: unknown;
  headers?: Record<string, string>;
}): Promise<T> {
  try {
    const res = await lastValueFrom(
      getBackendSrv().fetch<T>({ ...options, showErrorAlert: false, showSuccessAlert: false })
    );
    return res.data;
  } catch (err) {
    if (isFetchError(err)) {
      // The retrain endpoint answers 429 / 409 / 502 with a full RetrainResponse body: keep it.
      throw new PlumblineHttpError(err.status, messageOf(err.status, err.data), err.data);
    }
    throw err;
  }
}

export function createGrafanaClient(): PlumblineClient {
  return {
    retrainStatus: (model) =>
      call<RetrainStatus>({ url: `${PROXY_BASE}/retrain/status?model=${encodeURIComponent(model)}`, method: 'GET' }),
    triggerRetrain: ({ model, reason, idempotencyKey, requestedBy }) => {
      const data: RetrainRequest = { model, reason, idempotencyKey, requestedBy };
      return call<RetrainResponse>({
        url: `${PROXY_BASE}/retrain`,
        method: 'POST',
        data,
        headers: { 'Idempotency-Key': idempotencyKey },
      });
    },
    exporterGet: (path) => call<unknown>({ url: `${PROXY_BASE}/exporter/${path.replace(/^\/+/, '')}`, method: 'GET' }),
    reviewQueue: (model, query) =>
      call<ReviewQueuePage>({ url: `${reviewPath(model)}?${reviewQueryString(query)}`, method: 'GET' }),
    review: (model, body) => call<ReviewResult>({ url: reviewPath(model), method: 'POST', data: body }),
  };
}
