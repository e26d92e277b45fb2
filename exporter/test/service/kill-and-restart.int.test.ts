/**
 * Issue #18: "kill the exporter mid-window and restart it: the reported counts equal an uninterrupted run's".
 * The built `plumbline exporter` runs twice side by side on the same spool (what the sidecar's own pipeline
 * writes): A uninterrupted, B with a checkpoint directory. B is SIGKILLed while events keep arriving, then started
 * again: it resumes from its checkpoint (it re-reads only what came after it) and its window equals A's — rows,
 * every feature's n and missing, the predictions. Run `npm run build` first (`npm test` does).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createPipeline } from '@plumbline/sidecar';
import { request } from 'undici';
import { createFileBaselineStore } from '../../src/baseline/file-store';
import { buildReferenceProfile } from '../../src/drift/in-memory-profile-builder';
import { eventually } from '../helpers/counters';
import {
  consumedFromSpool,
  requireBuiltCli,
  startExporterProcess,
  type ExporterProcess,
} from '../helpers/exporter-process';
import { feedbackEvent, inferenceEvent } from '../helpers/events';

jest.setTimeout(240_000);

const u = (i: number) => (i * 0.6180339887498949) % 1;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the /api body is checked field by field
async function latest(url: string): Promise<any> {
  const res = await request(`${url}/api/models/iris/drift?limit=1`);
  if (res.statusCode !== 200) {
    await res.body.dump();
    return null;
  }
  return ((await res.body.json()) as { latest: unknown }).latest;
}

const dir = mkdtempSync(path.join(tmpdir(), 'plumbline-exporter-restart-'));
const spoolDir = path.join(dir, 'spool');
const running: ExporterProcess[] = [];

afterAll(() => {
  for (const p of running) p.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

it('a SIGKILLed exporter restarted from its checkpoint reports what an uninterrupted one does', async () => {
  requireBuiltCli();
  // The baseline: x around 5, color red/blue.
  const store = createFileBaselineStore(path.join(dir, 'baselines'));
  await store.put({
    model: 'iris',
    version: '1',
    source: 'test',
    profile: buildReferenceProfile(
      {
        x: Array.from({ length: 2000 }, (_, i) => 3 + 4 * u(i)),
        color: Array.from({ length: 2000 }, (_, i) => (i % 2 ? 'red' : 'blue')),
      },
      { columnTypes: { color: 'categorical' } },
    ),
  });
  const config = (checkpoint: string | null) => ({
    models: [{ name: 'iris' }],
    source: { kind: 'spool', dir: spoolDir },
    baselineStore: { kind: 'file', dir: path.join(dir, 'baselines') },
    window: { kind: 'sliding', sizeSeconds: 600, stepSeconds: 10, minimumSamples: 10, graceSeconds: 1 },
    schedule: { intervalSeconds: 0.5 },
    checkpoint: { dir: checkpoint, intervalSeconds: 1 },
    host: '127.0.0.1',
    port: 0,
    logLevel: 'info',
  });
  writeFileSync(path.join(dir, 'a.json'), JSON.stringify(config(null)));
  writeFileSync(path.join(dir, 'b.json'), JSON.stringify(config(path.join(dir, 'checkpoint'))));

  const pipeline = createPipeline({ spool: { dir: spoolDir, fsync: 'never' } });
  const T0 = Math.floor((Date.now() - 240_000) / 10_000) * 10_000;
  let written = 0;
  async function write(n: number, spanMs: number, from: number): Promise<void> {
    for (let chunk = 0; chunk < n; chunk += 1000) {
      const events = Array.from({ length: Math.min(1000, n - chunk) }, (_, k) => {
        const i = written + chunk + k;
        return inferenceEvent({
          requestId: `r${i}`,
          at: from + Math.floor(((chunk + k) * spanMs) / n),
          // Missing values and a mismatched type now and then: their counts must survive the restart too.
          features:
            i % 97 === 0
              ? { color: 'red' }
              : { x: i % 89 === 0 ? 'n/a' : 3 + 4 * u(i), color: i % 3 ? 'red' : 'blue' },
          label: i % 2 ? 'a' : 'b',
          confidence: 0.3 + 0.7 * u(i + 1),
        });
      });
      pipeline.submit(events);
      pipeline.submitFeedback(
        events
          .filter((_, k) => k % 10 === 0)
          .map((e) => feedbackEvent({ requestId: e.request_id, at: from + spanMs, truth: 'a' })),
      );
      await pipeline.flush();
    }
    written += n;
  }

  const a = await startExporterProcess(path.join(dir, 'a.json'), dir);
  running.push(a);
  let b = await startExporterProcess(path.join(dir, 'b.json'), dir);
  running.push(b);
  await write(30_000, 120_000, T0);
  await eventually(
    async () => (await consumedFromSpool(b.url)) >= 30_000,
    60_000,
    'B reading the first 30,000 events',
  );
  await new Promise((r) => setTimeout(r, 2500)); // at least one checkpoint after that
  b.child.kill('SIGKILL');
  await b.exited;
  await write(30_000, 60_000, T0 + 120_000); // events arrive while B is down

  b = await startExporterProcess(path.join(dir, 'b.json'), dir);
  running.push(b);
  await pipeline.close();
  await eventually(async () => (await consumedFromSpool(a.url)) >= 60_000, 60_000, 'A reading every event');
  // B resumed from its checkpoint: it read no more than what came after it.
  const bRead = await eventually(
    async () => {
      const n = await consumedFromSpool(b.url);
      return n >= 30_000 ? n : false;
    },
    60_000,
    'B reading the events written while it was down',
  );
  expect(bRead).toBeLessThan(60_000);
  expect(b.output()).toMatch(/window checkpoint restored/);

  // Both evaluate the same range once caught up: compare the first one both have evaluated since.
  const caughtUp = Date.now();
  const [ra, rb] = await eventually(
    async () => {
      const [x, y] = [await latest(a.url), await latest(b.url)];
      return x &&
        y &&
        x.window.to === y.window.to &&
        Date.parse(x.evaluatedAt) > caughtUp + 1000 &&
        Date.parse(y.evaluatedAt) > caughtUp + 1000
        ? [x, y]
        : false;
    },
    60_000,
    'both exporters evaluating the same window after catching up',
  );
  expect(ra.status).toBe('ok');
  expect(ra.samples).toBe(60_000);
  expect(rb.samples).toBe(ra.samples);
  expect(rb.features.map((f: { n: number[]; missing: number[] }) => [f.n, f.missing])).toEqual(
    ra.features.map((f: { n: number[]; missing: number[] }) => [f.n, f.missing]),
  );
  // x is absent from every 97th event (missing); 'n/a' is a type mismatch, not missing.
  expect(ra.features.find((f: { name: string }) => f.name === 'x').missing[1]).toBe(
    Array.from({ length: 60_000 }, (_, i) => i).filter((i) => i % 97 === 0).length,
  );
  // Exact counts and moments agree; quantiles come from each instance's own uniform sample.
  for (const name of ['x', 'color']) {
    expect(rb.summaries[name].rows).toBe(ra.summaries[name].rows);
    expect(rb.summaries[name].missingRatio).toBe(ra.summaries[name].missingRatio);
  }
  expect(rb.summaries.x.numeric.mean).toBeCloseTo(ra.summaries.x.numeric.mean, 12);
  expect(rb.summaries.x.numeric.min).toBe(ra.summaries.x.numeric.min);
  expect(rb.summaries.x.numeric.max).toBe(ra.summaries.x.numeric.max);
  expect(rb.quality.predictions).toBe(60_000);
  expect(rb.quality.labelled).toBe(ra.quality.labelled);
  expect(rb.quality.accuracy).toBe(ra.quality.accuracy);
  // The label horizon store (issue #11) too: B's, beside its checkpoint, was killed mid-write and reopened; the
  // events B read again after the checkpoint's position changed nothing there twice.
  const hourOf = (r: { qualityByPredictionTime: { ranges: { range: string }[] } }) =>
    r.qualityByPredictionTime.ranges.find((q) => q.range === '1h');
  expect(hourOf(ra)).toMatchObject({ predictions: 60_000 });
  expect(hourOf(rb)).toEqual(hourOf(ra));
});
