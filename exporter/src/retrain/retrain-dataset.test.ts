// The retrain endpoint asks for the labelled data since the model's last successful trigger and sends it in the
// webhook payload (issue #13); a dataset that cannot be counted leaves it out, the trigger goes on.
import { startWebhookServer, type WebhookServer } from '@plumbline/harness';
import { request } from 'undici';
import type { RetrainAuditEvent } from './types';
import { parseRetrainConfig } from './config';
import { startRetrainService } from './service';

const TOKEN = 'retrain-token-0123456789';
let webhook: WebhookServer;
beforeAll(async () => {
  webhook = await startWebhookServer();
});
afterAll(() => webhook.close());

function memoryAudit(events: RetrainAuditEvent[] = []) {
  return {
    record: (e: RetrainAuditEvent) => {
      events.push(e);
      return Promise.resolve();
    },
    latest: (model: string, outcomes: readonly string[]) =>
      Promise.resolve(
        [...events].reverse().find((e) => e.model === model && outcomes.includes(e.outcome)) ?? null,
      ),
    close: () => Promise.resolve(),
  };
}

it('sends dataset { since, until, rows, humanRows, export }, since the last successful trigger', async () => {
  const asked: [string, number | null, number][] = [];
  const lastAt = '2026-11-01T00:00:00.000Z';
  const svc = await startRetrainService({
    config: parseRetrainConfig({
      token: TOKEN,
      cooldownSeconds: 0,
      webhook: { kind: 'generic', url: `${webhook.url}/hook` },
      audit: { file: '/nonexistent/audit.jsonl' },
    }),
    auditStore: memoryAudit([
      {
        requestId: 'r0',
        idempotencyKey: null,
        model: 'iris',
        requestedBy: 'x',
        reason: 'earlier',
        at: lastAt,
        outcome: 'triggered',
        webhookStatus: 204,
        detail: '',
      },
    ]),
    dataset: (model, sinceMs, untilMs) => {
      asked.push([model, sinceMs, untilMs]);
      return Promise.resolve({
        since: sinceMs === null ? null : new Date(sinceMs).toISOString(),
        until: new Date(untilMs).toISOString(),
        rows: 120,
        humanRows: 40,
        export: 'plumbline dataset export --model iris',
      });
    },
  });
  try {
    const res = await request(`${svc.url}/api/retrain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'iris', reason: 'new human labels' }),
    });
    expect(res.statusCode).toBe(202);
    await res.body.dump();
    expect(asked).toEqual([['iris', Date.parse(lastAt), expect.any(Number)]]);
    const body = JSON.parse(webhook.calls[webhook.calls.length - 1].body) as { dataset: unknown };
    expect(body.dataset).toEqual({
      since: lastAt,
      until: expect.any(String),
      rows: 120,
      humanRows: 40,
      export: 'plumbline dataset export --model iris',
    });
  } finally {
    await svc.close();
  }
});

it('triggers without a dataset when counting it fails', async () => {
  const svc = await startRetrainService({
    config: parseRetrainConfig({
      token: TOKEN,
      webhook: { kind: 'generic', url: `${webhook.url}/hook` },
      audit: { file: '/nonexistent/audit.jsonl' },
    }),
    auditStore: memoryAudit(),
    dataset: () => Promise.reject(new Error('Elasticsearch unavailable')),
  });
  try {
    const res = await request(`${svc.url}/api/retrain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'wine', reason: 'model age' }),
    });
    expect(res.statusCode).toBe(202);
    await res.body.dump();
    expect(JSON.parse(webhook.calls[webhook.calls.length - 1].body)).not.toHaveProperty('dataset');
  } finally {
    await svc.close();
  }
});
