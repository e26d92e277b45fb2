// Issue #11 item 2, per reporting range: the label horizon store folds each prediction into its five-minute
// bucket's estimate sums under the calibration in force when it is taken, and reports per range the label-free
// estimate (with bands) beside the realized figures. Known answers with the raw probabilities (method none): the
// estimated accuracy is then the mean of the predicted classes' probabilities.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitCalibration } from '../quality/estimate';
import { estimateSchemaOf } from '../windows/buckets/estimate-state';
import { DAY_MS, createLabelHorizonStore, type LabelHorizonStore } from './label-horizon-store';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const RANGES = [
  { range: '1h', seconds: 3600 },
  { range: '7d', seconds: 7 * 86_400 },
];
const raw = (labels: string[]) =>
  estimateSchemaOf(
    fitCalibration(
      labels,
      {
        probabilities: labels.flatMap((_, i) =>
          labels.map((__, j) => (i === j ? 0.9 : 0.1 / (labels.length - 1))),
        ),
        classes: labels.length,
        predicted: labels.map((_, i) => i),
        actual: labels.map((_, i) => i),
      },
      { method: 'none' },
    ),
  );
const AB = raw(['a', 'b']);

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function open(dir: string, clock: { t: number }): LabelHorizonStore {
  return createLabelHorizonStore({
    dir,
    models: [
      { name: 'iris', task: 'classification' },
      { name: 'price', task: 'regression' },
    ],
    horizonMs: 14 * DAY_MS,
    now: () => clock.t,
    batchSize: 5,
  });
}

function fresh(): { dir: string; clock: { t: number }; store: LabelHorizonStore } {
  const dir = mkdtempSync(join(tmpdir(), 'horizon-estimate-'));
  dirs.push(dir);
  const clock = { t: T0 };
  return { dir, clock, store: open(dir, clock) };
}

const row = (key: string, atMs: number, predicted: string, pa: number | null) => ({
  key,
  atMs,
  version: '1',
  predicted,
  confidence: pa,
  probabilities: pa === null ? null : { a: pa, b: 1 - pa },
});

test('each range reports the estimate of its predictions, with bands, beside the realized figures', async () => {
  const { store, clock } = fresh();
  // 20 predicted a with P(a) = 0.8, 20 predicted b with P(b) = 0.6, over 40 minutes: estimate 0.7.
  for (let i = 0; i < 40; i++)
    store.addPrediction('iris', row(`r${i}`, T0 + i * 60_000, i % 2 ? 'b' : 'a', i % 2 ? 0.4 : 0.8), AB);
  store.addLabel('iris', { key: 'r0', atMs: T0 + 1000, truth: 'b' });
  clock.t = T0 + 40 * 60_000;
  const [hour, week] = store.rangeQuality('iris', RANGES, 10, AB);
  expect(hour).toMatchObject({ predictions: 40, labelled: 1, coverage: 0.025, accuracy: 0 });
  const e = hour.estimated!;
  expect(e.rows).toBe(40);
  expect(e.skippedRows).toBe(0);
  expect(e.accuracy).toBeCloseTo(0.7, 12);
  // Var(correct) = 20·0.8·0.2 + 20·0.6·0.4 = 8.
  const half = (1.96 * Math.sqrt(8)) / 40;
  expect(e.accuracyBand[0]).toBeCloseTo(0.7 - half, 12);
  expect(e.accuracyBand[1]).toBeCloseTo(0.7 + half, 12);
  // Precision of a = 16/20, of b = 12/20; recall a = 16/(16 + 8), b = 12/(4 + 12).
  expect(e.precisionMacro).toBeCloseTo((0.8 + 0.6) / 2, 12);
  expect(e.recallMacro).toBeCloseTo((16 / 24 + 12 / 16) / 2, 12);
  for (const [v, band] of [
    [e.precisionMacro, e.precisionMacroBand],
    [e.recallMacro, e.recallMacroBand],
    [e.f1Macro, e.f1MacroBand],
  ] as const) {
    expect(band[0]).toBeLessThan(v);
    expect(band[1]).toBeGreaterThan(v);
  }
  expect(e.confusionMatrix.counts[0][0]).toBeCloseTo(16, 12);
  expect(week.estimated!.accuracy).toBeCloseTo(0.7, 12);
  // No calibration asked for, or a regressor: no estimate.
  expect(store.rangeQuality('iris', RANGES, 10)[0].estimated).toBeNull();
  store.addPrediction('price', { ...row('p', T0, 'a', 0.8), predicted: 3 } as never, AB);
  expect(store.rangeQuality('price', RANGES, 10, AB)[0].estimated).toBeNull();
  await store.close();
});

