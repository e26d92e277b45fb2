// The exporter's HTTP server, as `plumbline exporter` runs it (startExporter: the API routes with the retrain
// endpoint mounted), under hostile clients (tests/hostile-clients/attack.ts lists the properties): /metrics,
// /api/health, /api/models and the per-model routes with odd model names and queries, the retrain routes with and
// without the token, and malformed bytes on raw sockets. Source: an empty spool directory; baselines: files.
import { join } from 'node:path';
import { parseConfig, startExporter } from '@plumbline/exporter';
import { attackSuite, recordingLogger, suiteDir, suiteWebhook } from './attack';
import { retrainRequest } from './retrain-bodies';
import { testSecret } from '../harness/secrets';

const TOKEN = testSecret('exporter-api token');

attackSuite(
  async (defer) => {
    const webhook = await suiteWebhook(defer);
    const dir = suiteDir(defer, 'exporter');
    const { logger, records } = recordingLogger();
    const config = parseConfig({
      host: '127.0.0.1',
      port: 0,
      logLevel: 'warn',
      retrain: {
        token: TOKEN,
        cooldownSeconds: 0,
        webhook: { kind: 'generic', url: `${webhook.url}/hook` },
        audit: { file: join(dir, 'audit.jsonl') },
      },
      models: [{ name: 'iris' }],
      source: { kind: 'spool', dir: join(dir, 'spool') },
      baselineStore: { kind: 'file', dir: join(dir, 'baselines') },
    });
    const exporter = await startExporter(config, { logger });
    defer(() => exporter.stop());
    return {
      url: exporter.url,
      routes: [
        'GET /metrics',
        'GET /api/health',
        'GET /api/models',
        'GET /api/models/:model/drift',
        'GET /api/models/:model/confusion-matrix',
        'GET /api/models/:model/histograms',
        'POST /api/retrain',
        'GET /api/retrain/status',
      ],
      bodies: retrainRequest,
      credential: { name: 'authorization', value: `Bearer ${TOKEN}` },
      maxBodyBytes: 16 * 1024,
      // docs/errors.md, EXPORTER_ERR_*: 200, 503 health degraded, 400, 404, 405; the retrain routes as in
      // retrain-endpoint.test.ts.
      statuses: [200, 202, 400, 401, 404, 405, 409, 413, 429, 502, 503, 504],
      health: { path: '/api/health', statuses: [200, 503] },
      // The API's onError logs at error, the retrain endpoint's at warn.
      downstreamCalls: () => webhook.calls.length,
      internalErrors: () => records.filter((r) => r.level >= 50 || r.msg === 'retrain request failed'),
    };
  },
  (report) => {
    // The run reached the pipeline webhook, not only the 4xx paths.
    expect(report.downstreamCalls).toBeGreaterThan(0);
    expect(report.statuses[200]).toBeGreaterThan(0);
    expect(report.statuses[404]).toBeGreaterThan(0);
    expect(report.statuses[202]).toBeGreaterThan(0);
  },
);
