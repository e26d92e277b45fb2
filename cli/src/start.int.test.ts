// `plumbline start` as a user runs it: the built CLI in a child process, the real model server, sidecar and spool
// (and the exporter, once it lands). Run `npm run build` first (`npm test` does, through `npm run typecheck`).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { SHIPPED_MODEL } from '@plumbline/sidecar';
import { openSpoolReader } from '@plumbline/spool';
import { readTrainingData } from './demo/training-data';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'plumbline.js');

interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match in stdout at or after `from`; `index` is relative to the whole stdout. */
  waitFor(pattern: RegExp, timeoutMs: number, from?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, 'start', ...args], { cwd: ROOT, env: { ...process.env } });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      for (const w of waiters) w();
      resolve({ code, signal });
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs, from = 0) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = pattern.exec(out.slice(from));
          if (m) {
            done();
            m.index = (m.index ?? 0) + from;
            resolve(m);
          } else if (child.exitCode !== null) {
            done();
            reject(new Error(`exited before ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

const PORTS = ['--port', '0', '--admin-port', '0', '--model-port', '0', '--exporter-port', '0'];
let spoolDir: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'cli', 'dist', 'main.js'))) {
    throw new Error('the CLI is not built: run `npm run build` before this test');
  }
});
beforeEach(() => {
  spoolDir = mkdtempSync(path.join(os.tmpdir(), 'plumbline-start-test-'));
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(spoolDir, { recursive: true, force: true });
});

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

it('serves inference through the sidecar, detects the planted drift, and stops cleanly on SIGINT', async () => {
  // Fast settings: 5 s windows evaluated every second, drift planted after 8 s.
  const r = run([
    ...PORTS,
    '--spool-dir',
    spoolDir,
    '--rate',
    '40',
    '--drift-after',
    '8',
    '--window',
    '5',
    '--evaluate-every',
    '1',
    '--min-samples',
    '30',
    '--status-every',
    '0',
    '--duration',
    '55',
  ]);
  children.push(r.child);
  const [, sidecarUrl] = await r.waitFor(/sidecar {8}(http:\/\/\S+)/, 20_000);
  const [, adminUrl] = await r.waitFor(/sidecar admin {2}(http:\/\/\S+)\/metrics/, 1_000);
  const [, exporterMetricsUrl, exporterApiUrl] = await r.waitFor(
    /exporter {7}(http:\/\/\S+) {2}(http:\/\/\S+)/,
    1_000,
  );

  // A client's request through the sidecar gets the model's answer, with its request id kept.
  const res = await fetch(`${sidecarUrl}/v2/models/iris/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'test-client-1' },
    body: JSON.stringify({
      inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }],
    }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('x-request-id')).toBe('test-client-1');
  const body = (await res.json()) as {
    model_name: string;
    outputs: Array<{ name: string; data: unknown[] }>;
  };
  expect(body.model_name).toBe('iris');
  expect(body.outputs.find((o) => o.name === 'label')?.data).toEqual(['setosa']);

  // Before the drift: windows with a verdict and no drift.
  await r.waitFor(/ n=\d+ {2}drift share 0\.00 \(0\/4\) {2}ok/, 20_000);
  const planted = await r.waitFor(/>> drift planted: petal_length_cm \+1\.2, sepal_width_cm -0\.6/, 15_000);
  // After it: a dataset-drift line naming the shifted features.
  const [, drifting] = await r.waitFor(
    /drift share [\d.]+ \(\d\/4\) {2}DRIFT {2}(.*)/,
    20_000,
    (planted.index ?? 0) + planted[0].length,
  );
  expect(drifting).toContain('petal_length_cm');
  expect(drifting).toContain('sepal_width_cm');

  // The metrics endpoints the banner points at answer.
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  expect(metrics).toMatch(/plumbline_sidecar_requests_total\{[^}]*model="iris"[^}]*\} \d+/);
  const exporterMetrics = await (await fetch(exporterMetricsUrl)).text();
  expect(exporterMetrics).toContain('plumbline_exporter_');
  expect((await fetch(exporterApiUrl)).status).toBe(200);

  r.child.kill('SIGINT');
  const exit = await r.exited;
  expect(exit).toEqual({ code: 0, signal: null });
  expect(r.stdout()).toContain('SIGINT: stopping…');
  expect(r.stdout()).toContain('plumbline start: stopped cleanly');
  expect(r.stderr()).not.toMatch(/unhandled|Error:/i);

  // Everything the demo sent is in the embedded store, drifted rows shifted as planned, ground truth alongside.
  const events: InferenceEvent[] = [];
  const feedback: FeedbackEvent[] = [];
  for await (const entry of openSpoolReader(spoolDir).entries()) {
    if (entry.kind === 'inference') events.push(entry.event);
    else feedback.push(entry.event);
  }
  const [, requests, rows] = /demo traffic: (\d+) requests \(0 failed\), (\d+) rows/.exec(r.stdout()) ?? [];
  const demo = events.filter((e) => e.request_id.startsWith('demo-'));
  expect(demo).toHaveLength(Number(rows));
  expect(new Set(demo.map((e) => e.request_id)).size).toBe(Number(requests));
  expect(events.find((e) => e.request_id === 'test-client-1')?.outputs.label).toBe('setosa');
  expect(feedback.length).toBeGreaterThan(0);
  const byTime = [...demo].sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']));
  const petal = (e: InferenceEvent): number => e.features.petal_length_cm as number;
  // Deterministic, not a comparison of sample means (that flaked ~6% of runs with 40 rows a side): early rows
  // are training rows as they are, the last rows (sent well after the drift was planted) are training rows + 1.2.
  const training = readTrainingData(SHIPPED_MODEL.trainCsvPath);
  const column = training.features.indexOf('petal_length_cm');
  const trainingPetals = training.rows.map((row) => row[column]);
  const isTrainingValue = (v: number): boolean => trainingPetals.some((t) => Math.abs(t - v) < 1e-6);
  const early = byTime.slice(0, 40).map(petal);
  const late = byTime.slice(-40).map(petal);
  expect(early.every(isTrainingValue)).toBe(true);
  expect(late.every((v) => isTrainingValue(v - 1.2))).toBe(true);
  // Every drifted row is above the training minimum + 1.2; before the drift, short petals (setosa) are common.
  const shiftedFloor = Math.min(...trainingPetals) + 1.2 - 1e-6;
  expect(late.every((v) => v >= shiftedFloor)).toBe(true);
  expect(early.some((v) => v < shiftedFloor)).toBe(true);
  expect(mean(late)).toBeGreaterThan(mean(early));
}, 60_000);

