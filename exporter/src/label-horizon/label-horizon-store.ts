/**
 * The label horizon store (issue #11, item 1): every prediction of the watched models kept on disk for
 * `quality.labelHorizon` (14 days by default) so that feedback arriving that long after it is still joined, and the
 * realized quality of each five-minute bucket of prediction time tallied as labels arrive. Memory does not grow with
 * traffic: the rows live in an embedded LMDB environment (the `lmdb` package, prebuilt binaries inside the npm
 * package), the tallies are small; docs/stattests.md, "Realized quality by prediction time", and exporter/README.md,
 * "Late labels" (costs).
 *
 * On disk, one environment `label-horizon.mdb` in the store's directory, with named databases:
 * - `p:<YYYY-MM-DD>`: the predictions made on that UTC day. Key `[model, keyHash(request_id + row)]` (52-bit hash,
 *   quality/key-hash.ts); value a msgpack array `[atMs, version, predicted, confidence, probabilities, labelAtMs,
 *   truth]` (the last two null until a label joins). A day is dropped whole once it ended more than the horizon
 *   plus one day ago: a label for a prediction past the horizon is recognised and counted as `expired` for at least
 *   one day after it, then as `unknown`.
 * - `tallies`: key `[model, bucketStartMs]` → the bucket's RealizedTally (quality/realized-tally.ts), written in the
 *   same transaction as the rows it counts, so rows and tallies never disagree (also after a crash).
 * - `estimates`: key `[model, bucketStartMs]` → the bucket's label-free estimate sums (issue #11 item 2;
 *   windows/buckets/estimate-state.ts) as a msgpack object `{ labels, rows, first, second, skipped }`: each prediction
 *   of the bucket folded, when it is taken, through the calibration of the quality baseline in force then (the one
 *   passed with it to `addPrediction`); `labels` are that calibration's classes. Written in the same transaction as
 *   the rows. Read from disk when a range is reported (k + k² + k³ doubles per bucket: not held in memory).
 * - `pending`: labels that came before their prediction, key `[model, hash]` → `[labelAtMs, truth, arrivedAtMs]`;
 *   one that finds no prediction within `pendingWaitMs` is counted as `unknown`.
 * - `meta`: the days held.
 *
 * Events are buffered and applied `batchSize` at a time in one write transaction (and by `flush()`, which the
 * exporter calls before each evaluation and checkpoint). Every step is idempotent — a prediction already held is
 * skipped, a label is applied only when it is newer than the one held — so a restart that re-reads events the store
 * already applied (the checkpoint's source position is older than the store) counts nothing twice.
 * Latest label wins (greatest label time): a replaced label's contribution is taken out of its tally first. A
 * reviewed row's label comes `resolved` by label-precedence.ts (the window's label join folds its events) and replaces
 * the held one whatever its time, or takes it away (a rejected row).
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { keyHash } from '../quality/key-hash';
import { estimatePerformance, totalRows, type EstimatedPerformance } from '../quality/estimate';
import {
  createEstimateState,
  estimateStateFromJson,
  estimateStateToJson,
  foldEstimateRow,
  mergeEstimateInto,
  type EstimateSchema,
  type EstimateState,
  type EstimateStateJson,
} from '../windows/buckets/estimate-state';
import {
  addRealizedTally,
  createRealizedTally,
  realizedRangeQuality,
  realizedTallyFromJson,
  realizedTallyToJson,
  tallyLabel,
  tallyPrediction,
  type RealizedRangeQuality,
  type RealizedTally,
  type RealizedTallyJson,
} from '../quality/realized-tally';

/** Width of the prediction-time buckets realized quality is tallied in. */
export const TALLY_BUCKET_MS = 5 * 60_000;
/** Width of the databases predictions are kept in (dropped whole). */
export const DAY_MS = 86_400_000;
/** Labels held waiting for their prediction, at most (past it a label without a prediction is `unknown` at once). */
export const MAX_PENDING_LABELS = 1_000_000;
/** The file of the store's LMDB environment, inside its directory. */
export const LABEL_HORIZON_FILE = 'label-horizon.mdb';

