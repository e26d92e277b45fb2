// The exporter's HTTP server, as `plumbline exporter` runs it (startExporter: the API routes with the retrain
// endpoint mounted), under hostile clients (tests/hostile-clients/attack.ts lists the properties): /metrics,
// /api/health, /api/models and the per-model routes with odd model names and queries, the retrain routes with and
// without the token, and malformed bytes on raw sockets. Source: an empty spool directory; baselines: files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, startExporter, type RunningExporter } from '@plumbline/exporter';
import { startWebhookServer, type WebhookServer } from '@plumbline/harness';
import { attack, recordingLogger } from './attack';
import { retrainRequest } from './retrain-bodies';

const TOKEN = 'exporter-fuzz-token-0123456789';
let webhook: WebhookServer;
let dir: string;
let exporter: RunningExporter;
const { logger, records } = recordingLogger();

beforeAll(async () => {
  webhook = await startWebhookServer();
  dir = mkdtempSync(join(tmpdir(), 'hostile-exporter-'));
  const config = parseConfig({
    models: [{ name: 'iris' }],
    source: { kind: 'spool', dir: join(dir, 'spool') },
    baselineStore: { kind: 'file', dir: join(dir, 'baselines') },
    retrain: {
      token: TOKEN,
      cooldownSeconds: 0,
      webhook: { kind: 'generic', url: `${webhook.url}/hook` },
      audit: { file: join(dir, 'audit.jsonl') },
    },
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
  });
  exporter = await startExporter(config, { logger });
});
afterAll(async () => {
  await exporter?.stop();
  await webhook?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('answers every generated request with a documented status, never a 500, and keeps its heap', async () => {
  const report = await attack({
    url: exporter.url,
    routes: [
      { method: 'GET', path: '/metrics' },
      { method: 'GET', path: '/api/health' },
      { method: 'GET', path: '/api/models' },
      { method: 'GET', path: '/api/models/:model/drift' },
      { method: 'GET', path: '/api/models/:model/confusion-matrix' },
      { method: 'GET', path: '/api/models/:model/histograms' },
      { method: 'POST', path: '/api/retrain' },
      { method: 'GET', path: '/api/retrain/status' },
    ],
    bodies: retrainRequest,
    credential: { name: 'authorization', value: `Bearer ${TOKEN}` },
    maxBodyBytes: 16 * 1024,
    // docs/errors.md, EXPORTER_ERR_*: 200, 503 health degraded, 400, 404, 405; the retrain routes as in
    // retrain-endpoint.test.ts.
    statuses: [200, 202, 400, 401, 404, 405, 409, 413, 429, 502, 503, 504],
    health: { path: '/api/health', statuses: [200, 503] },
    // The API's onError logs at error, the retrain endpoint's at warn.
    internalErrors: () => records.filter((r) => r.level >= 50 || r.msg === 'retrain request failed'),
  });
  expect(report.statuses[200]).toBeGreaterThan(0);
  expect(report.statuses[404]).toBeGreaterThan(0);
  expect(report.statuses[202]).toBeGreaterThan(0);
});
