/**
 * The label horizon store's benchmark (issue #11): the table `npm run bench:label-horizon` (label-horizon.ts) prints,
 * and `npm run bench:performance` prints after its own (the "join throughput and memory at a 14-day horizon
 * of 1,000 predictions/s, simulated"). Not a test. Needs node --expose-gc.
 *
 * A simulated 14-day horizon (an injected clock, nothing waits): predictions of a 5-class model spread evenly over
 * 15 days (HORIZON_BENCH_ROWS of them, 2,000,000 by default — a sample of the 1,209,600,000 that 1,000/s make in
 * 14 days), then, at the end of those days, feedback for 70% of them (0 to 15 days after its prediction: those
 * more than 14 days late are expired), 10% of it replacing the label just given, plus 3% for requests never seen. It measures the predictions and feedback events
 * the store takes per second (buffered, applied in write transactions of 2,000, through `flush`), the disk bytes per
 * prediction held (the LMDB file's allocated blocks over the rows held), the heap and RSS after a forced collection
 * (what stays in memory: the per-bucket tallies and the buffer, not the rows), and extrapolates the disk to
 * 1,000 predictions/s over 14 days (plus the day the store keeps past the horizon). RSS counts the pages of the
 * memory-mapped file this process touched: the kernel's page cache, reclaimable, not the store's own memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../src/drift/reservoir';
import { createLabelHorizonStore, DAY_MS } from '../src/label-horizon';
import { fitCalibration } from '../src/quality/estimate';
import { labelJoinKey } from '../src/quality/key-hash';
import { estimateSchemaOf } from '../src/windows/buckets/estimate-state';

const DAYS = 15;
const HORIZON_DAYS = 14;
const RATE = 1000;
const CLASSES = ['cat', 'dog', 'fox', 'owl', 'yak'];
const T0 = Date.UTC(2026, 0, 1);

function memory(): { heap: number; rss: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.arrayBuffers, rss: m.rss };
}

const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
const gib = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GiB`;
const perSecond = (n: number, ms: number): string =>
  `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;

/**
 * Runs the benchmark (HORIZON_BENCH_ROWS predictions, 2,000,000 by default) and returns its table and the note
 * under it, as markdown.
 */