/** Why a label was not joined: its prediction is older than the horizon, or no prediction with its key is held. */
export type UnjoinedReason = 'expired' | 'unknown';

export interface HorizonPrediction {
  /** `labelJoinKey(request_id, row)`. */
  key: string;
  atMs: number;
  version: string | null;
  predicted: string | number | null;
  confidence: number | null;
  probabilities: Record<string, number> | null;
}

export interface HorizonLabel {
  key: string;
  /** The feedback's time. */
  atMs: number;
  /** Null only with `resolved`: the row has no label (rejected, or a retract with no other label under it). */
  truth: string | number | boolean | null;
  /**
   * The row's label as label-precedence.ts resolved it (a reviewed row): it replaces the held one whatever their
   * times, instead of the latest label winning.
   */
  resolved?: boolean;
}

export interface LabelHorizonStoreOptions {
  /** Directory of the LMDB environment (created if missing). */
  dir: string;
  models: readonly { name: string; task: 'classification' | 'regression' }[];
  /** Feedback up to this long after its prediction is joined. */
  horizonMs: number;
  /** How long a label that came before its prediction waits for it. @default 3600000 */
  pendingWaitMs?: number;
  /** Events applied per write transaction. @default 2000 */
  batchSize?: number;
  /** Labels held waiting, at most. @default MAX_PENDING_LABELS */
  maxPendingLabels?: number;
  now?: () => number;
  onUnjoined?: (model: string, reason: UnjoinedReason) => void;
}

export interface LabelHorizonStats {
  /** Day databases held. */
  days: number;
  /** Predictions held, over every day. */
  predictions: number;
  /** Labels waiting for their prediction. */
  pendingLabels: number;
  /** Tallies (model × bucket) held in memory. */
  tallies: number;
  /** Size of the environment's file. */
  diskBytes: number;
}

export interface TallyBucket {
  readonly startMs: number;
  readonly tally: RealizedTally;
}

/**
 * The label-free estimate of a reporting range: the merged estimate sums of its buckets whose calibration has the
 * current baseline's classes. `skippedRows`: predictions of the range left out — no quality baseline in force when
 * taken, no usable probabilities, or folded under a calibration of other classes.
 */
export type RangeEstimate = EstimatedPerformance & { skippedRows: number };

/** A reporting range's realized quality with the label-free estimate beside it (null: none to give). */
export type HorizonRangeQuality = RealizedRangeQuality & { estimated: RangeEstimate | null };

export interface LabelHorizonStore {
  readonly horizonMs: number;
  readonly dir: string;
  /**
   * Takes a prediction; `estimate` is the calibration of the quality baseline in force now (null: none), through
   * which the prediction is added to its bucket's estimate sums.
   */
  addPrediction(model: string, p: HorizonPrediction, estimate?: EstimateSchema | null): void;
  addLabel(model: string, l: HorizonLabel): void;
  /** Applies what is buffered, drops the days past the horizon and the labels that waited too long. */
  flush(): void;
  /** The model's tallies of the buckets starting in [fromMs, toMs), ascending (flushes first). Read-only. */
  tallies(model: string, fromMs: number, toMs: number): TallyBucket[];
  /**
   * Realized quality of each range: the predictions made in its last `seconds` — whole buckets, the one now
   * filling included — with the labels arrived so far; beside it the label-free estimate of those predictions
   * under `estimate`'s classes (the current baseline's calibration; null or absent: no estimate).
   */
  rangeQuality(
    model: string,
    ranges: readonly { range: string; seconds: number }[],
    maxClasses: number,
    estimate?: EstimateSchema | null,
  ): HorizonRangeQuality[];
  stats(): LabelHorizonStats;
  close(): Promise<void>;
}

