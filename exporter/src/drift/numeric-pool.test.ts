import { createDriftDetector, type DriftDetectorOptions } from './detector';
import { createNumericPool, type NumericPool } from './numeric-pool';
import { buildReferenceProfile } from './in-memory-profile-builder';
import type { ProfileOptions } from './profile-options';
import { mulberry32 } from './reservoir';
import type { CellValue } from '../stats/missing';

// The numeric column work runs in the drift worker thread (loaded from exporter/dist: `npm test` builds first) or in
// the calling thread; which one must not change a bit of any profile or report.
describe('drift worker threads give exactly the in-thread results', () => {
  const rnd = mulberry32(11);
  const numbers = (n: number, shift: number, scale: number): CellValue[] =>
    Array.from({ length: n }, () => (rnd() - 0.5) * scale + shift);
  const withGaps = (values: CellValue[]): CellValue[] =>
    values.map((v, i) => (i % 97 === 0 ? null : i % 131 === 0 ? '' : i % 53 === 0 ? String(v) : v));
  const categories = (n: number, k: number): CellValue[] =>
    Array.from({ length: n }, () => `c${Math.floor(rnd() * k)}`);
  const table = (n: number, shift: number): Record<string, CellValue[]> => ({
    a: numbers(n, shift, 1),
    b: withGaps(numbers(n, 0, 10)),
    ties: Array.from({ length: n }, () => Math.floor(rnd() * 7) - shift),
    signedZeros: Array.from({ length: n }, () => (rnd() < 0.5 ? -0 : 0)),
    invalid: numbers(n, shift, 3).map((v, i) => (i === 17 ? 'n/a' : v)),
    empty: new Array<CellValue>(n).fill(null),
    k: categories(n, 9 + shift),
    pred: categories(n, 3),
  });
  const reference = table(6000, 0);
  const current = table(5000, 1);
  current.a.length = 0; // a feature with no current values
  current.b = current.b.slice(0, 4000);

  const cases: [string, ProfileOptions, DriftDetectorOptions][] = [
    ['every value kept, every test', { reservoirSize: Infinity, predictionColumn: 'pred' }, {}],
    [
      '1k reservoir, deciding tests, corrected',
      { reservoirSize: 1000 },
      { tests: 'decisive', correction: 'bh' },
    ],
    [
      'forced types, KS everywhere',
      { columnTypes: { invalid: 'numerical', ties: 'categorical' } },
      { stattest: 'ks' },
    ],
  ];
  const run = (
    pool: NumericPool,
    profileOptions: ProfileOptions,
    options: DriftDetectorOptions,
  ): string[] => {
    const profile = buildReferenceProfile(reference, { ...profileOptions, pool });
    const fromJson = JSON.parse(JSON.stringify(profile)) as typeof profile;
    return [
      JSON.stringify({ ...profile, createdAt: '' }),
      JSON.stringify(createDriftDetector(profile, { ...options, pool }).evaluate(current)),
      JSON.stringify(createDriftDetector(fromJson, { ...options, pool }).evaluate(current)),
    ];
  };

  // Three pools side by side: none of them is module state, so each test says which one it runs in.
  const inThread = createNumericPool({ threads: 0 });
  const workersOnly = createNumericPool({ threads: 1, minValues: 0, callerTakesTasks: false });
  const bothThreads = createNumericPool({ threads: 1, minValues: 0, callerTakesTasks: true });
  afterAll(() => [inThread, workersOnly, bothThreads].forEach((p) => p.close()));

  it.each(cases)('%s', async (_name, profileOptions, options) => {
    const alone = run(inThread, profileOptions, options);
    expect(await workersOnly.start()).toBe(1);
    const before = workersOnly.stats().tasksInWorkers;
    const inWorker = run(workersOnly, profileOptions, options);
    expect(workersOnly.stats().tasksInWorkers).toBeGreaterThan(before);
    expect(inWorker).toEqual(alone);
    // Both threads taking tasks, in whatever order the race gives.
    expect(await bothThreads.start()).toBe(1);
    expect(run(bothThreads, profileOptions, options)).toEqual(alone);
  });

  it('window after window of different sizes through one detector (scratch memory reused): each report as alone', async () => {
    const windows = [current, table(300, 2), table(7000, 1)];
    const alone = windows.map((w) =>
      JSON.stringify(
        createDriftDetector(buildReferenceProfile(reference, { pool: inThread }), {
          pool: inThread,
        }).evaluate(w),
      ),
    );
    expect(await bothThreads.start()).toBe(1);
    const detector = createDriftDetector(buildReferenceProfile(reference, { pool: bothThreads }), {
      pool: bothThreads,
    });
    const inTurn = [...windows, windows[0]].map((w) => JSON.stringify(detector.evaluate(w)));
    expect(inTurn).toEqual([...alone, alone[0]]);
  });

  it('runs in the calling thread when no worker is configured', async () => {
    expect(await inThread.start()).toBe(0);
    run(inThread, cases[0][1], cases[0][2]);
    expect(inThread.stats().tasksInWorkers).toBe(0);
  });

  it('after close(), the next large job starts the workers again', async () => {
    const pool = createNumericPool({ threads: 1, minValues: 0, callerTakesTasks: false });
    try {
      expect(await pool.start()).toBe(1);
      pool.close();
      const afterClose = run(pool, cases[0][1], cases[0][2]);
      expect(pool.stats().tasksInWorkers).toBeGreaterThan(0);
      expect(afterClose).toEqual(run(inThread, cases[0][1], cases[0][2]));
    } finally {
      pool.close();
    }
  });

  it('rejects a thread count that is not a whole number ≥ 0', () => {
    expect(() => createNumericPool({ threads: -1 })).toThrow(/threads must be an integer ≥ 0, got -1/);
    expect(() => createNumericPool({ threads: 1.5 })).toThrow(/got 1.5/);
  });
});
