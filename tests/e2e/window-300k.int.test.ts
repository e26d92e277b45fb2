/**
 * Issue #18, first test: a window of 300,000 events through the real sidecar into all three stores the exporter
 * reads — the spool store, Kafka and Elasticsearch (the harness' real ones) — and an exporter per store.
 *
 * The sidecar runs in this process in front of a small V2 model server, with its real capture and its real
 * pipeline (`createPipeline`, the sinks, queues, retry and spool lanes it uses in production); the pipeline is
 * injected only because the sidecar's config turns the embedded store off when Elasticsearch or Kafka is set, and
 * here all three are on. 1,000 V2 requests of 300 rows (several in flight) carry features a..e: `a` shifts by
 * 0.3 σ and `d`'s category shares change, `b`, `c` and `e` keep the reference's distribution; `b` and `e` have
 * missing values. Ground truth for 10% of the rows goes through the sidecar's /feedback. The sidecar stamps every
 * event now, so all of them land in the current one-hour sliding window.
 *
 * Three exporters (`startExporter`, one per source, the same file baseline) must each evaluate a window holding
 * every row, with `samples`, every feature's `n` and `missing` and the labelled rows exact, the raw-value tests
 * marked `"sampled"` (count-based ones not), a sampled share below 1 on /metrics, and the per-feature and dataset
 * verdicts of an offline `plumbline drift` (`createDriftDetector(profile).evaluate`) on all 300,000 rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { buildReferenceProfile, createDriftDetector, createFileBaselineStore } from '@plumbline/exporter';
import { until } from './helpers';
import { startThreeStores, type ThreeStores } from './three-stores';

// Everything runs on a 2-core machine shared with other suites: a bounded deadline against hangs, not a timing
// assertion (on a quiet machine the whole file takes about three minutes; see the phases it logs).
jest.setTimeout(1_200_000);

const RUN = `w300k${process.pid}${Date.now().toString(36)}`;
const MODEL = 'churn';
const REQUESTS = 1000;
const ROWS_PER_REQUEST = 300;
const ROWS = REQUESTS * ROWS_PER_REQUEST;
const IN_FLIGHT = 8;
/** Ground truth for rows 0..29 of every request. */
const LABELLED_PER_REQUEST = 30;
const SAMPLE_SIZE = 50_000;
const FEATURES = ['a', 'b', 'c', 'd', 'e'] as const;
const PLANTED = ['a', 'd'];

/** mulberry32: a small seeded uniform generator in [0, 1), so the traffic is the same on every run. */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Column = (number | string | null)[];

/**
 * `rows` rows of features a..e. Unshifted: a ~ N(0, 1), b ~ N(10, 2), c ~ U(0, 100), d ∈ {A: 0.5, B: 0.3, C: 0.2},
 * e ∈ {x: 0.6, y: 0.4}. Shifted: a + 0.3 and d ∈ {A: 0.3, B: 0.3, C: 0.4}. With `missing`, b is null on every row
 * i ≡ 7 (mod 50) and e on every row i ≡ 3 (mod 40).
 */
