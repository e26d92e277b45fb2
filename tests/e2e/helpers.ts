/**
 * Small helpers the end-to-end suites share: polling, the model server as a child process, the sidecar in front of
 * it with iris traffic and ground truth, Prometheus with the shipped rules, PromQL.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { parseConfig, SHIPPED_MODEL, startSidecar } from '@plumbline/sidecar';
import { startPrometheus, type ServiceHandle } from '@plumbline/harness';
import { PROMETHEUS_RULES } from '../contract/sources';

/** An instant PromQL query (the harness's): the e2e suites import it from here. */
export { promQuery } from '@plumbline/harness';

export const ROOT = path.join(__dirname, '..', '..');

/** Polls `probe` until it returns a value (not undefined); throws with `what` (and the last error) on timeout. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface ModelServerProcess {
  url: string;
  stop(): Promise<void>;
}

/**
 * The model server as users run it: the built CLI in a child process (onnxruntime-node's typed-array checks fail
 * inside jest's sandboxed globals, so it cannot run in the test process).
 */
export async function serveModel(extraArgs: readonly string[] = []): Promise<ModelServerProcess> {
  if (!existsSync(path.join(ROOT, 'cli', 'dist', 'main.js'))) {
    throw new Error('the CLI is not built: run `npm run build` before this test');
  }
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'plumbline.js'), 'serve-model', '--port', '0', ...extraArgs],
    { cwd: ROOT },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = / on (http:\/\/\S+) /.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`serve-model exited with ${code}:\n${out}`)));
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A dashboard query with its Grafana variables filled in for one model (the Model versions board's champion and
 * challenger: any version, unless given).
 */
export function concrete(
  expr: string,
  model: string,
  versions: { champion?: string; challenger?: string } = {},
): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$model', model)
    .replaceAll('$version', '.*')
    .replaceAll('$feature', '.*')
    .replaceAll('$champion', versions.champion ?? '.*')
    .replaceAll('$challenger', versions.challenger ?? '.*')
    .replaceAll('$segment_feature', '.*')
    .replaceAll('$segment', '.*');
}

/** The shipped iris model's feature and class names. */
export const IRIS = JSON.parse(readFileSync(SHIPPED_MODEL.metadataPath, 'utf8')) as {
  features: string[];
  classes: string[];
};

/** The shipped iris training rows (train.csv without its header line): four feature cells, then the label. */
export const IRIS_TRAIN: readonly string[][] = readFileSync(SHIPPED_MODEL.trainCsvPath, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));

/**
 * Prometheus as the e2e suites run it: scraping every second the sidecar (admin URL) and the exporter given, as the
 * jobs `plumbline-sidecar` and `plumbline-exporter`, and evaluating the shipped rule file every second. With
 * `shortFor` every `for:` is 3 s too — expressions, labels and annotations stay as shipped — so a test waits seconds
 * for an alert, not minutes. Alerts go to `alertmanager` (its URL) when given.
 */
export function startRulesPrometheus(options: {
  sidecars?: readonly string[];
  exporter?: string;
  alertmanager?: string;
  shortFor: boolean;
}): Promise<ServiceHandle> {
  let rules = readFileSync(PROMETHEUS_RULES, 'utf8').replaceAll('interval: 1m', 'interval: 1s');
  if (options.shortFor) rules = rules.replace(/for: \d+m/g, 'for: 3s');
  const targets = (urls: readonly string[]) => urls.map((u) => `'${new URL(u).host}'`).join(', ');
  const lines = [
    'global: { scrape_interval: 1s, evaluation_interval: 1s }',
    'rule_files: [plumbline.rules.yml]',
  ];
  if (options.alertmanager)
    lines.push(
      `alerting: { alertmanagers: [{ static_configs: [{ targets: [${targets([options.alertmanager])}] }] }] }`,
    );
  lines.push('scrape_configs:');
  if (options.sidecars?.length)
    lines.push(
      `  - { job_name: plumbline-sidecar, static_configs: [{ targets: [${targets(options.sidecars)}] }] }`,
    );
  if (options.exporter)
    lines.push(
      `  - { job_name: plumbline-exporter, static_configs: [{ targets: [${targets([options.exporter])}] }] }`,
    );
  return startPrometheus({ config: lines.join('\n'), ruleFiles: { 'plumbline.rules.yml': rules } });
}

/**
 * The sidecar as the e2e suites run it: in front of `upstream`, model iris over V2, writing to `sinks`; `extra`:
 * more top-level config keys (e.g. `shadow`).
 */
export function startIrisSidecar(
  upstream: string,
  sinks: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return startSidecar(
    parseConfig({
      ...extra,
      upstream,
      host: '127.0.0.1',
      port: 0,
      adminPort: 0,
      model: 'iris',
      protocol: 'v2',
      logLevel: 'warn',
      models: {
        iris: {
          features: IRIS.features,
          classes: IRIS.classes,
          task: 'classification',
          histogramFeatures: IRIS.features,
        },
      },
      sinks: { ...sinks, flushIntervalMs: 200 },
    }),
  );
}

/**
 * `count` sequential V2 calls of iris through the sidecar at `sidecarUrl`: call i sends the rows `rowsOf(i)` (four
 * features each, FP32) with request id `${run}-${i}`; each must answer 200.
 */
export async function sendIrisRequests(
  sidecarUrl: string,
  run: string,
  count: number,
  rowsOf: (i: number) => number[][],
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const rows = rowsOf(i);
    const res = await request(`${sidecarUrl}/v2/models/iris/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': `${run}-${i}` },
      body: JSON.stringify({
        inputs: [{ name: 'input', shape: [rows.length, 4], datatype: 'FP32', data: rows.flat() }],
      }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  }
}

/** Ground truth for row 0 of each of those `count` calls, the iris classes in turn; the sidecar must accept it. */
export async function postIrisFeedback(adminUrl: string, run: string, count: number): Promise<void> {
  const res = await request(`${adminUrl}/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      Array.from({ length: count }, (_, i) => ({
        request_id: `${run}-${i}`,
        row: 0,
        ground_truth: IRIS.classes[i % 3],
        model: 'iris',
        source: 'e2e',
      })),
    ),
  });
  expect(res.statusCode).toBeLessThan(300);
  await res.body.dump();
}
