// The retrain endpoint mounted in the exporter's own HTTP server (createApiServer's extraHandlers), as
// `plumbline exporter` mounts it: one port serves /api/retrain, the exporter's /api and /metrics with the counter.
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { startWebhookServer, testSecret } from '@plumbline/harness';
import { createApiServer } from '../api';
import { parseRetrainConfig } from './config';
import { createRetrainService } from './service';

const TOKEN = testSecret('mounted retrain token');

it('answers /api/retrain beside the exporter routes and counts outcomes on the exporter registry', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'retrain-mounted-'));
  const webhook = await startWebhookServer();
  const registry = new Registry();
  const retrain = createRetrainService({
    registry,
    config: parseRetrainConfig({
      token: TOKEN,
      webhook: { kind: 'generic', url: `${webhook.url}/hook` },
      audit: { file: join(dir, 'audit.jsonl') },
    }),
  });
  const server = createApiServer({
    registry,
    state: {
      models: () => [],
      history: () => [],
      health: () => ({ status: 'ok', source: 'test', models: [] }),
    },
    extraHandlers: [retrain.handle],
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const res = await request(`${base}/api/retrain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'x-grafana-user': 'dana' },
      body: JSON.stringify({ model: 'iris', reason: 'recall of virginica fell' }),
    });
    expect(res.statusCode).toBe(202);
    await res.body.dump();
    const health = await request(`${base}/api/health`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    const metrics = await (await request(`${base}/metrics`)).body.text();
    expect(metrics).toContain('plumbline_retrain_requests_total{model="iris",outcome="triggered"} 1');
    expect(webhook.calls).toHaveLength(1);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await retrain.close();
    await webhook.close();
    await rm(dir, { recursive: true, force: true });
  }
});
