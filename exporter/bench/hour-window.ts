/**
 * The one-hour sliding window of `npm run bench:exporter` at a given rate, built as the service builds it (the
 * store and label join wired as app.ts wires them, the baseline loaded as the drift engine loads it), shared by the
 * bench's window part and the evaluation profile (evaluation-stages.ts) so both measure the very same state.
 * At 1,000 events/s every minute is folded from generated events; at higher rates the first two, and minutes 3–60
 * are copies of minute 2 (copyMinute).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FeedbackEvent } from '@plumbline/schema';
import { windowStoreGeometry } from '../src/app';
import { parseConfig, type ExporterConfig, type ModelConfig } from '../src/config';
import { buildReferenceProfile } from '../src/drift/in-memory-profile-builder';
import { createNumericPool, type NumericPool } from '../src/drift/numeric-pool';
import type { ReferenceProfile } from '../src/drift/profile-types';
import type { LabelJoinStateJson } from '../src/quality';
import type { LoadedBaseline } from '../src/service/drift-engine';
import type { EvaluateWindowInput } from '../src/service/evaluate-window';
import { createProfileDriftEngine } from '../src/service/profile-drift-engine';
import type { TimeRange } from '../src/windows';
import { copyBucketState, type BucketState } from '../src/windows/buckets';
import {
  createLabelJoinCompanion,
  createWindowStore,
  type LabelJoinCompanion,
  type ModelWindow,
  type WindowStore,
} from '../src/windows/store';
import { MODEL, TrafficGenerator, referenceColumns } from './production-events';

/** Rows of the generated reference the baseline is profiled from. */
export const REFERENCE_ROWS = 50_000;
export const LABELLED_SHARE = 0.1;
/** Ground truth arrives this long after its prediction. */
export const LABEL_DELAY_MS = 120_000;
/** The window evaluated: the hour [T0, T0 + 1 h), evaluated 6 s after it closed (grace 5 s). */
export const T0 = Date.UTC(2026, 0, 1, 0);
export const HOUR_MS = 3_600_000;
export const EVALUATED_AT = T0 + HOUR_MS + 6_000;
export const RANGE: TimeRange = { from: T0, to: T0 + HOUR_MS };

/** The service's config with its defaults (window 3600 s / 60 s, bucket sample 2,000, window sample 50,000…). */
export function benchConfig(): ExporterConfig {
  return parseConfig({ models: [{ name: MODEL }] });
}

export function referenceProfile(): ReferenceProfile {
  return buildReferenceProfile(referenceColumns(REFERENCE_ROWS), { predictionColumn: 'prediction' });
}

/** The baseline as the service's drift engine loads it (createProfileDriftEngine with a drift worker pool). */
export async function loadBaseline(
  profile: ReferenceProfile,
  model: ModelConfig,
): Promise<{ baseline: LoadedBaseline; pool: NumericPool }> {
  const pool = createNumericPool();
  const engine = createProfileDriftEngine(async () => ({ profile, version: 'bench' }), [model], pool);
  const baseline = (await engine.load(model))!;
  return { baseline, pool };
}

/** The window store exactly as createExporter wires it (app.ts), with the label join as companion. */
export function serviceStore(
  config: ExporterConfig,
  now: () => number,
): { store: WindowStore; join: () => LabelJoinCompanion } {
  const { bucketWidthMs, retentionMs } = windowStoreGeometry(config);
  let companion: LabelJoinCompanion | null = null;
  const store = createWindowStore({
    models: config.models.map((m) => ({ name: m.name, version: m.version })),
    bucketWidthMs,
    retentionMs,
    bucketSampleSize: config.window.bucketSampleSize,
    windowSampleSize: config.window.sampleSize,
    seed: 12345,
    dedupe: { horizonMs: config.dedupe.horizonSeconds * 1000, maxIds: config.dedupe.maxIds },
    now,
    companion: () => (companion = createLabelJoinCompanion({ task: config.models[0].task, bucketWidthMs })),
  });
  return { store, join: () => companion! };
}

