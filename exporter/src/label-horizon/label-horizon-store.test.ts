import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  DAY_MS,
  TALLY_BUCKET_MS,
  createLabelHorizonStore,
  type LabelHorizonStore,
  type LabelHorizonStoreOptions,
  type UnjoinedReason,
} from './label-horizon-store';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const HOUR = 3_600_000;
const RANGES = [
  { range: '1h', seconds: 3600 },
  { range: '24h', seconds: 86_400 },
  { range: '7d', seconds: 7 * 86_400 },
];

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

interface Harness {
  store: LabelHorizonStore;
  clock: { t: number };
  unjoined: [string, UnjoinedReason][];
  dir: string;
  reopen(): Promise<void>;
}

async function harness(options: Partial<LabelHorizonStoreOptions> = {}, dir?: string): Promise<Harness> {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'horizon-'));
  if (!dir) dirs.push(d);
  const clock = { t: T0 };
  const unjoined: [string, UnjoinedReason][] = [];
  const make = (): LabelHorizonStore =>
    createLabelHorizonStore({
      dir: d,
      models: [
        { name: 'iris', task: 'classification' },
        { name: 'price', task: 'regression' },
      ],
      horizonMs: 14 * DAY_MS,
      now: () => clock.t,
      onUnjoined: (model, reason) => unjoined.push([model, reason]),
      batchSize: 7,
      ...options,
    });
  const h: Harness = {
    store: make(),
    clock,
    unjoined,
    dir: d,
    async reopen() {
      await h.store.close();
      h.store = make();
    },
  };
  return h;
}

const prediction = (key: string, atMs: number, predicted: string | number | null) => ({
  key,
  atMs,
  version: '1',
  predicted,
  confidence: 0.9,
  probabilities: null,
});

test('a label arriving days after its prediction changes the accuracy and coverage of its prediction time', async () => {
  const h = await harness();
  for (let i = 0; i < 4; i++) h.store.addPrediction('iris', prediction(`r${i}`, T0 + i * 1000, 'a'));
  h.clock.t = T0 + 10 * 60_000;
  let [hour] = h.store.rangeQuality('iris', RANGES, 10);
  expect(hour).toMatchObject({ predictions: 4, labelled: 0, coverage: 0, accuracy: null });
  h.store.addLabel('iris', { key: 'r0', atMs: h.clock.t, truth: 'a' });
  h.store.addLabel('iris', { key: 'r1', atMs: h.clock.t, truth: 'b' });
  [hour] = h.store.rangeQuality('iris', RANGES, 10);
  expect(hour).toMatchObject({ predictions: 4, labelled: 2, coverage: 0.5, accuracy: 0.5 });
  expect(hour.perClass.a).toMatchObject({ predictions: 4, labelled: 2, coverage: 0.5, precision: 0.5 });
  // Three days later: outside the last hour and day, inside the week.
  h.clock.t = T0 + 3 * DAY_MS;
  h.store.addLabel('iris', { key: 'r2', atMs: h.clock.t, truth: 'a' });
  const [lastHour, lastDay, week] = h.store.rangeQuality('iris', RANGES, 10);
  expect(lastHour.predictions).toBe(0);
  expect(lastDay.predictions).toBe(0);
  expect(week).toMatchObject({ predictions: 4, labelled: 3, coverage: 0.75 });
  expect(week.accuracy).toBeCloseTo(2 / 3, 12);
  expect(h.unjoined).toEqual([]);
  await h.store.close();
});

test('the latest label wins: a replaced label takes its old contribution out', async () => {
  const h = await harness();
  h.store.addPrediction('iris', prediction('x', T0, 'a'));
  h.store.addLabel('iris', { key: 'x', atMs: T0 + 1000, truth: 'b' });
  expect(h.store.rangeQuality('iris', RANGES, 10)[0]).toMatchObject({ labelled: 1, accuracy: 0 });
  h.store.addLabel('iris', { key: 'x', atMs: T0 + 2000, truth: 'a' });
  expect(h.store.rangeQuality('iris', RANGES, 10)[0]).toMatchObject({ labelled: 1, accuracy: 1 });
  // An older report than the one held changes nothing.
  h.store.addLabel('iris', { key: 'x', atMs: T0 + 1500, truth: 'b' });
  const q = h.store.rangeQuality('iris', RANGES, 10)[0];
  expect(q).toMatchObject({ labelled: 1, accuracy: 1 });
  expect(Object.keys(q.perClass)).toEqual(['a']);
  await h.store.close();
});

test('regression: MAE and RMSE of the labelled rows, a replaced label replaced in the sums', async () => {
  const h = await harness();
  h.store.addPrediction('price', prediction('a', T0, 10));
  h.store.addPrediction('price', prediction('b', T0, 20));
  h.store.addLabel('price', { key: 'a', atMs: T0 + 1, truth: 13 });
  h.store.addLabel('price', { key: 'b', atMs: T0 + 1, truth: 100 });
  h.store.addLabel('price', { key: 'b', atMs: T0 + 2, truth: 16 });
  const q = h.store.rangeQuality('price', RANGES, 10)[0];
  expect(q).toMatchObject({ predictions: 2, labelled: 2, coverage: 1, mae: 3.5 });
  expect(q.rmse).toBeCloseTo(Math.sqrt((9 + 16) / 2), 12);
  await h.store.close();
});

