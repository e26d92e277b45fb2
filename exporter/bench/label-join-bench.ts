/**
 * The label join state's micro benchmark: `node --expose-gc exporter/bench/run.js label-join-bench.ts`.
 * One million predictions over 60 one-minute buckets (5 classes, a confidence each), then 700,000 labels (every
 * seventh before its prediction would have come, in a shuffled order): adds per second, bytes per held prediction
 * and per held label (process.memoryUsage: heap + array buffers, after a forced collection, keys built beforehand),
 * the time of one quality() over the hour (the middle of three), the size and time of a checkpoint, and a second
 * run past the cap (1.8 million predictions: sampling at rate 1/2).
 * Not a test: it prints a table.
 */
import { mulberry32 } from '../src/drift/reservoir';
import { keyHash, labelJoinKey } from '../src/quality/key-hash';
import { createLabelJoinState, type LabelJoinState } from '../src/quality/label-join-state';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const T0 = Date.UTC(2026, 0, 1);
const CLASSES = ['cat', 'dog', 'fox', 'owl', 'yak'];
const HOUR = 3_600_000;

interface Input {
  keys: string[];
  at: Float64Array;
  predicted: string[];
  confidence: Float64Array;
  labelOrder: Int32Array;
  truth: string[];
}

function makeInput(n: number, seed: number): Input {
  const r = mulberry32(seed);
  const keys: string[] = new Array<string>(n);
  const at = new Float64Array(n);
  const predicted: string[] = new Array<string>(n);
  const confidence = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    keys[i] = labelJoinKey(`9f1c2e4a-${seed}-${(i >> 1).toString(16).padStart(8, '0')}`, i & 1);
    keyHash(keys[i]); // flattens the concatenated string now, so its garbage is not freed inside the measurement
    at[i] = T0 + Math.floor((i / n) * HOUR);
    predicted[i] = CLASSES[Math.floor(r() * 5)];
    confidence[i] = r();
  }
  const labelled = Math.floor(n * 0.7);
  const labelOrder = new Int32Array(labelled);
  for (let i = 0; i < labelled; i++) labelOrder[i] = Math.floor((i / labelled) * n);
  for (let i = labelled - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [labelOrder[i], labelOrder[j]] = [labelOrder[j], labelOrder[i]];
  }
  const truth = Array.from(labelOrder, (i) => (r() < 0.8 ? predicted[i] : CLASSES[Math.floor(r() * 5)]));
  return { keys, at, predicted, confidence, labelOrder, truth };
}

function held(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function run(n: number, maxHeld: number, label: string): void {
  const input = makeInput(n, 7);
  const base = held();
  const state: LabelJoinState = createLabelJoinState({
    task: 'classification',
    maxPredictions: maxHeld,
    maxLabels: maxHeld,
  });
  let t = performance.now();
  for (let i = 0; i < n; i++)
    state.addPrediction({
      key: input.keys[i],
      bucketStartMs: T0 + Math.floor((input.at[i] - T0) / 60_000) * 60_000,
      atMs: input.at[i],
      predicted: input.predicted[i],
      confidence: input.confidence[i],
    });
  const predictionSeconds = (performance.now() - t) / 1000;
  const afterPredictions = held();
  t = performance.now();
  for (let j = 0; j < input.labelOrder.length; j++) {
    const i = input.labelOrder[j];
    state.addLabel({ key: input.keys[i], atMs: input.at[i] + 90_000, truth: input.truth[j] });
  }
  const labelSeconds = (performance.now() - t) / 1000;
  const afterLabels = held();
  const starts = state.bucketStarts();
  // The middle of three runs (the first also compiles).
  const times: number[] = [];
  let q = state.quality(starts, { confidenceThreshold: 0.6, maxClasses: 10 });
  for (let k = 0; k < 3; k++) {
    t = performance.now();
    q = state.quality(starts, { confidenceThreshold: 0.6, maxClasses: 10 });
    times.push(performance.now() - t);
  }
  const qualityMs = times.sort((a, b) => a - b)[1];
  t = performance.now();
  const doc = JSON.stringify(state);
  const saveMs = performance.now() - t;
  const stats = state.stats();
  const row = [
    label,
    n.toLocaleString('en'),
    stats.samplingRate,
    Math.round(n / predictionSeconds).toLocaleString('en'),
    Math.round(input.labelOrder.length / labelSeconds).toLocaleString('en'),
    Math.round((n + input.labelOrder.length) / (predictionSeconds + labelSeconds)).toLocaleString('en'),
    ((afterPredictions - base) / stats.predictions).toFixed(1),
    ((afterLabels - afterPredictions) / stats.labels).toFixed(1),
    (stats.bytes / 2 ** 20).toFixed(1),
    qualityMs.toFixed(0),
    `${q.labelled.toLocaleString('en')} / ${q.classification!.accuracy.toFixed(4)}`,
    `${(doc.length / 2 ** 20).toFixed(1)} MiB, ${saveMs.toFixed(0)} ms`,
  ];
  console.log(`| ${row.join(' | ')} |`);
}

console.log(
  '| run | predictions added | sampling rate | predictions/s | labels/s | (predictions + labels)/s | bytes per held prediction | bytes per held label | typed arrays, MiB | quality() ms | labelled / accuracy | checkpoint |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
run(1_000_000, 1_000_000, 'under the cap');
run(1_800_000, 1_000_000, 'past the cap');