/** The hashes and times of a base64 column of little-endian doubles (label join documents). */
function decode(text: string, n: number): Float64Array {
  const b = Buffer.from(text, 'base64');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = b.readDoubleLE(i * 8);
  return out;
}

function encode(values: Float64Array): string {
  const b = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) b.writeDoubleLE(values[i], i * 8);
  return b.toString('base64');
}

/** Label-join kind of a string value (label-join-state.ts): the value is its index in `strings`. */
const STRING = 2;

/** One folded minute's label-join rows, taken once, to copy into other minutes (copyMinute). */
interface MinuteTemplate {
  source: BucketState;
  /** The minute's predictions (a one-bucket document). */
  doc: LabelJoinStateJson;
  /** Its labels (those that joined its predictions), string values indexing doc.strings + labelStrings. */
  labelStrings: readonly string[];
  lHash: Float64Array;
  lAt: Float64Array;
  lKind: Uint8Array;
  lValue: Float64Array;
}

function minuteTemplate(companion: LabelJoinCompanion, source: BucketState): MinuteTemplate {
  const doc = companion.join.toJSON(source.startMs);
  const labels = companion.join.labelsToJSON();
  const b = doc.buckets[0];
  const inMinute = new Set(decode(b.hash, b.size));
  const l = labels.labels!;
  const lHash = decode(l.hash, l.size);
  const keep: number[] = [];
  for (let i = 0; i < l.size; i++) if (inMinute.has(lHash[i])) keep.push(i);
  const lAt = decode(l.atMs, l.size);
  const lKind = Buffer.from(l.kind, 'base64');
  const lValue = decode(l.value, l.size);
  return {
    source,
    doc,
    labelStrings: labels.strings,
    lHash: Float64Array.from(keep, (i) => lHash[i]),
    lAt: Float64Array.from(keep, (i) => lAt[i]),
    lKind: Uint8Array.from(keep, (i) => lKind[i]),
    lValue: Float64Array.from(keep, (i) => lValue[i]),
  };
}

const NO_COUNTERS = {
  sampledOutPredictions: 0,
  sampledOutLabels: 0,
  duplicateRowsDropped: 0,
  expiredLabels: 0,
  lastSampledOutLabelAtMs: null,
  evictedBeforeMs: null,
};

/**
 * The template's labels that arrive in [from, before) once moved to minute `target`, as a labels document (no
 * bucket) for the join: hashes mapped by h → (h + c) mod T.
 */
function movedLabels(t: MinuteTemplate, target: number, c: number, from: number, before: number) {
  const offset = T0 + target * 60_000 - t.source.startMs;
  const T = t.doc.samplingThreshold;
  const keep: number[] = [];
  for (let i = 0; i < t.lHash.length; i++) {
    const at = t.lAt[i] + offset;
    if (at >= from && at < before) keep.push(i);
  }
  const first = t.doc.strings.length;
  return {
    size: keep.length,
    hash: encode(Float64Array.from(keep, (i) => (t.lHash[i] + c) % T)),
    atMs: encode(Float64Array.from(keep, (i) => t.lAt[i] + offset)),
    kind: Buffer.from(keep.map((i) => t.lKind[i])).toString('base64'),
    value: encode(
      Float64Array.from(keep, (i) => (t.lKind[i] === STRING ? t.lValue[i] + first : t.lValue[i])),
    ),
  };
}

/**
 * Fills minute `target` with a copy of the template minute's state, as if the same minute of traffic had come again
 * with new request ids: the bucket state copied with the new start, and the label join's rows of that minute
 * (predictions and the labels that joined them by `labelsBefore`) with their times moved and their key hashes
 * mapped to new keys by h → (h + c) mod T, T the join's sampling threshold, c drawn anew per minute: uniform keys
 * below T stay uniform below T, so the join samples them as it would fresh ones.
 */
