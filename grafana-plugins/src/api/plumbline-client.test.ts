import { of, throwError } from 'rxjs';
import { setBackendSrv, type BackendSrv } from '@grafana/runtime';
import { createGrafanaClient, PlumblineHttpError } from './plumbline-client';

function backend(respond: (req: { url: string; method?: string; data?: unknown }) => unknown): { calls: unknown[] } {
  const calls: unknown[] = [];
  setBackendSrv({
    fetch: (req: { url: string; method?: string; data?: unknown }) => {
      calls.push(req);
      const out = respond(req);
      return out instanceof Error || (out as { status?: number }).status
        ? throwError(() => out)
        : of({ data: out, status: 200 });
    },
  } as unknown as BackendSrv);
  return { calls };
}

describe('createGrafanaClient', () => {
  it('sends everything to the app proxy routes, never to a configured URL', async () => {
    const { calls } = backend(() => ({ ok: true }));
    const client = createGrafanaClient();
    await client.retrainStatus('iris v2');
    await client.triggerRetrain({ model: 'iris', reason: 'drift', idempotencyKey: 'k1', requestedBy: 'alice' });
    await client.exporterGet('/api/models/iris/drift');
    expect(calls).toEqual([
      expect.objectContaining({
        url: 'api/plugin-proxy/plumbline-mlobservability-app/retrain/status?model=iris%20v2',
        method: 'GET',
      }),
      expect.objectContaining({
        url: 'api/plugin-proxy/plumbline-mlobservability-app/retrain',
        method: 'POST',
        data: { model: 'iris', reason: 'drift', idempotencyKey: 'k1', requestedBy: 'alice' },
        headers: { 'Idempotency-Key': 'k1' },
        showErrorAlert: false,
      }),
      expect.objectContaining({ url: 'api/plugin-proxy/plumbline-mlobservability-app/exporter/api/models/iris/drift' }),
    ]);
  });

  it('sends the review queue and reviews to the models/* route, with only the query parts that are set', async () => {
    const { calls } = backend(() => ({ items: [], next: null }));
    const client = createGrafanaClient();
    await client.reviewQueue('iris v2', { limit: 50 });
    await client.reviewQueue('iris', { limit: 10, before: 'c/1', class: 'setosa', maxConfidence: 0.6 });
    await client.review('iris', { request_id: 'r1', row: 0, action: 'correct', label: 'virginica' });
    expect(calls).toEqual([
      expect.objectContaining({
        url: 'api/plugin-proxy/plumbline-mlobservability-app/models/iris%20v2/review?limit=50',
        method: 'GET',
      }),
      expect.objectContaining({
        url: 'api/plugin-proxy/plumbline-mlobservability-app/models/iris/review?limit=10&before=c%2F1&class=setosa&maxConfidence=0.6',
      }),
      expect.objectContaining({
        url: 'api/plugin-proxy/plumbline-mlobservability-app/models/iris/review',
        method: 'POST',
        data: { request_id: 'r1', row: 0, action: 'correct', label: 'virginica' },
      }),
    ]);
  });

  it('turns Grafana fetch errors into messages a person can act on, keeping the body', async () => {
    const body = { outcome: 'cooldown', message: 'Model iris was retrained recently; try again in 540s.' };
    backend(() => ({ status: 429, data: body }));
    const err = await createGrafanaClient()
      .retrainStatus('iris')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlumblineHttpError);
    expect(err).toMatchObject({ status: 429, message: body.message, body });

    backend(() => ({
      status: 400,
      data: { error: { code: 'EXPORTER_ERR_RETRAIN_BAD_REQUEST', message: 'reason: required' } },
    }));
    await expect(createGrafanaClient().retrainStatus('iris')).rejects.toThrow(
      'reason: required (EXPORTER_ERR_RETRAIN_BAD_REQUEST)'
    );
    backend(() => ({ status: 403, data: { message: '' } }));
    await expect(createGrafanaClient().retrainStatus('iris')).rejects.toThrow(/Editor or above is required/);
  });
});
