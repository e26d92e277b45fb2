/**
 * `npm run bench:performance` — the label-free performance estimate, Plumbline vs NannyML's CBPE, on the same data
 * in one run: a 5-class logistic model (test/helpers/logistic-data.ts, over-confident: temperature 1.5) with a
 * reference of 50,000 labelled rows and 20 chunks of 50,000 rows under a gradual covariate shift (chunk c's feature
 * means move linearly from 0 to (0.8, −0.6, 0.5)). For each side: the mean absolute error over the chunks of the
 * estimated vs the realized accuracy and macro F1, and the time of calibration on the reference plus the estimate of
 * every chunk (data in memory on both sides; NannyML on pandas frames). Python runs in its own venv,
 * ~/.cache/plumbline/nannyml-venv (created here with pip install nannyml==0.13.1 statsmodels when missing;
 * PLUMBLINE_BENCH_NANNYML_PYTHON picks another interpreter). Then, in the same run, the label horizon store's table
 * (label-horizon-bench.ts, also `npm run bench:label-horizon`): the exporter's join throughput (feedback events/s)
 * and its memory at a 14-day horizon of 1,000 predictions/s, simulated. Not a test: it prints tables with ratios.
 * Needs node --expose-gc (the npm script passes it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  estimatePerformance,
  estimateSumsOfRows,
  fitCalibration,
  performanceFromMatrix,
} from '../src/quality/estimate';
import { FIVE_CLASS, logisticData, type LogisticData } from '../test/helpers/logistic-data';
import { labelHorizonBench } from './label-horizon-bench';

const venv = join(homedir(), '.cache', 'plumbline', 'nannyml-venv');
const python = process.env.PLUMBLINE_BENCH_NANNYML_PYTHON ?? join(venv, 'bin', 'python');
const dataDir = join(tmpdir(), 'plumbline-bench-performance');
const CHUNKS = 20;
const CHUNK_ROWS = 50_000;
const REFERENCE_ROWS = 50_000;
const TEMPERATURE = 1.5;
const FINAL_SHIFT = [0.8, -0.6, 0.5];
const labels = ['c0', 'c1', 'c2', 'c3', 'c4'];
const k = labels.length;

function ensureVenv(): void {
  if (process.env.PLUMBLINE_BENCH_NANNYML_PYTHON) return;
  if (existsSync(python)) {
    try {
      execFileSync(python, ['-c', 'import nannyml, pandas, numpy'], { stdio: 'ignore' });
      return;
    } catch {
      /* fall through and install */
    }
  }
  process.stderr.write(`creating ${venv} (pip install nannyml==0.13.1 statsmodels) …\n`);
  mkdirSync(join(homedir(), '.cache', 'plumbline'), { recursive: true });
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  // statsmodels: nannyml 0.13.1 imports it without declaring it.
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', 'nannyml==0.13.1', 'statsmodels'], {
    stdio: 'inherit',
  });
}

function write(name: string, d: LogisticData): void {
  writeFileSync(join(dataDir, `${name}-proba.f64`), Buffer.from(d.probabilities.buffer));
  writeFileSync(join(dataDir, `${name}-pred.i32`), Buffer.from(d.predicted.buffer));
  writeFileSync(join(dataDir, `${name}-actual.i32`), Buffer.from(d.actual.buffer));
}

function realized(d: LogisticData, from: number, to: number): { accuracy: number; f1Macro: number } {
  const counts = labels.map(() => new Array<number>(k).fill(0));
  for (let i = from; i < to; i++) counts[d.actual[i]][d.predicted[i]]++;
  return performanceFromMatrix(labels, counts);
}