function copyMinute(
  store: WindowStore,
  companion: LabelJoinCompanion,
  t: MinuteTemplate,
  target: number,
  c: number,
  labelsBefore: number,
): void {
  const startMs = T0 + target * 60_000;
  const offset = startMs - t.source.startMs;
  store.restore(MODEL, { ...copyBucketState(t.source), startMs, endMs: startMs + 60_000 }, null);
  const b = t.doc.buckets[0];
  const T = t.doc.samplingThreshold;
  const copy: LabelJoinStateJson = {
    ...t.doc,
    strings: [...t.doc.strings, ...t.labelStrings],
    buckets: [
      {
        ...b,
        startMs,
        hash: encode(decode(b.hash, b.size).map((h) => (h + c) % T)),
        atMs: encode(decode(b.atMs, b.size).map((x) => x + offset)),
      },
    ],
    labels: movedLabels(t, target, c, -Infinity, labelsBefore),
    counters: NO_COUNTERS,
  };
  companion.load(copy);
}

/** The labels of copied minute `target` that arrive in [from, before) (ground truth after its evaluation). */
function lateLabels(
  companion: LabelJoinCompanion,
  t: MinuteTemplate,
  target: number,
  c: number,
  from: number,
  before: number,
): void {
  const labels = movedLabels(t, target, c, from, before);
  if (labels.size === 0) return;
  companion.load({
    ...t.doc,
    strings: [...t.doc.strings, ...t.labelStrings],
    buckets: [],
    labels,
    counters: NO_COUNTERS,
  });
}

export interface HourWindow {
  config: ExporterConfig;
  model: ModelConfig;
  baseline: LoadedBaseline;
  pool: NumericPool;
  store: WindowStore;
  companion: LabelJoinCompanion;
  /** The clock the store reads (at `evaluatedAt` once built). */
  clock: { now: number };
  /** The traffic generator, after the hour (for events past it). */
  gen: TrafficGenerator;
  /** Minutes folded from events (the rest are copies of the last of them, `source`). */
  realMinutes: number;
  source: BucketState;
  /** The window to evaluate now: RANGE, moved a minute per `slide`. */
  range: TimeRange;
  /** When it is evaluated: 6 s after it closed. */
  evaluatedAt: number;
  /**
   * One step of the sliding window, as the service sees it between two evaluations: the next minute's traffic
   * folded (at 1,000/s from events; above, a copy of the template minute), the ground truth that arrived in that
   * minute (for that minute and the two before it), the clock a minute on and the oldest bucket evicted.
   */
  slide(): void;
}

/**
 * The hour at `ratePerSecond`, as the service holds it 6 s after the hour closed, retention evicted. `beforeStore`
 * runs after the baseline is loaded and before the store is created (the bench measures the memory there).
 */
