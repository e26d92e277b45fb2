/**
 * The alert → retrain loop end to end on real components (no Docker): the shipped ONNX model server (built CLI) →
 * the sidecar (Elasticsearch sink) with drifted traffic and wrong ground truth → the exporter computes drift and
 * quality from Elasticsearch against a baseline built from the training data → Prometheus scrapes sidecar and
 * exporter and evaluates the real rule file → Alertmanager (our alertmanager.yml) routes the drift alert to the
 * retrain bridge → the bridge's quality gate reads Prometheus → the exporter's retrain endpoint calls the pipeline
 * webhook. Then every dashboard query returns data from that Prometheus, or is one that is empty by nature here.
 *
 * Only change to the shipped rules: `for:` durations and group intervals shortened (expressions, labels and
 * annotations as shipped), so the test waits seconds instead of 15 minutes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { parseConfig as parseSidecarConfig, SHIPPED_MODEL, startSidecar } from '@plumbline/sidecar';
import {
  buildReferenceProfile,
  createFileBaselineStore,
  parseConfig as parseExporterConfig,
  startExporter,
  type RunningExporter,
} from '@plumbline/exporter';
import { parseRetrainConfig, startRetrainService } from '@plumbline/exporter/retrain';
import { createPrometheusQuality, DEFAULT_POLICY, startBridge } from '@plumbline/alerting';
import {
  sharedElasticsearch,
  startAlertmanager,
  startPrometheus,
  startWebhookServer,
  type ServiceHandle,
  type WebhookServer,
} from '@plumbline/harness';
import { dashboardQueries, PROMETHEUS_RULES } from '../contract/sources';
import { concrete, promQuery, ROOT, serveModel, until, type ModelServerProcess } from './helpers';

const RUN = `loop${process.pid}${Date.now().toString(36)}`;
const INDICES = { inference: `plumbline-inference-${RUN}`, feedback: `plumbline-feedback-${RUN}` };
const TOKEN = 'e2e-retrain-token-0123456789abcdef';
const REQUESTS = 120;
const ROWS = 2;

const meta = JSON.parse(readFileSync(SHIPPED_MODEL.metadataPath, 'utf8')) as {
  features: string[];
  classes: string[];
};
const train = readFileSync(SHIPPED_MODEL.trainCsvPath, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));

let model: ModelServerProcess;
let sidecar: Awaited<ReturnType<typeof startSidecar>>;
let exporter: RunningExporter;
let retrain: Awaited<ReturnType<typeof startRetrainService>>;
let pipeline: WebhookServer;
let bridge: Awaited<ReturnType<typeof startBridge>>;
let prometheus: ServiceHandle;
let alertmanager: ServiceHandle;
let dir: string;

beforeAll(async () => {
  const es = await sharedElasticsearch();
  dir = mkdtempSync(path.join(tmpdir(), 'e2e-loop-'));
  model = await serveModel();
  sidecar = await startSidecar(
    parseSidecarConfig({
      upstream: model.url,
      host: '127.0.0.1',
      port: 0,
      adminPort: 0,
      model: 'iris',
      protocol: 'v2',
      logLevel: 'warn',
      models: {
        iris: {
          features: meta.features,
          classes: meta.classes,
          task: 'classification',
          histogramFeatures: meta.features,
        },
      },
      sinks: {
        elasticsearch: { url: es.url, inferenceIndex: INDICES.inference, feedbackIndex: INDICES.feedback },
        spoolDir: path.join(dir, 'spool'),
        flushIntervalMs: 200,
      },
    }),
  );

  // Baseline: the shipped training data, profiled the way `plumbline baseline import` does.
  const columns = Object.fromEntries(meta.features.map((f, i) => [f, train.map((r) => Number(r[i]))]));
  await createFileBaselineStore(path.join(dir, 'baselines')).put({
    model: 'iris',
    version: '1',
    source: 'train.csv',
    profile: buildReferenceProfile(columns),
  });

  // Drifted traffic: petal length +3 cm, sepal width -1 cm; ground truth for every first row, mostly wrong.
  for (let i = 0; i < REQUESTS; i++) {
    const rows = Array.from({ length: ROWS }, (_, r) => {
      const t = train[(i * ROWS + r) % train.length].slice(0, 4).map(Number);
      return [t[0], t[1] - 1, t[2] + 3, t[3]];
    });
    const res = await request(`${sidecar.url}/v2/models/iris/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': `${RUN}-${i}` },
      body: JSON.stringify({
        inputs: [{ name: 'input', shape: [ROWS, 4], datatype: 'FP32', data: rows.flat() }],
      }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  }
  const fb = await request(`${sidecar.adminUrl}/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      Array.from({ length: REQUESTS }, (_, i) => ({
        request_id: `${RUN}-${i}`,
        row: 0,
        ground_truth: meta.classes[i % 3],
        model: 'iris',
        source: 'e2e',
      })),
    ),
  });
  expect(fb.statusCode).toBeLessThan(300);
  await fb.body.dump();

  exporter = await startExporter(
    parseExporterConfig({
      models: [{ name: 'iris', version: '1' }],
      source: {
        kind: 'elasticsearch',
        url: es.url,
        inferenceIndex: INDICES.inference,
        feedbackIndex: INDICES.feedback,
      },
      baselineStore: { kind: 'file', dir: path.join(dir, 'baselines') },
      window: { kind: 'sliding', sizeSeconds: 600, stepSeconds: 1, minimumSamples: 100, graceSeconds: 0 },
      schedule: { intervalSeconds: 1 },
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
    }),
  );
  pipeline = await startWebhookServer();
  pipeline.respondWith(204);
  retrain = await startRetrainService({
    config: parseRetrainConfig({
      token: TOKEN,
      cooldownSeconds: 600,
      webhook: { kind: 'generic', url: `${pipeline.url}/hooks/retrain` },
      audit: { file: path.join(dir, 'audit.jsonl') },
    }),
    registry: exporter.exporter.registry,
  });

  // The bridge reads the quality gate from Prometheus, which starts below (hence the lazy URL).
  bridge = await startBridge(
    {
      retrainUrl: `${retrain.url}/api/retrain`,
      retrainToken: TOKEN,
      policy: DEFAULT_POLICY,
      timeoutMs: 10_000,
    },
    { quality: (m) => createPrometheusQuality(prometheus.url)(m) },
  );
  // Our routing, pointed at this bridge.
  const amConfig = readFileSync(path.join(ROOT, 'alerting/alertmanager/alertmanager.yml'), 'utf8')
    .replace('http://retrain-bridge:9099/alertmanager', `${bridge.url}/alertmanager`)
    .replace('group_wait: 10s', 'group_wait: 1s');
  alertmanager = await startAlertmanager({ config: amConfig });
  const sidecarAdmin = new URL(sidecar.adminUrl).host;
  const rules = readFileSync(PROMETHEUS_RULES, 'utf8')
    .replaceAll('interval: 1m', 'interval: 1s')
    .replace(/for: \d+m/g, 'for: 3s');
  prometheus = await startPrometheus({
    config: [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'rule_files: [plumbline.rules.yml]',
      `alerting: { alertmanagers: [{ static_configs: [{ targets: ['${new URL(alertmanager.url).host}'] }] }] }`,
      'scrape_configs:',
      `  - { job_name: plumbline-sidecar, static_configs: [{ targets: ['${sidecarAdmin}'] }] }`,
      `  - { job_name: plumbline-exporter, static_configs: [{ targets: ['127.0.0.1:${exporter.port}'] }] }`,
    ].join('\n'),
    ruleFiles: { 'plumbline.rules.yml': rules },
  });
}, 300_000);

afterAll(async () => {
  await alertmanager?.stop();
  await prometheus?.stop();
  await bridge?.close();
  await retrain?.close();
  await pipeline?.close();
  await exporter?.stop();
  await sidecar?.stop();
  await model?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the exporter sees the drift and the accuracy drop', async () => {
  const drifted = await until('drift in Prometheus', async () => {
    const r = await promQuery(
      prometheus.url,
      'max by (feature) (plumbline_drift_detected{model="iris"}) == 1',
    );
    return r.length > 0 ? r.map((s) => s.metric.feature).sort() : undefined;
  });
  expect(drifted).toContain('petal_length_cm');
  const acc = await until('accuracy in Prometheus', async () => {
    const r = await promQuery(prometheus.url, 'plumbline_model_accuracy{model="iris"}');
    return r.length ? Number(r[0].value[1]) : undefined;
  });
  expect(acc).toBeLessThan(DEFAULT_POLICY.maxAccuracy);
});

test('Prometheus fires the drift alert, Alertmanager routes it to the bridge, the pipeline webhook is called once', async () => {
  await until(
    'the pipeline webhook call',
    async () => (pipeline.calls.length > 0 ? true : undefined),
    120_000,
  );
  const body = JSON.parse(pipeline.calls[0].body) as { model: string; reason: string; requestedBy: string };
  expect(body).toMatchObject({ model: 'iris', requestedBy: 'alertmanager' });
  expect(body.reason).toMatch(
    /^Plumbline(FeatureDriftPersistent|DatasetDriftShareHigh|PsiHigh): .* drifts \(accuracy /,
  );
  // More drift alerts of the same model arrive (other features, dataset level): the cooldown holds them.
  await new Promise((r) => setTimeout(r, 3000));
  expect(pipeline.calls).toHaveLength(1);
});

test('every dashboard query returns data from that Prometheus, or is empty by nature in this run', async () => {
  // Empty here by nature: no failures, nothing spooled/replayed/dropped, a classifier (no regression metrics),
  // no notifications configured, no prediction/label drift evaluated by the exporter in this setup.
  const emptyByNature =
    /status=~"5\.\."|invalid_outputs|upstream_errors|unparsed|regression_output|spooled|replayed|dropped|evaluation_errors|notifications|_mae|_rmse|prediction_drift|label_drift/;
  const queries = dashboardQueries();
  let empty: string[] = [];
  await until(
    'dashboard queries to return data',
    async () => {
      empty = [];
      for (const q of queries) {
        const result = await promQuery(prometheus.url, concrete(q.expr, 'iris'));
        if (result.length === 0 && !emptyByNature.test(q.expr)) empty.push(`${q.where}: ${q.expr}`);
      }
      return empty.length === 0 ? true : undefined;
    },
    60_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\nstill empty:\n${empty.join('\n')}`);
  });
});
