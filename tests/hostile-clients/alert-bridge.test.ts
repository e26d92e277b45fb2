// The alert → retrain bridge under hostile clients (tests/hostile-clients/attack.ts lists the properties): POST
// /alertmanager with generated Alertmanager payloads, any JSON, garbage and oversized bodies, malformed bytes on raw
// sockets. Its retrain endpoint is a local webhook server, its quality gate a fixed snapshot that lets drift
// alerts through, so generated drift alerts do reach the retrain call.
import fc from 'fast-check';
import { DEFAULT_POLICY, startBridge } from '@plumbline/alerting';
import { attackSuite, recordingLogger, suiteWebhook } from './attack';
import { testSecret } from '../harness/secrets';

const API_TOKEN = testSecret('alert-bridge api token');

const labelValue = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
);
/** An alert as Alertmanager sends it (drift alerts of known models often), its fields sometimes missing or odd. */
const alert = fc.record(
  {
    status: fc.constantFrom('firing', 'firing', 'resolved', 'pending'),
    labels: fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record(
          {
            alertname: fc.constantFrom('PlumblineFeatureDriftPersistent', 'PlumblineHighLatency', ''),
            category: fc.oneof(fc.constantFrom('drift', 'drift', 'latency', 'quality', ''), labelValue),
            model: fc.oneof(fc.constantFrom('iris', 'churn'), labelValue),
            feature: labelValue,
          },
          { requiredKeys: ['category', 'model'] },
        ),
      },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    ),
    annotations: fc.dictionary(fc.string({ maxLength: 10 }), labelValue, { maxKeys: 3 }),
    startsAt: fc.oneof(fc.constantFrom('2026-01-01T00:00:00Z', 'yesterday', ''), labelValue),
    endsAt: fc.constantFrom('0001-01-01T00:00:00Z', '2026-01-01T01:00:00Z'),
    fingerprint: fc.oneof(
      { weight: 8, arbitrary: fc.string({ maxLength: 20 }) },
      { weight: 1, arbitrary: labelValue },
    ),
  },
  { requiredKeys: ['status', 'labels', 'startsAt', 'fingerprint'] },
);
const payload = fc.record(
  {
    version: fc.constantFrom('4', '3', ''),
    status: fc.constantFrom('firing', 'resolved'),
    receiver: fc.constantFrom('plumbline-retrain', ''),
    groupKey: fc.string({ maxLength: 30 }),
    alerts: fc.oneof(
      { weight: 8, arbitrary: fc.array(alert, { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    ),
  },
  { requiredKeys: ['alerts'] },
);

attackSuite(
  async (defer) => {
    const webhook = await suiteWebhook(defer, 202);
    const { logger, records } = recordingLogger();
    const bridge = await startBridge(
      {
        retrainUrl: `${webhook.url}/api/retrain`,
        retrainToken: 'bridge-fuzz-token-0123456789',
        apiToken: API_TOKEN,
        policy: { ...DEFAULT_POLICY, cooldownSeconds: 0 },
        timeoutMs: 5000,
      },
      { quality: () => Promise.resolve({ accuracy: 0.5, windowSamples: 500 }), log: logger },
    );
    defer(() => bridge.close());
    return {
      url: bridge.url,
      routes: ['POST /alertmanager', 'GET /healthz'],
      bodies: payload,
      credential: { name: 'authorization', value: `Bearer ${API_TOKEN}` },
      maxBodyBytes: 1024 * 1024,
      // docs/errors.md, BRIDGE_ERR_*: 200 decisions, 400 / 413 bad request, 401 without the API token, 404, 405,
      // 502 upstream.
      statuses: [200, 400, 401, 404, 405, 413, 502],
      health: { path: '/healthz', statuses: [200] },
      downstreamCalls: () => webhook.calls.length,
      internalErrors: () => records.filter((r) => r.level >= 50),
    };
  },
  (report) => {
    // The run reached the pipeline webhook, not only the 4xx paths.
    expect(report.downstreamCalls).toBeGreaterThan(0);
    expect(report.statuses[200]).toBeGreaterThan(0);
    expect(report.statuses[400]).toBeGreaterThan(0);
  },
);