test('rows without probabilities or taken with no calibration in force are counted as skipped, not estimated', async () => {
  const { store, clock } = fresh();
  store.addPrediction('iris', row('none', T0, 'a', 0.8), null);
  store.addPrediction('iris', row('noproba', T0 + 1, 'a', null), AB);
  store.addPrediction('iris', row('unknown-class', T0 + 2, 'c', 0.8), AB);
  store.addPrediction('iris', row('ok', T0 + 3, 'a', 0.9), AB);
  clock.t = T0 + 60_000;
  const e = store.rangeQuality('iris', RANGES, 10, AB)[0].estimated!;
  expect(e).toMatchObject({ rows: 1, skippedRows: 3 });
  expect(e.accuracy).toBeCloseTo(0.9, 12);
  await store.close();
});

test('stored sums keep the calibration they were folded under; a baseline of other classes leaves them out', async () => {
  const { store, clock } = fresh();
  store.addPrediction('iris', row('old', T0, 'a', 0.8), AB);
  // Five minutes on (another bucket), a baseline of three classes is in force.
  const ABC = raw(['a', 'b', 'c']);
  store.addPrediction(
    'iris',
    { ...row('new', T0 + 6 * 60_000, 'a', null), probabilities: { a: 0.5, b: 0.3, c: 0.2 } },
    ABC,
  );
  clock.t = T0 + 10 * 60_000;
  expect(store.rangeQuality('iris', RANGES, 10, ABC)[0].estimated).toMatchObject({
    rows: 1,
    skippedRows: 1,
    accuracy: 0.5,
  });
  const underOld = store.rangeQuality('iris', RANGES, 10, AB)[0].estimated!;
  expect(underOld).toMatchObject({ rows: 1, skippedRows: 1 });
  expect(underOld.accuracy).toBeCloseTo(0.8, 12);
  await store.close();
});

test('a restart keeps the estimate sums; a prediction read again counts once; a dropped day takes its sums', async () => {
  const { dir, store, clock } = fresh();
  for (let i = 0; i < 6; i++) store.addPrediction('iris', row(`r${i}`, T0 + i * 1000, 'a', 0.8), AB);
  clock.t = T0 + 60_000;
  const before = store.rangeQuality('iris', RANGES, 10, AB)[0].estimated!;
  await store.close();
  const again = open(dir, clock);
  // The same predictions, re-read after the restart (an older checkpoint position), and one new.
  for (let i = 0; i < 7; i++)
    again.addPrediction('iris', row(`r${i}`, T0 + i * 1000, 'a', i < 6 ? 0.8 : 0.4), AB);
  const after = again.rangeQuality('iris', RANGES, 10, AB)[0].estimated!;
  expect(before).toMatchObject({ rows: 6, skippedRows: 0 });
  expect(after).toMatchObject({ rows: 7, skippedRows: 0 });
  expect(after.accuracy).toBeCloseTo((6 * 0.8 + 0.4) / 7, 12);
  // Past the horizon plus the day kept: the day is dropped, with its estimate sums.
  clock.t = T0 + 17 * DAY_MS;
  again.addPrediction('iris', row('late', clock.t, 'a', 0.6), AB);
  const [month] = again.rangeQuality('iris', [{ range: '30d', seconds: 30 * 86_400 }], 10, AB);
  expect(month.predictions).toBe(1);
  expect(month.estimated).toMatchObject({ rows: 1, skippedRows: 0 });
  await again.close();
});