export async function buildHourWindow(
  ratePerSecond: number,
  options: { beforeStore?: () => void } = {},
): Promise<HourWindow> {
  const config = benchConfig();
  const model = config.models[0];
  const profile = referenceProfile();
  const { baseline, pool } = await loadBaseline(profile, model);
  // Every minute folded from events at 1,000/s; at higher rates the first two, then copies (copyMinute).
  const realMinutes = ratePerSecond <= 1_000 ? 60 : 2;
  const clock = { now: T0 };
  options.beforeStore?.();
  const { store, join: labelJoin } = serviceStore(config, () => clock.now);
  store.setProfile(MODEL, baseline.profile, model.features);
  const companion = labelJoin();
  const gen = new TrafficGenerator({ seed: ratePerSecond });
  const pending: FeedbackEvent[] = [];
  let head = 0;
  const deliver = (until: number): void => {
    while (head < pending.length && Date.parse(pending[head]['@timestamp']) <= until)
      store.feedback(pending[head++]);
    if (head > 100_000) {
      pending.splice(0, head);
      head = 0;
    }
  };
  const foldMinute = (m: number): void => {
    for (let s = 0; s < 60; s++) {
      const second = T0 + (m * 60 + s) * 1000;
      for (let i = 0; i < ratePerSecond; i++) {
        const at = second + Math.floor((i * 1000) / ratePerSecond);
        clock.now = at + 1000; // read a second after it happened
        const [e, f] = gen.next(at, LABELLED_SHARE, LABEL_DELAY_MS);
        store.inference(e);
        if (f) pending.push(f);
      }
      deliver(second + 1000);
    }
  };
  const started = performance.now();
  for (let m = 0; m < realMinutes; m++) {
    foldMinute(m);
    process.stderr.write(
      `\r${ratePerSecond.toLocaleString('en')}/s: folded minute ${m + 1}/${realMinutes} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
  process.stderr.write('\n');
  clock.now = EVALUATED_AT;
  // Ground truth that has arrived by the time the window is evaluated.
  deliver(EVALUATED_AT);
  // The ground truth still in flight is not the store's: parked on disk until the first slide, so the memory the
  // bench measures after the build is the store's alone.
  const parked = join(mkdtempSync(join(tmpdir(), 'plumbline-bench-in-flight-')), 'feedback.json');
  writeFileSync(parked, JSON.stringify(pending.slice(head)));
  pending.length = 0;
  head = 0;
  let unpark = (): void => {
    pending.push(...(JSON.parse(readFileSync(parked, 'utf8')) as FeedbackEvent[]));
    rmSync(dirname(parked), { recursive: true, force: true });
    unpark = () => undefined;
  };
  const source = store.buckets().find((b) => b.state.startMs === T0 + (realMinutes - 1) * 60_000)!.state;
  const template = realMinutes < 60 ? minuteTemplate(companion, source) : null;
  const random = (() => {
    let x = 0x9e3779b9;
    return () => (x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
  })();
  /** Each copied minute's key shift c. */
  const shifts = new Map<number, number>();
  const copy = (m: number, labelsBefore: number): void => {
    const c = Math.floor(random() * template!.doc.samplingThreshold);
    shifts.set(m, c);
    copyMinute(store, companion, template!, m, c, labelsBefore);
  };
  for (let m = realMinutes; m < 60; m++) copy(m, EVALUATED_AT);
  store.evict();
  const hour: HourWindow = {
    config,
    model,
    baseline,
    pool,
    store,
    companion,
    clock,
    gen,
    realMinutes,
    source,
    range: RANGE,
    evaluatedAt: EVALUATED_AT,
    slide() {
      const next = (this.range.to - T0) / 60_000; // the minute that comes in
      const evaluatedAt = this.evaluatedAt + 60_000;
      unpark();
      if (template) {
        copy(next, evaluatedAt);
        // Ground truth of the minutes before, as it arrives in this one.
        for (let m = next - 3; m < next; m++) {
          const c = shifts.get(m);
          if (c !== undefined) lateLabels(companion, template, m, c, this.evaluatedAt, evaluatedAt);
        }
      } else foldMinute(next);
      clock.now = evaluatedAt;
      deliver(evaluatedAt);
      this.range = { from: this.range.from + 60_000, to: this.range.to + 60_000 };
      this.evaluatedAt = evaluatedAt;
      store.evict();
    },
  };
  return hour;
}

/** What app.ts hands evaluateWindow for the hour's current window. */
export function evaluationInput(hour: HourWindow, window: ModelWindow): EvaluateWindowInput {
  return {
    model: hour.model,
    range: hour.range,
    windowKind: 'sliding',
    window,
    baseline: hour.baseline,
    minimumSamples: hour.config.window.minimumSamples,
    confidenceThreshold: hour.config.confidenceThreshold,
    maxClasses: hour.config.maxClasses,
    now: hour.evaluatedAt,
  };
}