it('after the drift, breaks petal_width_cm as a pipeline would and prints the checks that catch it', async () => {
  // 5 s windows every second; drift after 4 s, petal_width_cm missing from 8 s to 14 s, then in millimetres.
  const r = run([
    ...PORTS,
    '--spool-dir',
    spoolDir,
    '--rate',
    '40',
    '--drift-after',
    '4',
    '--break-after',
    '8',
    '--break-missing-for',
    '6',
    '--window',
    '5',
    '--evaluate-every',
    '1',
    '--min-samples',
    '30',
    '--status-every',
    '0',
    '--duration',
    '50',
  ]);
  children.push(r.child);
  const missing = await r.waitFor(/>> pipeline break: petal_width_cm goes missing for 6 s/, 40_000);
  // The windows that hold the null rows fail a missing check of petal_width_cm (missing_share, or missing_column
  // once every row of the window is missing).
  const caught = await r.waitFor(
    /data quality: \d+ failed {2}.*petal_width_cm missing_(share|column)/,
    15_000,
    missing.index,
  );
  const back = await r.waitFor(/>> pipeline break: petal_width_cm is back, in the wrong unit \(×10/, 15_000);
  expect(back.index).toBeGreaterThan(caught.index ?? 0);
  // Once the missing rows have left the window, the wrong unit alone: out of the reference's range.
  const [unitLine] = await r.waitFor(
    /data quality: \d+ failed {2}(?:(?!petal_width_cm missing).)*petal_width_cm out_of_range_share [\d.]+ > [\d.]+(?:(?!petal_width_cm missing).)*$/m,
    20_000,
    back.index,
  );
  expect(unitLine).not.toContain('petal_width_cm missing');
  r.child.kill('SIGINT');
  expect(await r.exited).toEqual({ code: 0, signal: null });
  expect(r.stderr()).not.toMatch(/unhandled|Error:/i);

  // What the sidecar captured: null while missing (the model server refused those requests), then ×10 values.
  const demo: InferenceEvent[] = [];
  for await (const entry of openSpoolReader(spoolDir).entries())
    if (entry.kind === 'inference' && entry.event.request_id.startsWith('demo-')) demo.push(entry.event);
  const width = (e: InferenceEvent): unknown => e.features.petal_width_cm;
  const byTime = demo.sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']));
  expect(byTime.some((e) => width(e) === null && e.http_status === 400)).toBe(true);
  const training = readTrainingData(SHIPPED_MODEL.trainCsvPath);
  const column = training.features.indexOf('petal_width_cm');
  const trainingWidths = new Set(training.rows.map((row) => Math.round(row[column] * 1e6)));
  const late = byTime.slice(-40).map(width) as number[];
  expect(late.every((v) => typeof v === 'number' && trainingWidths.has(Math.round(v * 1e5)))).toBe(true);
  expect(byTime.slice(0, 40).every((e) => trainingWidths.has(Math.round((width(e) as number) * 1e6)))).toBe(
    true,
  );
}, 60_000);

it('--duration ends the run by itself with exit 0; --no-demo sends nothing', async () => {
  const r = run([...PORTS, '--no-demo', '--duration', '2']);
  children.push(r.child);
  expect(await r.exited).toEqual({ code: 0, signal: null });
  expect(r.stdout()).toContain('demo traffic   off (--no-demo)');
  expect(r.stdout()).toContain('--duration 2 s reached: stopping…');
  expect(r.stdout()).toContain('plumbline start: stopped cleanly');
  // The temporary spool it created is gone.
  const [, spool] = /spool {10}(\S+) \(temporary\)/.exec(r.stdout()) ?? [];
  expect(spool).toBeDefined();
  expect(existsSync(spool)).toBe(false);
}, 30_000);

it('refuses a bad flag with exit 2, naming it', async () => {
  const r = run([...PORTS, '--rate', 'fast']);
  children.push(r.child);
  expect(await r.exited).toEqual({ code: 2, signal: null });
  expect(r.stderr()).toContain('--rate: expected a number from 0.1 to 500, got "fast"');
});
