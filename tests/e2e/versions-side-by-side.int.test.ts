/**
 * Two versions of a model in one window, reported apart end to end on real components (issue #14): two deployments
 * of the shipped ONNX model (built CLI, `--model-version 1` and `2`), each behind its own sidecar writing to the
 * same Elasticsearch indices → the exporter reads them once and keeps each version's window → Prometheus scrapes
 * the exporter and evaluates the real rule file. Version 2 answers a share of its calls with 400 (bad inputs its
 * clients send): the exporter finds it significantly worse on the error rate, the rollout alert fires, and the
 * Model versions dashboard's queries return both versions' figures.
 *
 * Only change to the shipped rules: `for:` durations and group intervals shortened.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import {
  buildReferenceProfile,
  createFileBaselineStore,
  parseConfig as parseExporterConfig,
  startExporter,
  type RunningExporter,
} from '@plumbline/exporter';
import { sharedElasticsearch, type ServiceHandle } from '@plumbline/harness';
import { dashboardQueries } from '../contract/sources';
import {
  concrete,
  IRIS,
  IRIS_TRAIN,
  postIrisFeedback,
  promQuery,
  serveModel,
  startIrisSidecar,
  startRulesPrometheus,
  until,
  type ModelServerProcess,
} from './helpers';

const RUN = `versions${process.pid}${Date.now().toString(36)}`;
const INDICES = { inference: `plumbline-inference-${RUN}`, feedback: `plumbline-feedback-${RUN}` };
/** Calls per version, two rows each; version 2 also gets BAD calls that its model server answers with 400. */
const CALLS = 120;
const BAD = 40;

const train = IRIS_TRAIN;

let models: ModelServerProcess[] = [];
let sidecars: Awaited<ReturnType<typeof startIrisSidecar>>[] = [];
let exporter: RunningExporter;
let prometheus: ServiceHandle;
let dir: string;

