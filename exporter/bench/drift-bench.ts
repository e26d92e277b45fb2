/**
 * `npm run bench:drift` — one run on one generated data set (20 numerical + 5 categorical columns, 200k reference ×
 * 200k current rows; KS alone on 1M vs 1M): Plumbline's drift report vs scipy per feature (ks_2samp /
 * chi2_contingency) vs Evidently's DataDriftPreset report; the whole `plumbline drift` report (drift + data-quality
 * checks + multivariate drift, issue #12) vs Evidently's DataDriftPreset + DataSummaryPreset report; plus
 * reference-profile memory at two row counts.
 * Every side gets the data already in memory (no file parsing is timed). Plumbline's runs each start after a
 * forced full garbage collection (untimed; since this commit: before it, one run's garbage was collected in the
 * next run's time, which made the end-to-end row vary by ±25% from run to run). Plumbline's profile and evaluate
 * hand their numeric column work to a drift worker pool of the bench's own (exporter/src/drift/numeric-pool.ts:
 * createNumericPool() with its defaults, os.availableParallelism() − 1 worker threads, at most 3; on 2 cores the
 * calling thread plus one worker), as the exporter service's drift engine does with its own. The worker is started
 * by the first run and stays, as in the service; the first run's start-up is inside its time, best of 3 keeps the
 * rest. Likewise the sort scratch and
 * the buffer for a window's numbers are reused from run to run, as from window to window in the service (a
 * one-shot `plumbline drift` pays their first-touch page faults once, ~20 ms at this size). The worker loads the compiled
 * exporter/dist (build first: `npx tsc -b exporter`); without it every column runs in the calling thread, and the
 * line under the table says how many column tasks the worker ran. scipy and Evidently run as they come (numpy may
 * use threads of its own). Python runs in its own venv, ~/.cache/plumbline/bench-venv, created here on first use
 * with the versions pinned in bench/requirements.txt (`npm run setup` does not make it).
 * Not a test: it prints a table with times and ratios.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDriftDetector } from '../src/drift/detector';
import { buildReferenceProfile } from '../src/drift/in-memory-profile-builder';
import { ReferenceProfileBuilder } from '../src/drift/streaming-profile-builder';
import { ksTwoSample } from '../src/stats/ks-two-sample';
import { createNumericPool } from '../src/drift/numeric-pool';
import { mulberry32 } from '../src/drift/reservoir';
import type { CellValue } from '../src/stats/missing';
import { dataQualityChecks } from '../src/data-quality/data-quality';
import { bucketSchemaFromProfile } from '../src/windows/buckets/bucket-schema';

const venv = join(homedir(), '.cache', 'plumbline', 'bench-venv');
// PLUMBLINE_BENCH_PYTHON: use another interpreter (it then needs scipy/numpy, and evidently for that column).
const python = process.env.PLUMBLINE_BENCH_PYTHON ?? join(venv, 'bin', 'python');
const script = join(__dirname, 'drift_bench.py');
const dataDir = join(tmpdir(), 'plumbline-bench-drift');

const requirements = join(__dirname, 'requirements.txt');
const stamp = join(venv, 'plumbline-requirements.txt');

/**
 * Creates ~/.cache/plumbline/bench-venv with the pinned versions of bench/requirements.txt, once: a venv whose
 * stamp (the requirements it was made from) differs is made again, so a changed pin takes effect.
 */
function ensureVenv(): void {
  if (process.env.PLUMBLINE_BENCH_PYTHON) return;
  const wanted = readFileSync(requirements, 'utf8');
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  process.stderr.write(`creating ${venv} (pip install -r exporter/bench/requirements.txt) …\n`);
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(join(homedir(), '.cache', 'plumbline'), { recursive: true });
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements],
    {
      stdio: 'inherit',
    },
  );
  writeFileSync(stamp, wanted);
}

const f64 = (file: string): Float64Array => {
  const b = readFileSync(join(dataDir, file));
  return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8).slice();
};
const u8 = (file: string): Uint8Array => new Uint8Array(readFileSync(join(dataDir, file)));