type Op =
  | {
      readonly kind: 0;
      readonly model: string;
      readonly p: HorizonPrediction;
      readonly estimate: EstimateSchema | null;
    }
  | { readonly kind: 1; readonly model: string; readonly l: HorizonLabel; readonly arrivedAtMs: number };

/** [atMs, version, predicted, confidence, probabilities, labelAtMs, truth] */
type RowValue = [
  number,
  string | null,
  string | number | null,
  number | null,
  Record<string, number> | null,
  number | null,
  string | number | boolean | null,
];
/** [labelAtMs, truth, arrivedAtMs] */
type PendingValue = [number, string | number | boolean, number];
type Key = [string, number];
type EstimateValue = EstimateStateJson & { labels: string[] };
/**
 * A bucket's estimate sums with the classes of the calibration they were folded under (null until a prediction is
 * folded under one); its `skipped` counts the bucket's predictions left out.
 */
interface EstimateBucket {
  labels: string[];
  state: EstimateState | null;
  skipped: number;
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}

function dayName(startMs: number): string {
  return `p:${new Date(startMs).toISOString().slice(0, 10)}`;
}

function positive(value: number, what: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${what} must be > 0, got ${value}`);
  return value;
}

export function createLabelHorizonStore(options: LabelHorizonStoreOptions): LabelHorizonStore {
  const now = options.now ?? Date.now;
  const horizonMs = positive(options.horizonMs, 'horizonMs');
  const pendingWaitMs = positive(options.pendingWaitMs ?? 3_600_000, 'pendingWaitMs');
  const batchSize = positive(options.batchSize ?? 2000, 'batchSize');
  const maxPending = positive(options.maxPendingLabels ?? MAX_PENDING_LABELS, 'maxPendingLabels');
  const tasks = new Map(options.models.map((m) => [m.name, m.task]));
  const onUnjoined = options.onUnjoined ?? (() => {});
  mkdirSync(options.dir, { recursive: true });
  const path = join(options.dir, LABEL_HORIZON_FILE);
  const env: RootDatabase = open({
    path,
    maxDbs: Math.ceil(horizonMs / DAY_MS) + 16,
    compression: false,
  });
  const meta = env.openDB<number[], string>('meta', {});
  const talliesDb = env.openDB<RealizedTallyJson, Key>('tallies', {});
  const pendingDb = env.openDB<PendingValue, Key>('pending', {});
  const estimatesDb = env.openDB<EstimateValue, Key>('estimates', {});
  const days = new Map<number, Database<RowValue, Key>>();
  for (const start of meta.get('days') ?? []) days.set(start, env.openDB<RowValue, Key>(dayName(start), {}));
  const tallies = new Map<string, Map<number, RealizedTally>>();
  for (const m of tasks.keys()) tallies.set(m, new Map());
  for (const { key, value } of talliesDb.getRange({})) {
    const byBucket = tallies.get(key[0]);
    if (byBucket) byBucket.set(key[1], realizedTallyFromJson(value));
  }
  let pendingCount = pendingDb.getCount();
  let lastPendingSweep = now();
  let buffer: Op[] = [];
  const dirty = new Set<RealizedTally>();
  const dirtyKeys = new Map<RealizedTally, Key>();
  let daysChanged = false;
  /** The estimate buckets touched by the write transaction under way, written back at its end. */
  const touchedEstimates = new Map<string, { key: Key; bucket: EstimateBucket }>();

  function estimateBucketFromValue(v: EstimateValue): EstimateBucket {
    if (v.labels.length === 0) return { labels: [], state: null, skipped: v.skipped };
    const state = estimateStateFromJson(v, v.labels.length);
    return { labels: v.labels, state, skipped: state.skipped };
  }

  function estimateBucketToValue(b: EstimateBucket): EstimateValue {
    if (!b.state) return { labels: [], rows: [], first: [], second: [], skipped: b.skipped };
    return { ...estimateStateToJson({ sums: b.state.sums, skipped: b.skipped }), labels: b.labels };
  }

  /** Folds a prediction into its bucket's estimate sums (or counts it as skipped there). */
  function foldEstimate(model: string, p: HorizonPrediction, estimate: EstimateSchema | null): void {
    const start = Math.floor(p.atMs / TALLY_BUCKET_MS) * TALLY_BUCKET_MS;
    const id = `${start}\u0000${model}`;
    let touched = touchedEstimates.get(id);
    if (!touched) {
      const key: Key = [model, start];
      const held = estimatesDb.get(key);
      touched = {
        key,
        bucket: held ? estimateBucketFromValue(held) : { labels: [], state: null, skipped: 0 },
      };
      touchedEstimates.set(id, touched);
    }
    const b = touched.bucket;
    if (!estimate || (b.state && !sameLabels(b.labels, estimate.calibration.labels))) {
      b.skipped++;
      return;
    }
    if (!b.state) {
      b.labels = [...estimate.calibration.labels];
      b.state = createEstimateState(estimate);
    }
    // The state counts its own skipped rows (no usable probabilities); the bucket's count is their sum.
    const before = b.state.skipped;
    foldEstimateRow(b.state, estimate, typeof p.predicted === 'string' ? p.predicted : null, p.probabilities);
    b.skipped += b.state.skipped - before;
  }

  function tallyOf(model: string, atMs: number): RealizedTally {
    const start = Math.floor(atMs / TALLY_BUCKET_MS) * TALLY_BUCKET_MS;
    const byBucket = tallies.get(model)!;
    let t = byBucket.get(start);
    if (!t) byBucket.set(start, (t = createRealizedTally()));
    dirty.add(t);
    dirtyKeys.set(t, [model, start]);
    return t;
  }

  function dayOf(atMs: number): Database<RowValue, Key> {
    const start = Math.floor(atMs / DAY_MS) * DAY_MS;
    let db = days.get(start);
    if (!db) {
      days.set(start, (db = env.openDB<RowValue, Key>(dayName(start), {})));
      daysChanged = true;
    }
    return db;
  }

  /** The held row of a key, newest day first. */
  function findRow(key: Key): { db: Database<RowValue, Key>; row: RowValue } | null {
    const starts = [...days.keys()].sort((a, b) => b - a);
    for (const s of starts) {
      const db = days.get(s)!;
      const row = db.get(key);
      if (row !== undefined) return { db, row };
    }
    return null;
  }

  /** Joins a label to a held row (latest label wins); false when the label is older than the one held. */
  function join_(
    model: string,
    task: 'classification' | 'regression',
    row: RowValue,
    l: HorizonLabel,
  ): boolean {
    const [atMs, , predicted, , , labelAtMs, truth] = row;
    if (
      l.resolved
        ? labelAtMs === l.atMs && truth === l.truth
        : labelAtMs !== null && (l.atMs < labelAtMs || (l.atMs === labelAtMs && truth === l.truth))
    )
      return false;
    if (l.truth === null) {
      // A resolved "no label": the held one's contribution is taken out.
      if (labelAtMs === null || truth === null) return false;
      tallyLabel(tallyOf(model, atMs), task, predicted, truth, -1);
      row[5] = null;
      row[6] = null;
      return true;
    }
    if (l.atMs - atMs > horizonMs) {
      onUnjoined(model, 'expired');
      return false;
    }
    const t = tallyOf(model, atMs);
    if (labelAtMs !== null && truth !== null) tallyLabel(t, task, predicted, truth, -1);
    tallyLabel(t, task, predicted, l.truth, 1);
    row[5] = l.atMs;
    row[6] = l.truth;
    return true;
  }

  function applyPrediction(model: string, p: HorizonPrediction, estimate: EstimateSchema | null): void {
    const task = tasks.get(model);
    if (!task || p.atMs < now() - horizonMs) return;
    const key: Key = [model, keyHash(p.key)];
    const db = dayOf(p.atMs);
    // Already held: a redelivery, or re-read after a restart (the same event, so the same day). A request id reused
    // on another day is a prediction of its own there; a label joins the newest one.
    if (db.get(key) !== undefined) return;
    tallyPrediction(tallyOf(model, p.atMs), task, p.predicted);
    if (task === 'classification') foldEstimate(model, p, estimate);
    const row: RowValue = [p.atMs, p.version, p.predicted, p.confidence, p.probabilities, null, null];
    if (pendingCount > 0) {
      const waiting = pendingDb.get(key);
      if (waiting !== undefined) {
        pendingDb.removeSync(key);
        pendingCount--;
        join_(model, task, row, { key: p.key, atMs: waiting[0], truth: waiting[1] });
      }
    }
    db.putSync(key, row);
  }

  function applyLabel(model: string, l: HorizonLabel, arrivedAtMs: number): void {
    const task = tasks.get(model);
    if (!task) return;
    const key: Key = [model, keyHash(l.key)];
    const found = findRow(key);
    if (found) {
      if (join_(model, task, found.row, l)) found.db.putSync(key, found.row);
      return;
    }
    const waiting = pendingDb.get(key);
    if (l.truth === null) {
      if (waiting !== undefined) {
        pendingDb.removeSync(key);
        pendingCount--;
      }
      return;
    }
    if (waiting !== undefined) {
      if (l.resolved || l.atMs > waiting[0]) pendingDb.putSync(key, [l.atMs, l.truth, waiting[2]]);
      return;
    }
    if (pendingCount >= maxPending) {
      onUnjoined(model, 'unknown');
      return;
    }
    pendingDb.putSync(key, [l.atMs, l.truth, arrivedAtMs]);
    pendingCount++;
  }

  /** A day ended more than the horizon plus one day ago (dropped whole). */
  const pastKeeping = (start: number, t: number): boolean => start + DAY_MS <= t - horizonMs - DAY_MS;
  const sweepDue = (t: number): boolean =>
    pendingCount > 0 && t - lastPendingSweep >= Math.min(pendingWaitMs / 4, 60_000);

  function expire(): void {
    const t = now();
    for (const [start, db] of [...days]) {
      if (!pastKeeping(start, t)) continue;
      db.dropSync();
      days.delete(start);
      daysChanged = true;
      for (const [model, byBucket] of tallies)
        for (const bucket of [...byBucket.keys()])
          if (bucket >= start && bucket < start + DAY_MS) {
            byBucket.delete(bucket);
            talliesDb.removeSync([model, bucket]);
          }
      for (const { key } of estimatesDb.getRange({}))
        if (key[1] >= start && key[1] < start + DAY_MS) {
          estimatesDb.removeSync(key);
          touchedEstimates.delete(`${key[1]}\u0000${key[0]}`);
        }
    }
    if (sweepDue(t)) {
      lastPendingSweep = t;
      const stale: Key[] = [];
      for (const { key, value } of pendingDb.getRange({})) if (value[2] < t - pendingWaitMs) stale.push(key);
      for (const key of stale) {
        pendingDb.removeSync(key);
        pendingCount--;
        onUnjoined(key[0], 'unknown');
      }
    }
  }

  function apply(): void {
    const t = now();
    // Nothing to write: no transaction (a commit is an fsync).
    if (buffer.length === 0 && !sweepDue(t) && ![...days.keys()].some((start) => pastKeeping(start, t)))
      return;
    const ops = buffer;
    buffer = [];
    env.transactionSync(() => {
      for (const op of ops) {
        if (op.kind === 0) applyPrediction(op.model, op.p, op.estimate);
        else applyLabel(op.model, op.l, op.arrivedAtMs);
      }
      expire();
      for (const t of dirty) {
        const key = dirtyKeys.get(t)!;
        // A tally of a dropped day is not written back.
        if (tallies.get(key[0])!.get(key[1]) === t) talliesDb.putSync(key, realizedTallyToJson(t));
      }
      dirty.clear();
      dirtyKeys.clear();
      for (const { key, bucket } of touchedEstimates.values())
        estimatesDb.putSync(key, estimateBucketToValue(bucket));
      touchedEstimates.clear();
      if (daysChanged) {
        meta.putSync(
          'days',
          [...days.keys()].sort((a, b) => a - b),
        );
        daysChanged = false;
      }
    });
  }

  function push(op: Op): void {
    buffer.push(op);
    if (buffer.length >= batchSize) apply();
  }

  /** The estimate of the buckets starting in [fromMs, toMs), read from disk (after a flush). */
  function rangeEstimate(
    model: string,
    fromMs: number,
    toMs: number,
    estimate: EstimateSchema,
  ): RangeEstimate | null {
    const labels = estimate.calibration.labels;
    const sum = createEstimateState(estimate);
    let skipped = 0;
    for (const { value } of estimatesDb.getRange({ start: [model, fromMs], end: [model, toMs] })) {
      const b = estimateBucketFromValue(value);
      skipped += b.skipped;
      if (!b.state) continue;
      if (sameLabels(b.labels, labels)) mergeEstimateInto(sum, b.state);
      else skipped += totalRows(b.state.sums);
    }
    if (totalRows(sum.sums) === 0) return null;
    return { ...estimatePerformance(labels, sum.sums), skippedRows: skipped };
  }

  const store: LabelHorizonStore = {
    horizonMs,
    dir: options.dir,
    addPrediction(model, p, estimate = null) {
      if (!Number.isFinite(p.atMs)) throw new RangeError('a prediction needs a finite atMs');
      push({ kind: 0, model, p, estimate });
    },
    addLabel(model, l) {
      if (!Number.isFinite(l.atMs)) throw new RangeError('a label needs a finite atMs');
      push({ kind: 1, model, l, arrivedAtMs: now() });
    },
    flush: apply,
    tallies(model, fromMs, toMs) {
      apply();
      const byBucket = tallies.get(model);
      if (!byBucket) return [];
      return [...byBucket]
        .filter(([start]) => start >= fromMs && start < toMs)
        .sort((a, b) => a[0] - b[0])
        .map(([startMs, tally]) => ({ startMs, tally }));
    },
    rangeQuality(model, ranges, maxClasses, estimate = null) {
      const task = tasks.get(model);
      if (!task) throw new RangeError(`model "${model}" is not watched by this exporter`);
      const toMs = Math.floor(now() / TALLY_BUCKET_MS) * TALLY_BUCKET_MS + TALLY_BUCKET_MS;
      return ranges.map((r) => {
        const fromMs = toMs - Math.ceil((r.seconds * 1000) / TALLY_BUCKET_MS) * TALLY_BUCKET_MS;
        const sum = createRealizedTally();
        for (const b of store.tallies(model, fromMs, toMs)) addRealizedTally(sum, b.tally);
        return {
          ...realizedRangeQuality(sum, task, { ...r, fromMs, toMs }, maxClasses),
          estimated:
            task === 'classification' && estimate ? rangeEstimate(model, fromMs, toMs, estimate) : null,
        };
      });
    },
    stats() {
      let predictions = 0;
      for (const db of days.values()) predictions += db.getCount();
      let n = 0;
      for (const byBucket of tallies.values()) n += byBucket.size;
      let diskBytes = 0;
      try {
        diskBytes = statSync(path).blocks * 512;
      } catch {
        diskBytes = 0;
      }
      return { days: days.size, predictions, pendingLabels: pendingCount, tallies: n, diskBytes };
    },
    async close() {
      apply();
      await env.close();
    },
  };
  return store;
}
