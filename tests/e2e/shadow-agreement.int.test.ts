/**
 * Shadow traffic end to end (issue #14): the shipped ONNX model (built CLI, `--model-version 1`) is the primary, a
 * real MLServer (scikit-learn iris, version v2, harness) the shadow, behind one sidecar that writes to the embedded
 * spool store → the exporter follows the spool, pairs every shadow row with its primary row → its /metrics export
 * plumbline_shadow_agreement_ratio{model="iris", model_version="1", shadow_version="v2"} equal to the agreement of
 * the two servers' own predictions on the same inputs, and the model's own rows count the primary's alone.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { parseConfig as parseSidecarConfig, startSidecar } from '@plumbline/sidecar';
import { parseConfig as parseExporterConfig, startExporter, type RunningExporter } from '@plumbline/exporter';
import { artifactsDir, makeSklearnIrisModel, startMlServer, type MlServerHandle } from '@plumbline/harness';
import { IRIS, serveModel, until, type ModelServerProcess } from './helpers';

jest.setTimeout(300_000);

const REQUESTS = 30;
const ROWS_PER_REQUEST = 3;
const TOTAL = REQUESTS * ROWS_PER_REQUEST;

/** Rows over (and a little past) the iris ranges, from a fixed sequence: far from the clusters the models differ. */
function rows(n: number): number[][] {
  let state = 987654;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const ranges = [
    [4.0, 8.0],
    [1.8, 4.6],
    [0.8, 7.2],
    [0.0, 2.7],
  ];
  return Array.from({ length: n }, () =>
    ranges.map(([lo, hi]) => Math.round((lo + next() * (hi - lo)) * 10) / 10),
  );
}

/** Class names a V2 answer predicts: the `label` output (the ONNX model), else the first output (MLServer). */
function predictedClasses(body: string): string[] {
  const outputs = (JSON.parse(body) as { outputs: { name: string; data: (number | string)[] }[] }).outputs;
  const labels = outputs.find((o) => o.name === 'label') ?? outputs[0];
  return labels.data.map((v) => (typeof v === 'number' ? IRIS.classes[v] : v));
}

async function infer(url: string, id: string, batch: number[][]): Promise<string> {
  const res = await request(`${url}/v2/models/iris/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': id },
    body: JSON.stringify({
      id,
      inputs: [{ name: 'input', shape: [batch.length, 4], datatype: 'FP64', data: batch.flat() }],
    }),
  });
  const text = await res.body.text();
  expect(res.statusCode).toBe(200);
  return text;
}

/** The value of one series in a Prometheus text exposition, or undefined. */
function seriesIn(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

let dir: string;
let primary: ModelServerProcess;
let mlserver: MlServerHandle;
let sidecar: Awaited<ReturnType<typeof startSidecar>>;
let exporter: RunningExporter;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'e2e-shadow-'));
  mkdirSync(path.join(artifactsDir(), 'models'), { recursive: true });
  const modelDir = makeSklearnIrisModel(
    mkdtempSync(path.join(artifactsDir(), 'models', 'e2e-shadow-iris-')),
    {
      name: 'iris',
      version: 'v2',
    },
  );
  [primary, mlserver] = await Promise.all([
    serveModel(['--model-version', '1']),
    startMlServer({ modelDir }),
  ]);
  const spoolDir = path.join(dir, 'spool');
  sidecar = await startSidecar(
    parseSidecarConfig({
      upstream: primary.url,
      host: '127.0.0.1',
      port: 0,
      adminPort: 0,
      model: 'iris',
      protocol: 'v2',
      logLevel: 'warn',
      models: { iris: { features: IRIS.features, classes: IRIS.classes, task: 'classification' } },
      shadow: { url: mlserver.url, timeoutMs: 30_000 },
      sinks: { spoolDir, spoolFsync: 'never', flushIntervalMs: 200 },
    }),
  );
  exporter = await startExporter(
    parseExporterConfig({
      models: [{ name: 'iris', features: IRIS.features }],
      source: { kind: 'spool', dir: spoolDir },
      window: { kind: 'sliding', sizeSeconds: 600, stepSeconds: 1, minimumSamples: 10, graceSeconds: 0 },
      schedule: { intervalSeconds: 1 },
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
    }),
  );
});

afterAll(async () => {
  await exporter?.stop();
  await sidecar?.stop();
  await mlserver?.stop();
  await primary?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the exporter's agreement ratio is the two models' agreement on the same inputs", async () => {
  const inputs = rows(TOTAL);
  const direct: { primary: string[]; shadow: string[] } = { primary: [], shadow: [] };
  for (let i = 0; i < REQUESTS; i++) {
    const batch = inputs.slice(i * ROWS_PER_REQUEST, (i + 1) * ROWS_PER_REQUEST);
    await infer(sidecar.url, `e2e-shadow-${i}`, batch);
    direct.primary.push(...predictedClasses(await infer(primary.url, `direct-${i}`, batch)));
    direct.shadow.push(...predictedClasses(await infer(mlserver.url, `direct-shadow-${i}`, batch)));
  }
  const agree = direct.primary.filter((label, i) => label === direct.shadow[i]).length;
  // Not a trivial agreement: the inputs reach where the two models differ.
  expect(agree).toBeLessThan(TOTAL);
  expect(agree).toBeGreaterThan(0);

  const pair = 'model="iris",model_version="1",shadow_version="v2"';
  const metrics = await until('every pair on the exporter', async () => {
    const res = await request(`http://127.0.0.1:${exporter.port}/metrics`);
    const text = await res.body.text();
    return seriesIn(text, 'plumbline_shadow_pairs', pair) === TOTAL ? text : undefined;
  });
  expect(seriesIn(metrics, 'plumbline_shadow_agreement_ratio', pair)).toBe(agree / TOTAL);
  // The model's window holds the primary's rows only.
  expect(seriesIn(metrics, 'plumbline_exporter_window_samples', 'model="iris",model_version="1"')).toBe(
    TOTAL,
  );
  const api = await request(`http://127.0.0.1:${exporter.port}/api/models/iris/shadow`);
  expect(api.statusCode).toBe(200);
  expect(await api.body.json()).toMatchObject({
    agreements: [{ modelVersion: '1', shadowVersion: 'v2', pairs: TOTAL, agreementRatio: agree / TOTAL }],
    versions: [{ shadowVersion: 'v2', rows: TOTAL, unpaired: 0 }],
  });
});