test('a label older than the horizon after its prediction is counted as expired, an unknown one as unknown', async () => {
  const h = await harness({ pendingWaitMs: HOUR });
  h.store.addPrediction('iris', prediction('old', T0, 'a'));
  h.store.flush();
  h.clock.t = T0 + 14 * DAY_MS + HOUR;
  h.store.addLabel('iris', { key: 'old', atMs: h.clock.t, truth: 'a' });
  h.store.addLabel('iris', { key: 'nobody', atMs: h.clock.t, truth: 'a' });
  h.store.flush();
  expect(h.unjoined).toEqual([['iris', 'expired']]);
  // The unknown one waits for its prediction for pendingWaitMs, then is counted.
  h.clock.t += HOUR + 1;
  h.store.flush();
  expect(h.unjoined).toEqual([
    ['iris', 'expired'],
    ['iris', 'unknown'],
  ]);
  expect(h.store.stats().pendingLabels).toBe(0);
  await h.store.close();
});

test('days past the horizon are dropped whole, with their tallies (an injected clock, no sleeping)', async () => {
  const h = await harness();
  for (let d = 0; d < 20; d++) {
    h.clock.t = T0 + d * DAY_MS;
    h.store.addPrediction('iris', prediction(`d${d}`, h.clock.t, 'a'));
    h.store.flush();
  }
  const s = h.store.stats();
  // Days kept: those that ended less than the horizon plus one day ago.
  expect(s.days).toBeLessThanOrEqual(16);
  expect(s.days).toBeGreaterThanOrEqual(15);
  expect(s.predictions).toBe(s.days);
  expect(h.store.tallies('iris', 0, Infinity).length).toBe(s.days);
  // A label for a dropped day's prediction is unknown.
  h.store.addLabel('iris', { key: 'd0', atMs: h.clock.t, truth: 'a' });
  h.clock.t += 2 * HOUR;
  h.store.flush();
  expect(h.unjoined).toEqual([['iris', 'unknown']]);
  await h.store.close();
});

test('a restart reopens the rows, tallies and waiting labels; events read again count once', async () => {
  const h = await harness();
  h.store.addPrediction('iris', prediction('p1', T0, 'a'));
  h.store.addLabel('iris', { key: 'p1', atMs: T0 + 5, truth: 'a' });
  h.store.addLabel('iris', { key: 'p2', atMs: T0 + 5, truth: 'b' }); // before its prediction
  await h.reopen();
  // A source resuming from an older position delivers the same events again.
  h.store.addPrediction('iris', prediction('p1', T0, 'a'));
  h.store.addLabel('iris', { key: 'p1', atMs: T0 + 5, truth: 'a' });
  h.store.addPrediction('iris', prediction('p2', T0 + 1, 'a'));
  const q = h.store.rangeQuality('iris', RANGES, 10)[0];
  expect(q).toMatchObject({ predictions: 2, labelled: 2, coverage: 1, accuracy: 0.5 });
  expect(h.store.stats()).toMatchObject({ predictions: 2, pendingLabels: 0 });
  await h.store.close();
});

test('any arrival order of predictions and labels gives the same tallies as predictions first', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          row: fc.integer({ min: 0, max: 9 }),
          truth: fc.constantFrom('a', 'b', 'c'),
          atOffset: fc.integer({ min: 0, max: 5 }),
        }),
        { maxLength: 25 },
      ),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      async (labels, seed) => {
        const rows = Array.from({ length: 10 }, (_, i) =>
          prediction(`k${i}`, T0 + i * TALLY_BUCKET_MS, ['a', 'b', 'c'][i % 3]),
        );
        const events = [
          ...rows.map((p) => ({ kind: 'p' as const, p })),
          ...labels.map((l) => ({
            kind: 'l' as const,
            l: { key: `k${l.row}`, atMs: T0 + DAY_MS + l.atOffset, truth: l.truth },
          })),
        ];
        const reference = await harness();
        for (const e of events)
          if (e.kind === 'p') reference.store.addPrediction('iris', e.p);
          else reference.store.addLabel('iris', e.l);
        const shuffled = await harness();
        let s = seed;
        const order = [...events];
        for (let i = order.length - 1; i > 0; i--) {
          s = (s * 1103515245 + 12345) % 2 ** 31;
          const j = s % (i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
        for (const e of order)
          if (e.kind === 'p') shuffled.store.addPrediction('iris', e.p);
          else shuffled.store.addLabel('iris', e.l);
        // Equal label times: which of two reports of one key wins depends on arrival; compare where it cannot.
        const ambiguous = labels.some(
          (l, i) => labels.findIndex((m) => m.row === l.row && m.atOffset === l.atOffset) !== i,
        );
        const a = reference.store.rangeQuality('iris', RANGES, 10)[2];
        const b = shuffled.store.rangeQuality('iris', RANGES, 10)[2];
        expect(b.predictions).toBe(a.predictions);
        expect(b.labelled).toBe(a.labelled);
        if (!ambiguous) expect(b).toEqual(a);
        await reference.store.close();
        await shuffled.store.close();
      },
    ),
    { numRuns: 25 },
  );
});
