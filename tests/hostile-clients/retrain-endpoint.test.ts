// The retrain endpoint (exporter/src/retrain) on a server of its own, under hostile clients
// (tests/hostile-clients/attack.ts lists the properties): POST /api/retrain and GET /api/retrain/status with and
// without the right bearer token, generated trigger bodies, garbage, bodies over the 16 KiB limit, malformed bytes
// on raw sockets. Its pipeline is a local webhook server; audit events go to a file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRetrainConfig, startRetrainService } from '@plumbline/exporter/retrain';
import { startWebhookServer, type WebhookServer } from '@plumbline/harness';
import { attack } from './attack';
import { retrainRequest } from './retrain-bodies';

const TOKEN = 'retrain-fuzz-token-0123456789';
let webhook: WebhookServer;
let dir: string;
let retrain: Awaited<ReturnType<typeof startRetrainService>>;
const internal: unknown[] = [];

beforeAll(async () => {
  webhook = await startWebhookServer();
  dir = mkdtempSync(join(tmpdir(), 'hostile-retrain-'));
  retrain = await startRetrainService({
    config: parseRetrainConfig({
      token: TOKEN,
      cooldownSeconds: 0,
      webhook: { kind: 'generic', url: `${webhook.url}/hook` },
      audit: { file: join(dir, 'audit.jsonl') },
    }),
    log: {
      info: () => undefined,
      // onError's line; an audit write that fails would be logged here too, and is not expected either.
      warn: (obj) => void internal.push(obj),
    },
  });
});
afterAll(async () => {
  await retrain?.close();
  await webhook?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('answers every generated request with a documented status, never a 500, and keeps its heap', async () => {
  const report = await attack({
    url: retrain.url,
    routes: [
      { method: 'POST', path: '/api/retrain' },
      { method: 'GET', path: '/api/retrain/status' },
    ],
    bodies: retrainRequest,
    credential: { name: 'authorization', value: `Bearer ${TOKEN}` },
    maxBodyBytes: 16 * 1024,
    // docs/errors.md, EXPORTER_ERR_RETRAIN_* (and the exporter's 404 for other paths); exporter/README.md for the
    // trigger's outcomes: 202 triggered, 409 duplicate in flight, 429 cooldown, 502 / 504 pipeline failed.
    statuses: [200, 202, 400, 401, 404, 405, 409, 413, 429, 502, 504],
    health: {
      path: '/api/retrain/status?model=iris',
      headers: { authorization: `Bearer ${TOKEN}` },
      statuses: [200],
    },
    internalErrors: () => internal,
  });
  expect(report.statuses[202]).toBeGreaterThan(0);
  expect(report.statuses[401]).toBeGreaterThan(0);
  expect(report.statuses[400]).toBeGreaterThan(0);
  expect(webhook.calls.length).toBeGreaterThan(0);
});
