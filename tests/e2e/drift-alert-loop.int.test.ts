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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  buildReferenceProfile,
  createFileBaselineStore,
  parseConfig as parseExporterConfig,
  startExporter,
  type RunningExporter,
} from '@plumbline/exporter';
import { createPrometheusQuality, DEFAULT_POLICY } from '@plumbline/alerting';
import { sharedElasticsearch, type ServiceHandle } from '@plumbline/harness';
import { startRetrainChain, type RetrainChain } from '@plumbline/harness/retrain-chain';
import { dashboardQueries } from '../contract/sources';
import {
  concrete,
  IRIS,
  IRIS_TRAIN,
  postIrisFeedback,
  promQuery,
  sendIrisRequests,
  serveModel,
  startIrisSidecar,
  startRulesPrometheus,
  until,
  type ModelServerProcess,
} from './helpers';
import { testSecret } from '../harness/secrets';

const RUN = `loop${process.pid}${Date.now().toString(36)}`;
const INDICES = { inference: `plumbline-inference-${RUN}`, feedback: `plumbline-feedback-${RUN}` };
const TOKEN = testSecret('drift-alert-loop token');
const REQUESTS = 120;
const ROWS = 2;

const train = IRIS_TRAIN;

let model: ModelServerProcess;
let sidecar: Awaited<ReturnType<typeof startIrisSidecar>>;
let exporter: RunningExporter;
let chain: RetrainChain;
let prometheus: ServiceHandle;
let dir: string;

beforeAll(async () => {
  const es = await sharedElasticsearch();
  dir = mkdtempSync(path.join(tmpdir(), 'e2e-loop-'));
  model = await serveModel();
  sidecar = await startIrisSidecar(model.url, {
    elasticsearch: { url: es.url, inferenceIndex: INDICES.inference, feedbackIndex: INDICES.feedback },
    spoolDir: path.join(dir, 'spool'),
  });

  // Baseline: the shipped training data, profiled the way `plumbline baseline import` does.
  const columns = Object.fromEntries(IRIS.features.map((f, i) => [f, train.map((r) => Number(r[i]))]));
  await createFileBaselineStore(path.join(dir, 'baselines')).put({
    model: 'iris',
    version: '1',
    source: 'train.csv',
    profile: buildReferenceProfile(columns),
  });

  // Drifted traffic: petal length +3 cm, sepal width -1 cm; ground truth for every first row, mostly wrong.
  await sendIrisRequests(sidecar.url, RUN, REQUESTS, (i) =>
    Array.from({ length: ROWS }, (_, r) => {
      const t = train[(i * ROWS + r) % train.length].slice(0, 4).map(Number);
      return [t[0], t[1] - 1, t[2] + 3, t[3]];
    }),
  );
  await postIrisFeedback(sidecar.adminUrl, RUN, REQUESTS);

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
  // The bridge reads the quality gate from Prometheus, which starts below (hence the lazy URL).
  chain = await startRetrainChain({
    token: TOKEN,
    dir,
    registry: exporter.exporter.registry,
    bridge: { quality: (m) => createPrometheusQuality(prometheus.url)(m) },
  });
  prometheus = await startRulesPrometheus({
    sidecars: [sidecar.adminUrl],
    exporter: exporter.url,
    alertmanager: chain.alertmanager.url,
    shortFor: true,
  });
}, 300_000);

afterAll(async () => {
  await chain?.close();
  await prometheus?.stop();
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
    async () => (chain.pipeline.calls.length > 0 ? true : undefined),
    120_000,
  );
  const body = JSON.parse(chain.pipeline.calls[0].body) as {
    model: string;
    reason: string;
    requestedBy: string;
  };
  expect(body).toMatchObject({ model: 'iris', requestedBy: 'alertmanager' });
  expect(body.reason).toMatch(
    /^Plumbline(FeatureDriftPersistent|DatasetDriftShareHigh|PsiHigh|MultivariateDrift): .* \(accuracy /,
  );
  // More drift alerts of the same model arrive (other features, dataset level): the cooldown holds them.
  await new Promise((r) => setTimeout(r, 3000));
  expect(chain.pipeline.calls).toHaveLength(1);
});

test('every dashboard query returns data from that Prometheus, or is empty by nature in this run', async () => {
  // Empty here by nature: no failures, nothing spooled/replayed/dropped, a classifier (no regression metrics),
  // no shadow traffic, a baseline without a quality baseline (no estimate, no reference quality),
  // no notifications configured, no prediction/label drift evaluated by the exporter in this setup; one version
  // (nothing to compare) and no segments configured.
  const emptyByNature =
    /status=~"5\.\."|invalid_outputs|upstream_errors|unparsed|regression_output|spooled|replayed|dropped|evaluation_errors|notifications|_mae|_rmse|prediction_drift|label_drift|version_comparison|segment_|shadow_|estimated_|baseline_/;
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