export async function labelHorizonBench(): Promise<string> {
  const ROWS = Number(process.env.HORIZON_BENCH_ROWS ?? 2_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'label-horizon-bench-'));
  const clock = { t: T0 };
  const unjoined = { expired: 0, unknown: 0 };
  const store = createLabelHorizonStore({
    dir,
    models: [{ name: 'bench', task: 'classification' }],
    horizonMs: HORIZON_DAYS * DAY_MS,
    pendingWaitMs: 3_600_000,
    now: () => clock.t,
    onUnjoined: (_model, reason) => unjoined[reason]++,
  });
  const r = mulberry32(11);
  const before = memory();
  const spacing = (DAYS * DAY_MS) / ROWS;
  // The class of prediction i, without holding an array of them (the bench's own data would count as memory).
  const predictedOf = (i: number): string => CLASSES[(Math.imul(i, 2654435761) >>> 0) % 5];
  const keyOf = (i: number): string =>
    labelJoinKey(`9f1c2e4a-0b7d-4c1e-8a5f-${i.toString(16).padStart(12, '0')}`, 0);

  // Each prediction's probabilities: its confidence c on the predicted class, (1 − c) / 4 on each other one.
  const probabilitiesOf = (predicted: string, c: number): Record<string, number> =>
    Object.fromEntries(CLASSES.map((cl) => [cl, cl === predicted ? c : (1 - c) / 4]));
  // The quality baseline's calibration, isotonic (the costlier method), fitted on 5,000 reference rows whose
  // predicted class is right with probability 0.8 whatever the confidence, as the bench's first labels are (so the
  // confidences of 0.5–1 are miscalibrated): each prediction is folded into its bucket's estimate sums through it,
  // as the exporter does for a classifier with a quality baseline.
  const reference = { probabilities: [] as number[], predicted: [] as number[], actual: [] as number[] };
  for (let i = 0; i < 5000; i++) {
    const m = i % 5;
    const c = 0.5 + r() / 2;
    reference.probabilities.push(...CLASSES.map((_, j) => (j === m ? c : (1 - c) / 4)));
    reference.predicted.push(m);
    reference.actual.push(r() < 0.8 ? m : (m + 1 + Math.floor(r() * 4)) % 5);
  }
  const estimate = estimateSchemaOf(
    fitCalibration(CLASSES, { ...reference, classes: 5 }, { method: 'isotonic' }),
  );

  // Predictions in time order over 15 days, the clock following them.
  let started = performance.now();
  for (let i = 0; i < ROWS; i++) {
    const at = T0 + Math.floor(i * spacing);
    clock.t = at;
    const predicted = predictedOf(i);
    const confidence = 0.5 + r() / 2;
    store.addPrediction(
      'bench',
      {
        key: keyOf(i),
        atMs: at,
        version: '3',
        predicted,
        confidence,
        probabilities: probabilitiesOf(predicted, confidence),
      },
      estimate,
    );
  }
  store.flush();
  const predictMs = performance.now() - started;
  const filled = store.stats();
  const afterFill = memory();

  // Feedback now (the end of the 15 days) for 70% of the predictions, 0 to 15 days after them (those more than 14
  // days late are expired), in an order unrelated to their keys; 10% replace the label just given, 3% are for a
  // request never seen.
  let labels = 0;
  started = performance.now();
  for (let i = 0; i < ROWS; i++) {
    if (r() >= 0.7) continue;
    clock.t += 1;
    const truth = r() < 0.8 ? predictedOf(i) : CLASSES[Math.floor(r() * 5)];
    store.addLabel('bench', { key: keyOf(i), atMs: clock.t, truth });
    labels++;
    if (r() < 0.1) {
      clock.t += 1;
      store.addLabel('bench', { key: keyOf(i), atMs: clock.t, truth: CLASSES[Math.floor(r() * 5)] });
      labels++;
    }
    if (r() < 0.03) {
      store.addLabel('bench', { key: `${keyOf(i)}-stranger`, atMs: clock.t, truth });
      labels++;
    }
  }
  store.flush();
  const labelMs = performance.now() - started;
  const joined = store.stats();
  const afterJoin = memory();
  started = performance.now();
  const q = store.rangeQuality('bench', [{ range: '7d', seconds: 7 * 86_400 }], 50, estimate)[0];
  const rangeMs = performance.now() - started;

  const bytesPerRow = filled.diskBytes / filled.predictions;
  const rowsAtScale = RATE * 86_400 * (HORIZON_DAYS + 1);
  const lines = [
    `| label horizon store, ${ROWS.toLocaleString('en-US')} predictions over ${DAYS} simulated days | value |`,
    '| --- | --- |',
    `| predictions taken (keyed, 5 probabilities, folded into the estimate sums through an isotonic calibration, written in transactions of 2,000) | ${perSecond(ROWS, predictMs)} |`,
    `| feedback events joined (${labels.toLocaleString('en-US')}: 0–15 days late, 10% replacing a label, 3% unknown) | ${perSecond(labels, labelMs)} |`,
    `| predictions held after the fill / after the labels (days past the horizon dropped) | ${filled.predictions.toLocaleString('en-US')} / ${joined.predictions.toLocaleString('en-US')} |`,
    `| disk: LMDB file (allocated) / per prediction held | ${mib(filled.diskBytes)} / ${bytesPerRow.toFixed(0)} bytes |`,
    `| heap + array buffers after GC: before / after the fill / after the labels | ${mib(before.heap)} / ${mib(afterFill.heap)} / ${mib(afterJoin.heap)} |`,
    `| RSS after the labels (includes the mapped file's pages touched: page cache) | ${mib(afterJoin.rss)} |`,
    `| tallies held (5-minute buckets) / labels waiting | ${joined.tallies} / ${joined.pendingLabels} |`,
    `| unjoined: expired / unknown | ${unjoined.expired} / ${unjoined.unknown} (unknown ones still waiting: ${joined.pendingLabels}) |`,
    `| 7d range at the end: predictions, coverage, accuracy; estimated accuracy [band] | ${q.predictions.toLocaleString('en-US')}, ${q.coverage?.toFixed(3)}, ${q.accuracy?.toFixed(3)}; ${q.estimated?.accuracy.toFixed(3)} [${q.estimated?.accuracyBand.map((b) => b.toFixed(3)).join(', ')}] |`,
    `| one report of the 7d range (2,016 buckets' tallies in memory, their estimate sums read from disk) | ${rangeMs.toFixed(1)} ms |`,
    `| extrapolated: disk at ${RATE.toLocaleString('en-US')} predictions/s over ${HORIZON_DAYS} days + the day kept past it (${rowsAtScale.toLocaleString('en-US')} rows × bytes per row) | ${gib(bytesPerRow * rowsAtScale)} |`,
  ];
  const text =
    `${lines.join('\n')}\n` +
    `\nOne run on this machine (${new Date().toISOString()}), Node ${process.version}. Memory does not depend on the rows held ` +
    `(they are on disk); the disk figure is measured here and multiplied out, not measured at 1.2 billion rows, where ` +
    `the B-trees are deeper and a lookup that misses the page cache reads the disk.\n`;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return text;
}