function estimateBench(): void {
  ensureVenv();
  mkdirSync(dataDir, { recursive: true });
  const reference = logisticData({
    rows: REFERENCE_ROWS,
    seed: 1,
    model: FIVE_CLASS,
    temperature: TEMPERATURE,
  });
  // The chunks, generated one by one (each its own shift) and laid end to end.
  const n = CHUNKS * CHUNK_ROWS;
  const analysis = {
    probabilities: new Float64Array(n * k),
    predicted: new Int32Array(n),
    actual: new Int32Array(n),
    x: new Float64Array(0),
    rows: n,
  };
  for (let c = 0; c < CHUNKS; c++) {
    const t = c / (CHUNKS - 1);
    const chunk = logisticData({
      rows: CHUNK_ROWS,
      seed: 100 + c,
      model: FIVE_CLASS,
      temperature: TEMPERATURE,
      shift: FINAL_SHIFT.map((s) => s * t),
    });
    analysis.probabilities.set(chunk.probabilities, c * CHUNK_ROWS * k);
    analysis.predicted.set(chunk.predicted, c * CHUNK_ROWS);
    analysis.actual.set(chunk.actual, c * CHUNK_ROWS);
  }
  write('reference', reference);
  write('analysis', analysis);
  writeFileSync(
    join(dataDir, 'meta.json'),
    JSON.stringify({ labels, referenceRows: REFERENCE_ROWS, chunks: CHUNKS, chunkRows: CHUNK_ROWS }),
  );
  const truth = Array.from({ length: CHUNKS }, (_, c) =>
    realized(analysis, c * CHUNK_ROWS, (c + 1) * CHUNK_ROWS),
  );

  const runPlumbline = (): { accuracy: number[]; f1Macro: number[]; seconds: number; method: string } => {
    const t0 = process.hrtime.bigint();
    const cal = fitCalibration(labels, { ...reference, classes: k });
    const accuracy: number[] = [];
    const f1Macro: number[] = [];
    for (let c = 0; c < CHUNKS; c++) {
      const a = c * CHUNK_ROWS;
      const sums = estimateSumsOfRows(
        cal,
        analysis.probabilities.subarray(a * k, (a + CHUNK_ROWS) * k),
        analysis.predicted.subarray(a, a + CHUNK_ROWS),
      );
      const e = estimatePerformance(labels, sums);
      accuracy.push(e.accuracy);
      f1Macro.push(e.f1Macro);
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { accuracy, f1Macro, seconds, method: cal.method };
  };
  runPlumbline(); // warm-up (JIT), untimed
  const runs = [runPlumbline(), runPlumbline(), runPlumbline()];
  const plumbline = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const nannyml = JSON.parse(
    execFileSync(python, [join(__dirname, 'performance_bench.py'), dataDir], {
      maxBuffer: 1 << 24,
    }).toString(),
  ) as { accuracy: number[]; f1Macro: number[]; seconds: number; nannyml: string };

  const mae = (est: number[], key: 'accuracy' | 'f1Macro'): number =>
    est.reduce((s, v, c) => s + Math.abs(v - truth[c][key]), 0) / CHUNKS;
  const rows: [string, string, string, string][] = [
    ['', 'MAE accuracy', 'MAE macro F1', 'time (s)'],
    [
      `Plumbline (calibration: ${plumbline.method}, best of 3)`,
      mae(plumbline.accuracy, 'accuracy').toFixed(5),
      mae(plumbline.f1Macro, 'f1Macro').toFixed(5),
      plumbline.seconds.toFixed(3),
    ],
    [
      `NannyML ${nannyml.nannyml} CBPE`,
      mae(nannyml.accuracy, 'accuracy').toFixed(5),
      mae(nannyml.f1Macro, 'f1Macro').toFixed(5),
      nannyml.seconds.toFixed(3),
    ],
    [
      'ratio NannyML / Plumbline',
      (mae(nannyml.accuracy, 'accuracy') / mae(plumbline.accuracy, 'accuracy')).toFixed(2),
      (mae(nannyml.f1Macro, 'f1Macro') / mae(plumbline.f1Macro, 'f1Macro')).toFixed(2),
      `${(nannyml.seconds / plumbline.seconds).toFixed(1)}×`,
    ],
  ];
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  process.stdout.write(
    `label-free performance estimate: ${CHUNKS} chunks × ${CHUNK_ROWS} rows, 5 classes, reference ${REFERENCE_ROWS} rows, gradual covariate shift\n\n` +
      [rows[0], w.map((n) => '-'.repeat(n)), ...rows.slice(1)]
        .map((r) => `| ${r.map((c, i) => c.padEnd(w[i])).join(' | ')} |`)
        .join('\n') +
      `\n\nratio > 1: Plumbline's error is smaller / Plumbline is faster. Goal: error ≤ NannyML's, ≥ 20× faster.\n` +
      `realized accuracy from ${truth[0].accuracy.toFixed(4)} (chunk 1) to ${truth[CHUNKS - 1].accuracy.toFixed(4)} (chunk ${CHUNKS})\n`,
  );
}

async function main(): Promise<void> {
  estimateBench();
  process.stdout.write(
    `\nthe exporter's join throughput and memory at a 14-day horizon of 1,000 predictions/s, simulated\n\n`,
  );
  process.stdout.write(await labelHorizonBench());
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