function generate(
  rows: number,
  seed: number,
  options: { shifted: boolean; missing: boolean },
): Record<(typeof FEATURES)[number], Column> {
  const next = uniform(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const cols = { a: [] as Column, b: [] as Column, c: [] as Column, d: [] as Column, e: [] as Column };
  const shares = options.shifted ? [0.3, 0.6] : [0.5, 0.8];
  for (let i = 0; i < rows; i++) {
    cols.a.push(normal() + (options.shifted ? 0.3 : 0));
    const b = 10 + 2 * normal();
    cols.b.push(options.missing && i % 50 === 7 ? null : b);
    cols.c.push(100 * next());
    const u = next();
    cols.d.push(u < shares[0] ? 'A' : u < shares[1] ? 'B' : 'C');
    const e = next() < 0.6 ? 'x' : 'y';
    cols.e.push(options.missing && i % 40 === 3 ? null : e);
  }
  return cols;
}

const missingOf = (name: string) =>
  Array.from({ length: ROWS }, (_, i) => i).filter((i) =>
    name === 'b' ? i % 50 === 7 : name === 'e' ? i % 40 === 3 : false,
  ).length;

const traffic = generate(ROWS, 18, { shifted: true, missing: true });
const dir = mkdtempSync(path.join(tmpdir(), 'plumbline-window-300k-'));
const timings: Record<string, number> = {};
let rig: ThreeStores;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the /api body is checked field by field
async function latest(url: string): Promise<any> {
  const res = await request(`${url}/api/models/${MODEL}/drift?limit=1`);
  if (res.statusCode !== 200) {
    await res.body.dump();
    return undefined;
  }
  return ((await res.body.json()) as { latest: unknown }).latest ?? undefined;
}

async function sampledShare(url: string): Promise<number> {
  const text = await (await request(`${url}/metrics`)).body.text();
  const m = new RegExp(
    `^plumbline_exporter_window_sampled_share\\{[^}]*model="${MODEL}"[^}]*\\} (\\S+)$`,
    'm',
  ).exec(text);
  if (!m) throw new Error('plumbline_exporter_window_sampled_share has no series for the model');
  return Number(m[1]);
}

beforeAll(async () => {
  const started = Date.now();
  // The baseline: 20,000 rows of the unshifted generator (another seed), profiled as `plumbline baseline import`
  // does. Past 10,000 values on both sides the deciding tests are Wasserstein (raw values: sampled in a window)
  // and Jensen–Shannon (counts: exact).
  const reference = generate(20_000, 7, { shifted: false, missing: false });
  await createFileBaselineStore(path.join(dir, 'baselines')).put({
    model: MODEL,
    version: '1',
    source: 'reference sample',
    profile: buildReferenceProfile(reference, { columnTypes: { d: 'categorical', e: 'categorical' } }),
  });
  rig = await startThreeStores({
    run: RUN,
    model: MODEL,
    dir,
    sinks: {
      // Bulk requests of 5,000 documents: Elasticsearch's indexing is the slow part of this test, and room for
      // 50,000 queued events per lane. (The embedded store's lane, which has no spool to spill to, wrote 500 per
      // append and dropped 92,000 of this traffic on a busy machine; it now takes its whole backlog per append:
      // inference-sidecar/test/pipeline/store-lane-drains-its-backlog.test.ts.)
      batchSize: 5000,
      maxQueueEvents: 50_000,
    },
    exporter: () => ({
      baselineStore: { kind: 'file', dir: path.join(dir, 'baselines') },
      window: {
        kind: 'sliding',
        sizeSeconds: 3600,
        stepSeconds: 10,
        bucketSeconds: 2,
        graceSeconds: 2,
        minimumSamples: 100,
        sampleSize: SAMPLE_SIZE,
      },
      schedule: { intervalSeconds: 1 },
    }),
  });
  timings.setup = Date.now() - started;
}, 300_000);

afterAll(async () => {
  await rig?.stop();
  rmSync(dir, { recursive: true, force: true });
  console.log(`window-300k phases (ms): ${JSON.stringify(timings)}`);
});

test('300,000 rows through the sidecar: each source evaluates a window of every row, with the offline verdicts', async () => {
  // 1. Traffic: REQUESTS V2 calls of ROWS_PER_REQUEST rows, IN_FLIGHT at a time; every one must answer 200.
  let started = Date.now();
  let next = 0;
  const statuses: number[] = [];
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const from = i * ROWS_PER_REQUEST;
        const slice = (c: Column) => c.slice(from, from + ROWS_PER_REQUEST);
        const res = await request(`${rig.sidecar.url}/v2/models/${MODEL}/infer`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': `${RUN}-${i}` },
          body: JSON.stringify({
            inputs: FEATURES.map((name) => ({
              name,
              shape: [ROWS_PER_REQUEST],
              datatype: name === 'd' || name === 'e' ? 'BYTES' : 'FP64',
              data: slice(traffic[name]),
            })),
          }),
        });
        statuses.push(res.statusCode);
        await res.body.dump();
      }
    }),
  );
  expect(statuses.filter((s) => s !== 200)).toEqual([]);
  timings.inference = Date.now() - started;
  // Ground truth in posts of 250 requests' labelled rows (7,500 items; the sidecar takes up to 10,000 a post).
  for (let batch = 0; batch < REQUESTS; batch += 250) {
    const items = [];
    for (let i = batch; i < Math.min(REQUESTS, batch + 250); i++)
      for (let row = 0; row < LABELLED_PER_REQUEST; row++)
        items.push({
          request_id: `${RUN}-${i}`,
          row,
          ground_truth: (i + row) % 3 ? 'yes' : 'no',
          model: MODEL,
        });
    const res = await request(`${rig.sidecar.adminUrl}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(items),
    });
    expect([res.statusCode, res.statusCode < 300 ? '' : await res.body.text()]).toEqual([202, '']);
    if (res.statusCode < 300) await res.body.dump();
  }
  // Every event reached every sink: none dropped (a lane that falls behind by more than `maxQueueEvents` and has
  // no spool to spill to drops the newest and counts them).
  await until(
    'every lane of the pipeline to drain',
    async () => (rig.pipeline.stats().every((l) => l.queued === 0 && l.spooled === 0) ? true : undefined),
    300_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(rig.pipeline.stats())}`);
  });
  timings.send = Date.now() - started;
  const dropped = (await rig.pipeline.metrics.dropped.get()).values.filter((v) => v.value > 0);
  expect(dropped.map((v) => [v.labels, v.value])).toEqual([]);

  // 2. The offline run: `plumbline drift`'s path, every row.
  started = Date.now();
  const profile = (await createFileBaselineStore(path.join(dir, 'baselines')).get(MODEL, '1'))!.profile;
  const offline = createDriftDetector(profile).evaluate(traffic);
  timings.offline = Date.now() - started;
  const offlineVerdicts = Object.fromEntries(offline.features.map((f) => [f.name, f.drift]));
  expect(offlineVerdicts).toEqual({ a: true, b: false, c: false, d: true, e: false });
  expect(offline.features.map((f) => f.stattest)).toEqual([
    'wasserstein',
    'wasserstein',
    'wasserstein',
    'jensenshannon',
    'jensenshannon',
  ]);

  // 3. Each exporter: the first window holding every row and every label.
  const labelled = REQUESTS * LABELLED_PER_REQUEST;
  for (const [source, running] of Object.entries(rig.exporters)) {
    started = Date.now();
    let last: { samples?: number; quality?: { labelled?: number } } | undefined;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked field by field below
    const report: any = await until(
      `the ${source} exporter's window to hold all ${ROWS} rows and ${labelled} labels`,
      async () => {
        last = await latest(running!.url);
        return last?.samples === ROWS && last.quality?.labelled === labelled ? last : undefined;
      },
      600_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message} (last: samples ${last?.samples}, labelled ${last?.quality?.labelled})`);
    });
    timings[source] = Date.now() - started;

    expect([source, report.status]).toEqual([source, 'ok']);
    expect(report.sampling.rows).toBeLessThanOrEqual(SAMPLE_SIZE);
    expect(report.sampling.share).toBeLessThan(1);
    expect(await sampledShare(running!.url)).toBeLessThan(1);
    expect(report.quality.predictions).toBe(ROWS);
    expect(report.quality.sampled).toBeUndefined();
    for (const name of FEATURES) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked field by field
      const f = report.features.find((x: any) => x.name === name);
      const missing = missingOf(name);
      expect([source, name, f.n[1], f.missing[1]]).toEqual([source, name, ROWS - missing, missing]);
      for (const t of f.tests as { name: string; sampled?: number }[]) {
        if (t.name === 'ks' || t.name === 'wasserstein') {
          expect([source, name, t.name, t.sampled! > 0 && t.sampled! <= SAMPLE_SIZE]).toEqual([
            source,
            name,
            t.name,
            true,
          ]);
        } else expect([source, name, t.name, t.sampled]).toEqual([source, name, t.name, undefined]);
      }
      const offlineFeature = offline.features.find((x) => x.name === name)!;
      // The deciding test and its verdict are the offline run's.
      const decisive = (f.tests as { name: string; decisive?: boolean }[]).find((t) => t.decisive);
      expect([source, name, decisive?.name, f.drift]).toEqual([
        source,
        name,
        offlineFeature.stattest,
        offlineFeature.drift,
      ]);
    }
    expect(PLANTED.every((name) => offlineVerdicts[name])).toBe(true);
    expect([source, report.drift, report.driftShare]).toEqual([
      source,
      offline.dataset.drift,
      offline.dataset.driftShare,
    ]);
  }
});
