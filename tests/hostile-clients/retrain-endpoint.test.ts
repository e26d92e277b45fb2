// The retrain endpoint (exporter/src/retrain) on a server of its own, under hostile clients
// (tests/hostile-clients/attack.ts lists the properties): POST /api/retrain and GET /api/retrain/status with and
// without the right bearer token, generated trigger bodies, garbage, bodies over the 16 KiB limit, malformed bytes
// on raw sockets. Its pipeline is a local webhook server; audit events go to a file.
import { join } from 'node:path';
import { parseRetrainConfig, startRetrainService } from '@plumbline/exporter/retrain';
import { attackSuite, suiteDir, suiteWebhook } from './attack';
import { retrainRequest } from './retrain-bodies';
import { testSecret } from '../harness/secrets';

const TOKEN = testSecret('retrain-endpoint token');

attackSuite(
  async (defer) => {
    const webhook = await suiteWebhook(defer);
    const dir = suiteDir(defer, 'retrain');
    const internal: unknown[] = [];
    const retrain = await startRetrainService({
      config: parseRetrainConfig({
        webhook: { kind: 'generic', url: `${webhook.url}/hook` },
        audit: { file: join(dir, 'audit.jsonl') },
        cooldownSeconds: 0,
        token: TOKEN,
      }),
      log: {
        info: () => undefined,
        // onError's line; an audit write that fails would be logged here too, and is not expected either.
        warn: (obj: object) => void internal.push(obj),
      },
    });
    defer(() => retrain.close());
    return {
      url: retrain.url,
      routes: ['POST /api/retrain', 'GET /api/retrain/status'],
      bodies: retrainRequest,
      credential: { name: 'authorization', value: `Bearer ${TOKEN}` },
      maxBodyBytes: 16 * 1024,
      // docs/errors.md, EXPORTER_ERR_RETRAIN_* (and the exporter's 404 for other paths); exporter/README.md for
      // the trigger's outcomes: 202 triggered, 409 duplicate in flight, 429 cooldown, 502 / 504 pipeline failed.
      statuses: [200, 202, 400, 401, 404, 405, 409, 413, 429, 502, 504],
      health: {
        path: '/api/retrain/status?model=iris',
        headers: { authorization: `Bearer ${TOKEN}` },
        statuses: [200],
      },
      downstreamCalls: () => webhook.calls.length,
      internalErrors: () => internal,
    };
  },
  (report) => {
    // The run reached the pipeline webhook, not only the 4xx paths.
    expect(report.downstreamCalls).toBeGreaterThan(0);
    expect(report.statuses[202]).toBeGreaterThan(0);
    expect(report.statuses[401]).toBeGreaterThan(0);
    expect(report.statuses[400]).toBeGreaterThan(0);
  },
);
