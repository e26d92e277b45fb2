/**
 * The alert → retrain loop on real components: Alertmanager (our alertmanager.yml, bridge URL pointed at the test's
 * bridge) routes a drift alert to the bridge; the bridge reads the quality gate from a real Prometheus scraping
 * catalog metrics, then calls the exporter's real retrain endpoint, which fires the pipeline webhook (a local HTTP
 * server). A second drift alert of the same model is held by the cooldown; a latency alert never triggers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { createMetrics, EXPORTER_METRICS } from '@plumbline/schema';
import { listenLoopback, startPrometheus, type ServiceHandle } from '@plumbline/harness';
import { startRetrainChain, type RetrainChain } from '@plumbline/harness/retrain-chain';
import type { DecisionRecord } from '../src/bridge/bridge';
import { createPrometheusQuality } from '../src/bridge/prometheus-quality';
import { DRIFT_ALERT_LABELS } from './drift-alert';
import { testSecret } from '@plumbline/harness';

jest.setTimeout(180_000);

const TOKEN = testSecret('retrain-bridge token');

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let metricsServer: Awaited<ReturnType<typeof listenLoopback>>;
let prometheus: ServiceHandle;
let chain: RetrainChain;
let auditDir: string;
const decisions: DecisionRecord[] = [];

beforeAll(async () => {
  // What the exporter would expose: iris at 80% accuracy over 400 rows.
  const registry = new Registry();
  const m = createMetrics(registry, EXPORTER_METRICS);
  m.accuracy.set({ model: 'iris', model_version: '1' }, 0.8);
  m.windowSamples.set({ model: 'iris', model_version: '1' }, 400);
  metricsServer = await listenLoopback(
    createServer((_req, res) => {
      void registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
    }),
  );
  prometheus = await startPrometheus({
    config: [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: plumbline-exporter',
      `    static_configs: [{ targets: ['127.0.0.1:${metricsServer.port}'] }]`,
    ].join('\n'),
  });
  const quality = createPrometheusQuality(prometheus.url);

  auditDir = mkdtempSync(path.join(tmpdir(), 'bridge-audit-'));
  chain = await startRetrainChain({
    token: TOKEN,
    dir: auditDir,
    bridge: {
      quality,
      log: {
        info: (obj: { decision?: DecisionRecord }) => obj.decision && decisions.push(obj.decision),
      } as never,
    },
  });

  // The gate needs the scraped values in Prometheus before the first alert.
  await until('accuracy in Prometheus', async () =>
    (await quality('iris')).windowSamples === 400 ? true : undefined,
  );
});

afterAll(async () => {
  await chain?.close();
  await prometheus?.stop();
  await metricsServer?.close();
  if (auditDir) rmSync(auditDir, { recursive: true, force: true });
});

async function fire(labels: Record<string, string>): Promise<void> {
  const res = await request(`${chain.alertmanager.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      {
        labels,
        annotations: { summary: `test ${labels.alertname}` },
        startsAt: new Date().toISOString(),
      },
    ]),
  });
  expect(res.statusCode).toBe(200);
  await res.body.dump();
}

test('a drift alert reaches the bridge through Alertmanager and triggers one retrain; the next one cools down', async () => {
  await fire(DRIFT_ALERT_LABELS);
  await until('the pipeline webhook call', () => (chain.pipeline.calls.length > 0 ? true : undefined));
  expect(chain.pipeline.calls).toHaveLength(1);
  expect(chain.pipeline.calls[0].path).toBe('/hooks/retrain');
  expect(JSON.parse(chain.pipeline.calls[0].body)).toMatchObject({
    model: 'iris',
    requestedBy: 'alertmanager',
    reason: 'PlumblineFeatureDriftPersistent: feature petal_length drifts (accuracy 0.8, 400 rows)',
  });
  expect(decisions).toEqual([
    expect.objectContaining({ action: 'trigger', model: 'iris', outcome: 'triggered', httpStatus: 202 }),
  ]);

  // Another feature of the same model drifts: a different alert group, held by the bridge's cooldown.
  await fire({ ...DRIFT_ALERT_LABELS, feature: 'sepal_width' });
  const second = await until('the second decision', () => decisions[1]);
  expect(second).toMatchObject({
    action: 'skip',
    model: 'iris',
    reason: expect.stringMatching(/^cooldown: \d+s remaining$/),
  });
  expect(chain.pipeline.calls).toHaveLength(1);
});

test('the bridge answers a malformed payload with 400 naming the field', async () => {
  const res = await request(`${chain.bridge.url}/alertmanager`, {
    method: 'POST',
    body: JSON.stringify({ alerts: [{ status: 'firing' }] }),
  });
  expect(res.statusCode).toBe(400);
  expect(await res.body.json()).toEqual({ error: 'alerts[0].labels: expected an object' });
});
