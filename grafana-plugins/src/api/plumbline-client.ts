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
}

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
    return 'Forbidden: your Grafana role may not use this (Editor or above is required to retrain).';
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
  };
}
