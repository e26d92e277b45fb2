/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are asserted field by field */
// The retrain endpoint over real HTTP: a real local webhook server plays GitHub Actions, audit goes to a file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { startWebhookServer, type WebhookServer } from '@plumbline/harness';
import { parseRetrainConfig } from './config';
import { startRetrainService } from './service';
import { testSecret } from '@plumbline/harness';

const TOKEN = testSecret('retrain-endpoint token');
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let webhook: WebhookServer;
let dir: string;
let clock: number;
const services: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  webhook = await startWebhookServer();
});
afterAll(async () => {
  await webhook.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'retrain-'));
  webhook.calls.length = 0;
  webhook.respondWith(204);
  clock = Date.parse('2026-11-23T10:00:00Z');
});
afterEach(async () => {
  while (services.length) await services.pop()!.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(overrides: Record<string, unknown> = {}) {
  const registry = new Registry();
  const config = parseRetrainConfig({
    token: TOKEN,
    cooldownSeconds: 600,
    webhook: {
      kind: 'github',
      baseUrl: webhook.url,
      owner: 'acme',
      repo: 'models',
      workflow: 'retrain.yml',
      token: 'ghp_x',
    },
    audit: { file: join(dir, 'audit.jsonl') },
    ...overrides,
  });
  const svc = await startRetrainService({ config, registry, now: () => clock });
  services.push(svc);
  return { ...svc, registry };
}

async function post(url: string, body: unknown, headers: Record<string, string> = auth) {
  const res = await request(`${url}/api/retrain`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as any };
}

async function counterValue(registry: Registry, outcome: string): Promise<number> {
  const metric = await registry.getSingleMetric('plumbline_retrain_requests_total')!.get();
  return metric.values.filter((v) => v.labels.outcome === outcome).reduce((s, v) => s + v.value, 0);
}

it('triggers the pipeline once with who, why and model, and records the audit event', async () => {
  const svc = await start();
  const res = await post(
    svc.url,
    { model: 'iris', reason: 'drift on petal_length' },
    { ...auth, 'x-grafana-user': 'alice' },
  );
  expect(res.status).toBe(202);
  // Regression: the answer said inFlight: true (its own lock), so the panel kept showing "Triggering…".
  expect(res.body).toMatchObject({
    outcome: 'triggered',
    status: { model: 'iris', cooldownRemainingSeconds: 600, inFlight: false },
  });
  expect(webhook.calls).toHaveLength(1);
  expect(webhook.calls[0].path).toBe('/repos/acme/models/actions/workflows/retrain.yml/dispatches');
  expect(webhook.calls[0].headers.authorization).toBe('Bearer ghp_x');
  expect(JSON.parse(webhook.calls[0].body).inputs).toMatchObject({ model: 'iris', requested_by: 'alice' });
  const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(audit).toEqual([
    expect.objectContaining({
      model: 'iris',
      requestedBy: 'alice',
      reason: 'drift on petal_length',
      outcome: 'triggered',
      webhookStatus: 204,
    }),
  ]);
  expect(await counterValue(svc.registry, 'triggered')).toBe(1);
});

it('tells a caller without the token nothing about the model: no last trigger, who or why (regression: the 401 carried them)', async () => {
  const svc = await start();
  const ok = await post(svc.url, { model: 'iris', reason: 'drift on petal_length', requestedBy: 'alice' });
  expect(ok.status).toBe(202);
  const refused = await post(
    svc.url,
    { model: 'iris', reason: 'x' },
    { authorization: 'Bearer wrong', 'content-type': 'application/json' },
  );
  expect(refused.status).toBe(401);
  expect(refused.body.outcome).toBe('unauthorized');
  expect(refused.body.status).toEqual({
    model: 'iris',
    cooldownSeconds: 600,
    cooldownRemainingSeconds: 0,
    inFlight: false,
    last: null,
  });
  expect(JSON.stringify(refused.body)).not.toMatch(/alice|petal_length|pipeline accepted/);
});

it('refuses a missing or wrong token without calling the pipeline', async () => {
  const svc = await start();
  const none = await post(
    svc.url,
    { model: 'iris', reason: 'drift' },
    { 'content-type': 'application/json' },
  );
  const wrong = await post(
    svc.url,
    { model: 'iris', reason: 'drift' },
    { authorization: `Bearer ${TOKEN}x` },
  );
  expect([none.status, wrong.status]).toEqual([401, 401]);
  expect(webhook.calls).toHaveLength(0);
  expect(await counterValue(svc.registry, 'unauthorized')).toBe(2);
  const status = await request(`${svc.url}/api/retrain/status?model=iris`);
  expect(status.statusCode).toBe(401);
  await status.body.dump();
});

it('enforces the cooldown per model, with Retry-After, and it survives a restart', async () => {
  const first = await start();
  expect((await post(first.url, { model: 'iris', reason: 'weekly refresh' })).status).toBe(202);
  clock += 60_000;
  const again = await post(first.url, { model: 'iris', reason: 'once more' });
  expect(again.status).toBe(429);
  expect(again.headers['retry-after']).toBe('540');
  expect(again.body.outcome).toBe('cooldown');
  expect((await post(first.url, { model: 'churn', reason: 'other model' })).status).toBe(202);
  expect(webhook.calls).toHaveLength(2);

  const restarted = await start(); // same audit file: the cooldown is read back from the trail
  expect((await post(restarted.url, { model: 'iris', reason: 'after restart' })).status).toBe(429);
  clock += 541_000;
  expect((await post(restarted.url, { model: 'iris', reason: 'cooldown over' })).status).toBe(202);
  expect(webhook.calls).toHaveLength(3);
});

it('answers a repeated Idempotency-Key with the first result and no second trigger', async () => {
  const svc = await start({ cooldownSeconds: 0 });
  const headers = { ...auth, 'idempotency-key': 'click-42' };
  const a = await post(svc.url, { model: 'iris', reason: 'drift' }, headers);
  const b = await post(svc.url, { model: 'iris', reason: 'drift' }, headers);
  expect(a.status).toBe(202);
  expect(b.status).toBe(202);
  expect(b.body).toMatchObject({ outcome: 'duplicate', requestId: a.body.requestId });
  expect(webhook.calls).toHaveLength(1);
  expect(await counterValue(svc.registry, 'duplicate')).toBe(1);
});

it('lets only one of two concurrent clicks through while the first is in flight', async () => {
  const svc = await start({ cooldownSeconds: 0 });
  webhook.respondWith(204, 300);
  const [a, b] = await Promise.all([
    post(svc.url, { model: 'iris', reason: 'first click' }),
    post(svc.url, { model: 'iris', reason: 'second click' }),
  ]);
  expect([a.status, b.status].sort()).toEqual([202, 409]);
  expect((a.status === 409 ? a : b).body.status.inFlight).toBe(true);
  expect(webhook.calls).toHaveLength(1);
});

it('reports a refused or unreachable pipeline as failed and does not start the cooldown', async () => {
  const svc = await start();
  webhook.respondWith(422);
  const refused = await post(svc.url, { model: 'iris', reason: 'drift' });
  expect(refused.status).toBe(502);
  expect(refused.body).toMatchObject({ outcome: 'failed', status: { cooldownRemainingSeconds: 0 } });
  expect(refused.body.status.last).toMatchObject({ outcome: 'failed', webhookStatus: 422 });

  webhook.respondWith(204, 1500);
  const slow = await start({ webhookTimeoutMs: 200 });
  const timedOut = await post(slow.url, { model: 'iris', reason: 'drift' });
  expect(timedOut.status).toBe(504);
  expect(timedOut.body.outcome).toBe('failed');
  expect(await counterValue(svc.registry, 'failed')).toBe(1);
});

it('reports status for the panel: cooldown remaining, in flight and the last trigger', async () => {
  const svc = await start();
  const empty = await request(`${svc.url}/api/retrain/status?model=iris`, { headers: auth });
  expect(await empty.body.json()).toEqual({
    model: 'iris',
    cooldownSeconds: 600,
    cooldownRemainingSeconds: 0,
    inFlight: false,
    last: null,
  });
  await post(
    svc.url,
    { model: 'iris', reason: 'drift' },
    { ...auth, 'x-grafana-context': JSON.stringify({ Login: 'bob' }) },
  );
  clock += 100_000;
  const res = await request(`${svc.url}/api/retrain/status?model=iris`, { headers: auth });
  const body = (await res.body.json()) as any;
  expect(body).toMatchObject({
    cooldownRemainingSeconds: 500,
    inFlight: false,
    last: { requestedBy: 'bob', reason: 'drift', outcome: 'triggered' },
  });
});

it('rejects bad input with a clear message and triggers nothing', async () => {
  const svc = await start({ models: ['iris'] });
  const cases = [
    [{ reason: 'drift' }, 400, /^model: required/],
    [{ model: 'iris' }, 400, /^reason: required/],
    [{ model: 'fraud', reason: 'drift' }, 404, /not retrainable here \(known: iris\)/],
  ] as const;
  for (const [body, status, message] of cases) {
    const res = await post(svc.url, body);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toMatch(message);
    expect(res.body.error.code).toMatch(/^EXPORTER_ERR_RETRAIN_(BAD_REQUEST|UNKNOWN_MODEL)$/);
  }
  const notJson = await request(`${svc.url}/api/retrain`, { method: 'POST', headers: auth, body: '[1,2' });
  expect(notJson.statusCode).toBe(400);
  expect(((await notJson.body.json()) as any).error.message).toMatch(/expected a JSON object/);
  expect(webhook.calls).toHaveLength(0);
});