function best<T>(repeat: number, fn: () => T): { seconds: number; value: T } {
  let seconds = Infinity;
  let value: T | undefined;
  for (let i = 0; i < repeat; i++) {
    // A full collection before each run, outside the timed region: the previous run's garbage (a 200k-row profile
    // holds ~40 MB) is then not collected inside this run's time. Collections this run's own allocations cause
    // are still timed.
    (globalThis as { gc?: () => void }).gc?.();
    const t = process.hrtime.bigint();
    value = fn();
    seconds = Math.min(seconds, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return { seconds, value: value as T };
}

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

/** Retained memory of a streaming profile over `rows` generated rows (5 numerical + 1 categorical column). */
function profileMemory(rows: number): { bytes: number; jsonBytes: number; seconds: number } {
  const before = heapUsed();
  const t = process.hrtime.bigint();
  const builder = new ReferenceProfileBuilder(['a', 'b', 'c', 'd', 'e', 'k']);
  const rnd = mulberry32(rows);
  const row: CellValue[] = new Array<CellValue>(6);
  const fill = (r: () => number): CellValue[] => {
    for (let i = 0; i < 5; i++) row[i] = r() * (i + 1);
    row[5] = `k${Math.floor(r() * 6)}`;
    return row;
  };
  for (let i = 0; i < rows; i++) builder.addRow(fill(rnd));
  if (builder.needsBinningPass()) {
    const again = mulberry32(rows);
    for (let i = 0; i < rows; i++) builder.binRow(fill(again));
  }
  const profile = builder.build();
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const bytes = heapUsed() - before;
  return { bytes: Math.max(0, bytes), jsonBytes: JSON.stringify(profile).length, seconds };
}

function main(): void {
  ensureVenv();
  if (!existsSync(join(dataDir, 'meta.json')))
    execFileSync(python, [script, 'generate', dataDir], { stdio: 'inherit' });
  const meta = JSON.parse(readFileSync(join(dataDir, 'meta.json'), 'utf8')) as {
    numerical: string[];
    categorical: string[];
  };
  process.stderr.write('timing scipy and Evidently …\n');
  const py = JSON.parse(
    execFileSync(python, [script, 'time', dataDir], { maxBuffer: 1 << 26 }).toString(),
  ) as {
    scipySeconds: number;
    scipyResults: Record<string, { statistic: number; pValue: number }>;
    ksSeconds: number;
    ks: { statistic: number; pValue: number };
    evidentlySeconds: number | null;
    evidentlyFullSeconds: number | null;
    evidentlyVersion: string | null;
    evidentlyError: string | null;
    scipyVersion: string;
  };

  const ref: Record<string, CellValue[] | Float64Array> = {};
  const cur: Record<string, CellValue[] | Float64Array> = {};
  for (const n of meta.numerical) {
    ref[n] = Array.from(f64(`${n}.ref.f64`));
    cur[n] = Array.from(f64(`${n}.cur.f64`));
  }
  for (const n of meta.categorical) {
    ref[n] = Array.from(u8(`${n}.ref.u8`), (c) => `c${c}`);
    cur[n] = Array.from(u8(`${n}.cur.u8`), (c) => `c${c}`);
  }
  const refCols = ref as Record<string, CellValue[]>;
  const curCols = cur as Record<string, CellValue[]>;
  process.stderr.write('timing Plumbline …\n');
  const pool = createNumericPool();
  // End to end: profile the reference (every value kept: exact like scipy) and evaluate every applicable test.
  const full = best(3, () =>
    createDriftDetector(buildReferenceProfile(refCols, { reservoirSize: Infinity, pool }), { pool }).evaluate(
      curCols,
    ),
  );
  // The whole report `plumbline drift` writes (issue #12): the same drift, plus the data-quality checks of the
  // current data (their counts taken in the drift pass) and multivariate drift (PCA reconstruction: fitted in the
  // profile build, as in every profile build above, and evaluated in the drift pool beside the column tests), as
  // runDrift does it: evaluateTable.
  const nCur = curCols[meta.numerical[0]].length;
  const whole = best(3, () => {
    const profile = buildReferenceProfile(refCols, { reservoirSize: Infinity, pool });
    const schema = bucketSchemaFromProfile(profile);
    const { report, quality, multivariate } = createDriftDetector(profile, { pool }).evaluateTable(curCols, {
      schema,
      rows: nCur,
      multivariate: true,
    });
    return { report, dataQuality: dataQualityChecks(quality, schema, profile), multivariate: multivariate! };
  });
  // Same tests as scipy per feature (KS / chi-square only).
  const same = best(3, () =>
    createDriftDetector(buildReferenceProfile(refCols, { reservoirSize: Infinity, pool }), {
      stattest: 'ks',
      features: Object.fromEntries(meta.categorical.map((n) => [n, { stattest: 'chisquare' as const }])),
      tests: 'decisive',
      pool,
    }).evaluate(curCols),
  );
  // The service case: the profile is built once (default 50k reservoir), each window is evaluated against it.
  const detector = createDriftDetector(buildReferenceProfile(refCols, { pool }), { pool });
  const windowOnly = best(3, () => detector.evaluate(curCols));

  let maxStatRel = 0;
  let maxPRel = 0;
  for (const f of same.value.features) {
    const t = f.tests.find((x) => x.decisive)!;
    const s = py.scipyResults[f.name];
    maxStatRel = Math.max(maxStatRel, Math.abs(t.statistic - s.statistic) / Math.abs(s.statistic));
    if (s.pValue > 0) maxPRel = Math.max(maxPRel, Math.abs(t.pValue! - s.pValue) / s.pValue);
  }
  const a = f64('ks.a.f64');
  const b = f64('ks.b.f64');
  const ks = best(3, () => ksTwoSample(a, b));
  const ksRel = Math.abs(ks.value.pValue - py.ks.pValue) / py.ks.pValue;

  const m1 = profileMemory(100_000);
  const m2 = profileMemory(1_000_000);

  const s = (x: number | null): string =>
    x === null ? 'n/a' : x < 1 ? `${(x * 1000).toFixed(1)} ms` : `${x.toFixed(2)} s`;
  const r = (x: number | null): string => (x === null ? 'n/a' : `${x.toFixed(1)}×`);
  const ev = py.evidentlySeconds;
  const evFull = py.evidentlyFullSeconds;
  const rows: string[][] = [
    ['case', 'plumbline', 'scipy', 'evidently', 'scipy / plumbline', 'evidently / plumbline'],
    [
      'drift report, all tests (25 cols, 200k×200k, profile + evaluate)',
      s(full.seconds),
      s(py.scipySeconds),
      s(ev),
      r(py.scipySeconds / full.seconds),
      r(ev && ev / full.seconds),
    ],
    [
      'whole report: drift + data-quality checks + multivariate (vs Evidently DataDriftPreset + DataSummaryPreset)',
      s(whole.seconds),
      '',
      s(evFull),
      '',
      r(evFull && evFull / whole.seconds),
    ],
    [
      'drift report, KS + chi-square only (same tests as scipy)',
      s(same.seconds),
      s(py.scipySeconds),
      '',
      r(py.scipySeconds / same.seconds),
      '',
    ],
    [
      'window evaluate vs prebuilt profile (50k reservoir)',
      s(windowOnly.seconds),
      '',
      '',
      '',
      r(ev && ev / windowOnly.seconds),
    ],
    [
      'KS alone, 1M vs 1M (sort + D + asymptotic p)',
      s(ks.seconds),
      s(py.ksSeconds),
      '',
      r(py.ksSeconds / ks.seconds),
      '',
    ],
  ];
  const w = rows[0].map((_, i) => Math.max(...rows.map((x) => x[i].length)));
  const line = (x: string[]): string => `| ${x.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  const out = [
    line(rows[0]),
    `|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
    '',
    `Agreement with scipy ${py.scipyVersion} (KS / chi-square per feature): max relative difference statistic ${maxStatRel.toExponential(2)}, p-value ${maxPRel.toExponential(2)}; KS 1M p-value ${ksRel.toExponential(2)}.`,
    `Evidently ${py.evidentlyVersion ?? 'not installed'}${py.evidentlyError ? ` — failed: ${py.evidentlyError}` : ''}. Best of 3 runs (Evidently: 1 run); data already in memory on every side.`,
    `Drift worker threads: ${pool.stats().tasksInWorkers} column tasks ran in a worker thread, the rest in the calling thread.`,
    `Drift found: ${full.value.dataset.driftedFeatures}/${full.value.dataset.testedFeatures} features (5 numerical + 1 categorical were shifted).`,
    `Whole report: ${whole.value.dataQuality.failed} of ${whole.value.dataQuality.checks.length} data-quality checks failed; multivariate ${'skipped' in whole.value.multivariate ? `skipped (${whole.value.multivariate.skipped})` : `${whole.value.multivariate.components} components, error ${whole.value.multivariate.currentError.toFixed(3)} vs reference ${whole.value.multivariate.referenceError.toFixed(3)}, drift ${whole.value.multivariate.drift}`}.`,
    '',
    '| reference profile (5 num + 1 cat columns, reservoir 50k) | rows | retained memory | profile JSON | build time |',
    '|---|---|---|---|---|',
    `| streaming builder | 100,000 | ${(m1.bytes / 1e6).toFixed(1)} MB | ${(m1.jsonBytes / 1e6).toFixed(2)} MB | ${s(m1.seconds)} |`,
    `| streaming builder | 1,000,000 | ${(m2.bytes / 1e6).toFixed(1)} MB | ${(m2.jsonBytes / 1e6).toFixed(2)} MB | ${s(m2.seconds)} |`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  pool.close();
}

main();
