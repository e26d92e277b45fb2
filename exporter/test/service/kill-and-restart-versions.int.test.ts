/**
 * Issue #14: per-version, per-segment and shadow-pair window state survives a restart. The built
 * `plumbline exporter` runs twice side by side on the same spool (what the sidecar's own pipeline writes): A
 * uninterrupted, B with a checkpoint directory. Version 1 alone answers at first (its slice mirrors the model's
 * store), a shadow version 3 answers a quarter of the rows — some of its answers to rows before the kill come only
 * after it — and labels come for every tenth row. B is SIGKILLed while events keep arriving, version 2 starts
 * answering while it is down, and B is started again from its checkpoint. Once both evaluated the same window, B's
 * `/versions` (with its comparisons), `/versions/compare`, `/segments` and `/shadow` equal A's: rows, errors,
 * latency quantiles, realized quality, pairs and agreement. Run `npm run build` first (`npm test` does).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { InferenceEvent } from '@plumbline/schema';
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
import { shadowOf } from '../helpers/shadow-events';

jest.setTimeout(240_000);

const u = (i: number) => (i * 0.6180339887498949) % 1;
const COLORS = ['red', 'blue', 'green', 'black'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the /api bodies are compared whole
async function get(url: string): Promise<any> {
  const res = await request(url);
  if (res.statusCode !== 200) {
    await res.body.dump();
    return null;
  }
  return res.body.json();
}

/** The latest window's slices and shadow pairs, all of one evaluation (throws while they are not). */
async function reports(url: string) {
  const api = `${url}/api/models/iris`;
  const versions = await get(`${api}/versions`);
  const segments = await get(`${api}/segments`);
  const shadow = await get(`${api}/shadow`);
  const compare = await get(`${api}/versions/compare?a=1&b=2`);
  const all = { versions, segments, shadow, compare };
  for (const [name, r] of Object.entries(all)) {
    if (r === null) throw new Error(`${url}: no ${name} yet`);
    // Each window is evaluated once: the same window is the same evaluation.
    if (r.window.to !== versions.window.to)
      throw new Error(`${url}: ${name} of the window to ${r.window.to}, versions to ${versions.window.to}`);
  }
  return all;
}