/** One V2 call of version `version` through `sidecarUrl`: two training rows, or (bad) three numbers for a 4-wide input. */
async function call(
  sidecarUrl: string,
  version: string,
  id: string,
  rows: number[][] | null,
): Promise<number> {
  const input = rows
    ? { name: 'input', shape: [rows.length, 4], datatype: 'FP32', data: rows.flat() }
    : { name: 'input', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] };
  const res = await request(`${sidecarUrl}/v2/models/iris/versions/${version}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': id },
    body: JSON.stringify({ inputs: [input] }),
  });
  await res.body.dump();
  return res.statusCode;
}

beforeAll(async () => {
  const es = await sharedElasticsearch();
  dir = mkdtempSync(path.join(tmpdir(), 'e2e-versions-'));
  models = [await serveModel(['--model-version', '1']), await serveModel(['--model-version', '2'])];
  const sinks = {
    elasticsearch: { url: es.url, inferenceIndex: INDICES.inference, feedbackIndex: INDICES.feedback },
  };
  sidecars = [
    await startIrisSidecar(models[0].url, { ...sinks, spoolDir: path.join(dir, 'spool-1') }),
    await startIrisSidecar(models[1].url, { ...sinks, spoolDir: path.join(dir, 'spool-2') }),
  ];

  const columns = Object.fromEntries(IRIS.features.map((f, i) => [f, train.map((r) => Number(r[i]))]));
  await createFileBaselineStore(path.join(dir, 'baselines')).put({
    model: 'iris',
    version: '1',
    source: 'train.csv',
    profile: buildReferenceProfile(columns),
  });

  // Interleaved, as a 50% canary would be: the same training rows to both versions.
  const rowsOf = (i: number) => [0, 1].map((r) => train[(i * 2 + r) % train.length].slice(0, 4).map(Number));
  for (let i = 0; i < CALLS; i++) {
    expect(await call(sidecars[0].url, '1', `${RUN}-1-${i}`, rowsOf(i))).toBe(200);
    expect(await call(sidecars[1].url, '2', `${RUN}-2-${i}`, rowsOf(i))).toBe(200);
    if (i < BAD) expect(await call(sidecars[1].url, '2', `${RUN}-2-bad-${i}`, null)).toBe(400);
  }
  await postIrisFeedback(sidecars[0].adminUrl, `${RUN}-1`, CALLS);
  await postIrisFeedback(sidecars[1].adminUrl, `${RUN}-2`, CALLS);

  exporter = await startExporter(
    parseExporterConfig({
      models: [{ name: 'iris' }],
      source: {
        kind: 'elasticsearch',
        url: es.url,
        inferenceIndex: INDICES.inference,
        feedbackIndex: INDICES.feedback,
      },
      baselineStore: { kind: 'file', dir: path.join(dir, 'baselines') },
      window: { kind: 'sliding', sizeSeconds: 600, stepSeconds: 1, minimumSamples: 100, graceSeconds: 0 },
      versions: { minimumSamples: 100 },
      schedule: { intervalSeconds: 1 },
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
    }),
  );
  prometheus = await startRulesPrometheus({ exporter: exporter.url, shortFor: true });
}, 300_000);

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.stop();
  for (const s of sidecars) await s.stop();
  for (const m of models) await m.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ROWS_1 = CALLS * 2;
const ROWS_2 = CALLS * 2 + BAD; // a call the model server refused is one event

test('Prometheus has each version apart, and the model as a whole', async () => {
  const samples = await until('both versions in Prometheus', async () => {
    const r = await promQuery(prometheus.url, 'plumbline_version_window_samples{model="iris"}');
    const byVersion = Object.fromEntries(r.map((s) => [s.metric.model_version, Number(s.value[1])]));
    return byVersion['1'] === ROWS_1 && byVersion['2'] === ROWS_2 ? byVersion : undefined;
  });
  expect(samples).toEqual({ '1': ROWS_1, '2': ROWS_2 });
  const overall = await promQuery(prometheus.url, 'sum(plumbline_exporter_window_samples{model="iris"})');
  expect(Number(overall[0].value[1])).toBe(ROWS_1 + ROWS_2);
  const errors = await promQuery(prometheus.url, 'plumbline_version_error_ratio{model="iris"}');
  expect(Object.fromEntries(errors.map((s) => [s.metric.model_version, Number(s.value[1])]))).toEqual({
    '1': 0,
    '2': BAD / ROWS_2,
  });
  const accuracy = await promQuery(prometheus.url, 'plumbline_version_accuracy{model="iris"}');
  expect(accuracy.map((s) => s.metric.model_version).sort()).toEqual(['1', '2']);
});

test('the exporter says version 2 is worse than version 1, and the rollout alert fires', async () => {
  const res = await request(`http://127.0.0.1:${exporter.port}/api/models/iris/versions/compare?a=1&b=2`);
  const body = (await res.body.json()) as {
    verdict: string;
    tests: { metric: string; direction: string | null }[];
  };
  expect(res.statusCode).toBe(200);
  expect(body.verdict).toBe('worse');
  expect(body.tests.find((t) => t.metric === 'error_rate')!.direction).toBe('worse');
  const alert = await until(
    'PlumblineNewVersionWorse firing',
    async () => {
      const r = await promQuery(
        prometheus.url,
        'ALERTS{alertname="PlumblineNewVersionWorse", alertstate="firing", metric="error_rate"}',
      );
      return r.length ? r[0].metric : undefined;
    },
    60_000,
  );
  expect(alert).toMatchObject({
    model: 'iris',
    model_version: '2',
    baseline_version: '1',
    severity: 'critical',
  });
});

test("every query of the Model versions board returns both versions' data, or is empty by nature", async () => {
  // Empty by nature: no segments configured, a classifier (no MAE), no shadow traffic (shadow-agreement.int has it).
  const emptyByNature = /segment_|_mae|shadow_/;
  const queries = dashboardQueries().filter((q) => q.where.startsWith('plumbline-model-versions'));
  expect(queries.length).toBeGreaterThan(10);
  let empty: string[] = [];
  await until(
    'the board queries to return data',
    async () => {
      empty = [];
      for (const q of queries) {
        const result = await promQuery(
          prometheus.url,
          concrete(q.expr, 'iris', { champion: '1', challenger: '2' }),
        );
        if (result.length === 0 && !emptyByNature.test(q.expr)) empty.push(`${q.where}: ${q.expr}`);
      }
      return empty.length === 0 ? true : undefined;
    },
    60_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\nstill empty:\n${empty.join('\n')}`);
  });
});
