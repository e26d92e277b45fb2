// The retrain audit trail in a real Elasticsearch (the harness's shared node): every attempt is a document with
// who / when / why / model / outcome, and a second service instance reads the cooldown back from the index.
import { Client } from '@elastic/elasticsearch';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { sharedElasticsearch, startWebhookServer, type WebhookServer } from '@plumbline/harness';
import { parseRetrainConfig } from './config';
import { startRetrainService } from './service';
import type { RetrainAuditEvent } from './types';
import { testSecret } from '@plumbline/harness';

const TOKEN = testSecret('retrain-elasticsearch token');
const headers = {
  authorization: `Bearer ${TOKEN}`,
  'content-type': 'application/json',
  'x-grafana-user': 'carol',
};

let esUrl: string;
let webhook: WebhookServer;
const index = `plumbline-retrain-audit-test-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  esUrl = (await sharedElasticsearch()).url;
  webhook = await startWebhookServer();
}, 240_000); // a cold shared Elasticsearch takes up to a few minutes to start on 2 cores
afterAll(async () => {
  await webhook?.close();
  if (!esUrl) return;
  const client = new Client({ node: esUrl });
  await client.indices.delete({ index }, { ignore: [404] });
  await client.close();
});

const config = () =>
  parseRetrainConfig({
    token: TOKEN,
    cooldownSeconds: 3600,
    webhook: { kind: 'generic', url: `${webhook.url}/hooks/retrain`, headers: { 'x-ci-secret': 'ci' } },
    audit: { elasticsearch: { url: esUrl, index } },
  });

it('records each attempt in Elasticsearch and enforces the cooldown from the index after a restart', async () => {
  const first = await startRetrainService({ config: config() });
  const ok = await request(`${first.url}/api/retrain`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'iris', reason: 'accuracy fell below 0.9' }),
  });
  expect(ok.statusCode).toBe(202);
  await ok.body.dump();
  await first.close();

  const second = await startRetrainService({ config: config() });
  const again = await request(`${second.url}/api/retrain`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'iris', reason: 'second opinion' }),
  });
  expect(again.statusCode).toBe(429);
  await again.body.dump();
  const status = await request(`${second.url}/api/retrain/status?model=iris`, { headers });
  expect(await status.body.json()).toMatchObject({
    last: {
      requestedBy: 'carol',
      reason: 'accuracy fell below 0.9',
      outcome: 'triggered',
      webhookStatus: 204,
    },
  });
  await second.close();

  expect(webhook.calls).toHaveLength(1);
  expect(webhook.calls[0]).toMatchObject({ path: '/hooks/retrain', headers: { 'x-ci-secret': 'ci' } });

  const client = new Client({ node: esUrl });
  const res = await client.search<RetrainAuditEvent>({ index, sort: [{ at: 'asc' }], size: 10 });
  await client.close();
  expect(res.hits.hits.map((h) => h._source)).toEqual([
    expect.objectContaining({
      model: 'iris',
      requestedBy: 'carol',
      outcome: 'triggered',
      reason: 'accuracy fell below 0.9',
    }),
    expect.objectContaining({
      model: 'iris',
      requestedBy: 'carol',
      outcome: 'cooldown',
      reason: 'second opinion',
    }),
  ]);
}, 60_000);