/** What must equal between the two: everything but drift and quantiles of raw values (each its own sample). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the /api bodies are compared field by field
function countsOf(r: any) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  const slice = (s: any) => ({
    version: s.version,
    feature: s.feature,
    segment: s.segment,
    status: s.status,
    samples: s.samples,
    firstSeen: s.firstSeen,
    quality: s.quality,
    confidence: s.confidence,
    classMix: s.classMix,
    traffic: s.traffic,
  });
  return {
    window: r.versions.window,
    versions: r.versions.versions.map(slice),
    comparisons: r.versions.comparisons,
    segments: r.segments.segments.map(slice),
    shadow: { agreements: r.shadow.agreements, versions: r.shadow.versions },
    compare: { ...r.compare, evaluatedAt: undefined },
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'plumbline-exporter-restart-versions-'));
const spoolDir = path.join(dir, 'spool');
const running: ExporterProcess[] = [];

afterAll(() => {
  for (const p of running) p.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

it('a SIGKILLed exporter restarted from its checkpoint reports the versions, segments and shadow pairs an uninterrupted one does', async () => {
  requireBuiltCli();
  // The baseline: x around 5, color mostly red, blue and green (the three segments; black and the rest: other).
  const store = createFileBaselineStore(path.join(dir, 'baselines'));
  await store.put({
    model: 'iris',
    version: '1',
    source: 'test',
    profile: buildReferenceProfile(
      {
        x: Array.from({ length: 2000 }, (_, i) => 3 + 4 * u(i)),
        color: Array.from({ length: 2000 }, (_, i) => COLORS[i % 7 === 0 ? 3 : i % 3]),
      },
      { columnTypes: { color: 'categorical' } },
    ),
  });
  const config = (checkpoint: string | null) => ({
    models: [{ name: 'iris', segments: ['color'] }],
    source: { kind: 'spool', dir: spoolDir },
    baselineStore: { kind: 'file', dir: path.join(dir, 'baselines') },
    window: { kind: 'sliding', sizeSeconds: 600, stepSeconds: 10, minimumSamples: 10, graceSeconds: 1 },
    schedule: { intervalSeconds: 0.5 },
    segments: { topK: 3 },
    versions: { minimumSamples: 50 },
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
  /** Inference events given to the spool so far (primaries and shadows). */
  let submitted = 0;
  /** Shadow answers held back, to be written with the next batch (they straddle the kill). */
  let lateShadows: InferenceEvent[] = [];
  async function write(
    n: number,
    spanMs: number,
    from: number,
    versionOf: (i: number) => string,
  ): Promise<void> {
    for (let chunk = 0; chunk < n; chunk += 1000) {
      const events = Array.from({ length: Math.min(1000, n - chunk) }, (_, k): InferenceEvent => {
        const i = written + chunk + k;
        const e = inferenceEvent({
          requestId: `r${i}`,
          at: from + Math.floor(((chunk + k) * spanMs) / n),
          version: versionOf(i),
          features: { x: 3 + 4 * u(i), color: COLORS[i % 11 === 0 ? 3 : i % 3] },
          label: u(i + 2) < 0.6 ? 'a' : 'b',
          confidence: 0.3 + 0.7 * u(i + 1),
        });
        return {
          ...e,
          http_status: i % 37 === 0 ? 503 : 200,
          latency_ms: { total: 2 + ((i * 7919) % 250) / 10, upstream: 1 },
        };
      });
      const shadows = events
        .filter((_, k) => (written + chunk + k) % 4 === 0)
        .map((p, k) => shadowOf(p, '3', k % 5 === 0 ? { label: p.outputs.label === 'a' ? 'b' : 'a' } : {}));
      // Half of the shadow answers come with the next batch.
      const batch = [...events, ...lateShadows, ...shadows.filter((_, k) => k % 2 === 0)];
      pipeline.submit(batch);
      submitted += batch.length;
      lateShadows = shadows.filter((_, k) => k % 2 === 1);
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
  await write(20_000, 120_000, T0, () => '1'); // version 1 alone
  const firstPart = submitted;
  await eventually(
    async () => (await consumedFromSpool(b.url)) >= firstPart,
    60_000,
    'B reading the first part',
  );
  await new Promise((r) => setTimeout(r, 2500)); // at least one checkpoint after that
  b.child.kill('SIGKILL');
  await b.exited;
  // Events arrive while B is down: version 2 now answers a third of the rows.
  await write(20_000, 60_000, T0 + 120_000, (i) => (i % 3 === 0 ? '2' : '1'));
  pipeline.submit(lateShadows);
  await pipeline.flush();
  submitted += lateShadows.length;
  const total = submitted;
  expect(total).toBe(40_000 + 10_000);

  b = await startExporterProcess(path.join(dir, 'b.json'), dir);
  running.push(b);
  await pipeline.close();
  await eventually(async () => (await consumedFromSpool(a.url)) >= total, 60_000, 'A reading every event');
  // B resumed from its checkpoint: it read no more than what came after it.
  const bRead = await eventually(
    async () => {
      const n = await consumedFromSpool(b.url);
      return n >= total - firstPart ? n : false;
    },
    60_000,
    'B reading the events written while it was down',
  );
  expect(bRead).toBeLessThan(total);
  expect(b.output()).toMatch(/window checkpoint restored/);
  expect(b.output()).toMatch(/"sections":\{"iris":\{"slices":\d+,"shadow":\d+\}\}/);

  // Both evaluate the same range once caught up: compare the first one both have evaluated since.
  const caughtUp = Date.now();
  const [ra, rb] = await eventually(
    async () => {
      const [x, y] = [await reports(a.url), await reports(b.url)];
      return x &&
        y &&
        x.versions.window.to === y.versions.window.to &&
        Date.parse(x.versions.evaluatedAt) > caughtUp + 1000 &&
        Date.parse(y.versions.evaluatedAt) > caughtUp + 1000
        ? [x, y]
        : false;
    },
    60_000,
    'both exporters evaluating the same window after catching up',
  );
  const expected = countsOf(ra);
  // The uninterrupted run's figures are what the events say.
  const rowsOf = (v: string) => expected.versions.find((x: { version: string }) => x.version === v);
  expect(rowsOf('1').samples).toBe(20_000 + 20_000 - Math.ceil(20_000 / 3));
  expect(rowsOf('2').samples).toBe(Math.ceil(20_000 / 3));
  expect(rowsOf('1').traffic.errors + rowsOf('2').traffic.errors).toBe(Math.ceil(40_000 / 37));
  const colors = Array.from({ length: 40_000 }, (_, i) => (i % 11 === 0 ? 'other' : COLORS[i % 3]));
  const segment = (c: string) => colors.filter((x) => x === c).length;
  expect(expected.segments.map((s: { segment: string; samples: number }) => [s.segment, s.samples])).toEqual(
    ['blue', 'green', 'other', 'red'].map((c) => [c, segment(c)]),
  );
  // Shadow 3 answered every fourth row (both versions of the primary), and disagreed on a fifth of its answers.
  const shadow = expected.shadow.agreements;
  expect(shadow.map((s: { modelVersion: string }) => s.modelVersion)).toEqual(['1', '2']);
  expect(shadow.reduce((n: number, s: { pairs: number }) => n + s.pairs, 0)).toBe(10_000);
  expect(
    shadow.reduce(
      (n: number, s: { pairs: number; agreementRatio: number }) => n + s.pairs * s.agreementRatio,
      0,
    ),
  ).toBeCloseTo(8_000, 6);
  expect(expected.shadow.versions[0]).toMatchObject({ shadowVersion: '3', rows: 10_000, unpaired: 0 });
  expect(expected.compare.verdict).toBeDefined();
  // ... and B's equal them.
  expect(countsOf(rb)).toEqual(expected);
});
