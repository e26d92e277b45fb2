/**
 * The label side of the window state (issue #18; extended by #11's late labels): predictions and their ground truth
 * joined as they arrive, held in bounded memory, and a window's quality report computed from what is held — no raw
 * events kept. docs/stattests.md, "Ground truth joined as window state".
 *
 * - Every prediction is added once, with the bucket it was folded into (`addPrediction`); every feedback event once
 *   (`addLabel`). They join on the row key (request_id + row), in either order: a label that comes first waits for
 *   its prediction. The latest label of a key wins (greatest `atMs`; ties: the one added last), as in joinFeedback.
 * - `quality(bucketStarts)` reports the window made of those buckets, by prediction time: each held prediction in
 *   them joined with its key's label if one is held, whenever that label arrived.
 * - Keys are kept as 52-bit hashes (key-hash.ts); rows as typed-array columns (~82 bytes per held prediction,
 *   ~83 per held label, with the index, measured by exporter/bench/label-join-bench.ts, and 4 per prediction for its
 *   bucket). Past `maxPredictions` held predictions or `maxLabels` held labels, only
 *   keys whose hash is below a threshold are kept, the threshold halving each time a cap is hit: the joined rows are
 *   then a uniform hash sample of the window's rows, and the report says so (`sampled`, `samplingRate`).
 * - Each bucket keeps what its rows add to a report (label-join-tally.ts) until one of them or their label changes,
 *   so evaluating a sliding window walks the buckets that changed, not every held prediction.
 * Pure: no I/O, no clock. The window store calls it from its sinks (sources/follow.ts).
 */
import { float64FromBase64, float64ToBase64 } from '../io/float64-base64';
import { BucketStateError, DEFAULT_BUCKET_WIDTH_MS, bucketStartFor } from '../windows/buckets';
import { HashSlotIndex } from './hash-slot-index';
import { KEY_HASH_SPACE, keyHash } from './key-hash';
import { BucketTallyBuilder, windowTally, type BucketTally } from './label-join-tally';
import { qualityFromTally, type QualityReport } from './quality-report';
import { StringInterner } from './string-interner';

/** Held predictions before sampling starts. @default 1000000 */
export const DEFAULT_MAX_HELD_PREDICTIONS = 1_000_000;
/** Held labels before sampling starts. @default 1000000 */
export const DEFAULT_MAX_HELD_LABELS = 1_000_000;
/** Rows held per key at most: a key's further predictions are dropped (counted). */
export const MAX_ROWS_PER_KEY = 64;
/** The `format` field of a serialised label join state. */
export const LABEL_JOIN_STATE_FORMAT = 'plumbline.label-join-state';
/** The version this code writes and reads. */
export const LABEL_JOIN_FORMAT_VERSION = 1;

export interface LabelJoinStateOptions {
  task: 'classification' | 'regression';
  /** Held predictions (over every bucket) past which the state samples by key hash. @default 1000000 */
  maxPredictions?: number;
  /** Held labels past which the state samples by key hash. @default 1000000 */
  maxLabels?: number;
  /** Width of the buckets (epoch-aligned), ms: which window a label's time falls in. @default 60000 */
  bucketWidthMs?: number;
}

/** One prediction row, as the window store folds it. */
export interface PredictionInput {
  /** `labelJoinKey(request_id, row)`. */
  key: string;
  /** Start of the bucket the row was folded into, epoch ms. */
  bucketStartMs: number;
  /** The prediction's time (`@timestamp`), epoch ms. */
  atMs: number;
  /** `outputs.label ?? outputs.value`: a class (or value, for a classifier without a label), null when none. */
  predicted: string | number | null;
  /** `outputs.confidence`. */
  confidence: number | null;
}

/** One feedback event. */
export interface LabelInput {
  key: string;
  /** The feedback's time (`@timestamp`), epoch ms. */
  atMs: number;
  truth: string | number | boolean;
}

/**
 * Exact counts over every prediction of the window (the buckets' PredictionState), used instead of the held rows'
 * for the figures that need every prediction — which matters once the state samples.
 */
export interface ExactPredictionCounts {
  /** Predictions in the window. */
  predictions: number;
  /** Rows per predicted class (`outputs.label`); untracked classes may be given as `other`. */
  classCounts?: ReadonlyMap<string, number>;
  /** Rows with a confidence, and those among them strictly below the threshold. */
  confidenceBelow?: { rows: number; below: number };
}

export interface StateQualityOptions {
  confidenceThreshold: number;
  maxClasses: number;
  exact?: ExactPredictionCounts;
}

export interface LabelJoinStats {
  buckets: number;
  /** Predictions held. */
  predictions: number;
  /** Labels held (one per key). */
  labels: number;
  /** Share of keys kept: 1, or 2^−k after k halvings. */
  samplingRate: number;
  /** Predictions left out by sampling (key hash above the threshold on arrival, or evicted when it fell). */
  sampledOutPredictions: number;
  /** Labels left out by sampling (key hash above the threshold on arrival, or evicted when it fell). */
  sampledOutLabels: number;
  /** Labels not held because they are older than the last `evictLabelsBefore`. */
  expiredLabels: number;
  /** Predictions not held because their key already had MAX_ROWS_PER_KEY rows held. */
  duplicateRowsDropped: number;
  /** Bytes of the typed arrays and indices (not counting the class strings). */
  bytes: number;
}

/** A label join state as JSON (checkpoints). Columns are base64 of little-endian doubles (kinds: bytes). */
export interface LabelJoinStateJson {
  readonly format: typeof LABEL_JOIN_STATE_FORMAT;
  readonly formatVersion: number;
  readonly task: 'classification' | 'regression';
  readonly bucketWidthMs: number;
  readonly maxPredictions: number;
  readonly maxLabels: number;
  /** Keys held: hash < samplingThreshold (2^52 when nothing is sampled). */
  readonly samplingThreshold: number;
  /** The strings (classes, ground truths) the columns refer to by index. */
  readonly strings: readonly string[];
  readonly buckets: readonly PredictionColumnsJson[];
  /** Null in a one-bucket document (`toJSON(bucketStartMs)`). */
  readonly labels: LabelColumnsJson | null;
  readonly counters: CountersJson | null;
}

interface PredictionColumnsJson {
  readonly startMs: number;
  readonly size: number;
  readonly hash: string;
  readonly atMs: string;
  readonly kind: string;
  readonly value: string;
  readonly confidence: string;
}

interface LabelColumnsJson {
  readonly size: number;
  readonly hash: string;
  readonly atMs: string;
  readonly kind: string;
  readonly value: string;
}

interface CountersJson {
  readonly sampledOutPredictions: number;
  readonly sampledOutLabels: number;
  readonly expiredLabels: number;
  readonly duplicateRowsDropped: number;
  readonly lastSampledOutLabelAtMs: number | null;
  readonly evictedBeforeMs: number | null;
}

/** Predictions handled automatically and handed to people, with their labelled and correct rows. */
export interface RoutingCounts {
  automatic: { predictions: number; labelled: number; correct: number };
  people: { predictions: number; labelled: number; correct: number };
}

export interface LabelJoinState {
  readonly task: 'classification' | 'regression';
  readonly bucketWidthMs: number;
  readonly maxPredictions: number;
  readonly maxLabels: number;
  addPrediction(p: PredictionInput): void;
  /** Latest `atMs` wins (ties: the one added last); older than the last `evictLabelsBefore`: not held (counted). */
  addLabel(l: LabelInput): void;
  /**
   * The window's predictions split by where their confidence limit sends them (`toPeople`, exporter/src/review/
   * limits.ts): per group the predictions, the labelled ones and the correctly predicted among those (realized
   * accuracy = correct / labelled). Over the hash sample when the state samples.
   */
  routing(
    bucketStarts: Iterable<number>,
    toPeople: (predicted: string | number | null, confidence: number | null) => boolean,
  ): RoutingCounts;
  /** The key's label goes (a review retracted it or rejected the row: schema/src/label-precedence.ts). */
  removeLabel(key: string): void;
  /** The label held for the key, or null. */
  heldLabel(key: string): { atMs: number; truth: string | number | boolean } | null;
  /** The bucket left the retention: its predictions go (labels stay). */
  dropBucket(bucketStartMs: number): void;
  /** The bucket was refolded from its source: its predictions become `predictions` (labels stay). */
  replaceBucket(bucketStartMs: number, predictions: Iterable<PredictionInput>): void;
  /** Labels that arrived before `atMs` go, and later ones older than it are not held. Returns how many went. */
  evictLabelsBefore(atMs: number): number;
  /** Starts of the buckets held, ascending. */
  bucketStarts(): number[];
  /** The quality report of the window made of these buckets. */
  quality(bucketStarts: Iterable<number>, options: StateQualityOptions): QualityReport;
  /**
   * The ground truth of the window's joined rows (the rows `quality` counts as labelled, in bucket order), and the
   * predictions held in those buckets: the window's label column for label drift (rows − values.length are
   * predictions without ground truth, i.e. missing). Over the hash sample when the state samples (`sampled`).
   */
  truths(bucketStarts: Iterable<number>): {
    values: (string | number | boolean)[];
    rows: number;
    sampled: boolean;
  };
  stats(): LabelJoinStats;
  /** The whole state, or (with a bucket start) that bucket's predictions only. */
  toJSON(bucketStartMs?: number): LabelJoinStateJson;
  /** The labels and counters, no bucket. */
  labelsToJSON(): LabelJoinStateJson;
  /**
   * Adds what a document holds: its buckets replace held ones of the same start (with `merge`: their rows are
   * added to them — another shard's predictions of the same minute, disjoint rows), its labels join the held ones
   * (latest wins), its counters add up; the sampling threshold becomes the lower of the two.
   */
  load(json: unknown, options?: { merge?: boolean }): void;
}

// Kinds of a column entry.
const FREE = 0;
const NULL = 1;
const STRING = 2;
const NUMBER = 3;
const BOOLEAN = 4;

interface Bucket {
  readonly startMs: number;
  /** Its index in `bucketById` (a row's bucket is found by its `pBucket`). */
  readonly id: number;
  slots: Int32Array;
  length: number;
  /**
   * What its rows add to a quality report and to the ground truth column (label-join-tally.ts), kept until one of
   * its rows, or the label one of them joins, changes (then null: worked out again when next asked).
   */
  tally: BucketTally | null;
  truths: (string | number | boolean)[] | null;
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, capacity: number): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a);
  return b;
}

function positiveInteger(value: number, what: string): number {
  if (!(Number.isInteger(value) && value >= 1))
    throw new RangeError(`${what} must be an integer ≥ 1, got ${value}`);
  return value;
}

function finite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${what} must be a finite number, got ${value}`);
}

class LabelJoinStateImpl implements LabelJoinState {
  readonly task: 'classification' | 'regression';
  readonly bucketWidthMs: number;
  readonly maxPredictions: number;
  readonly maxLabels: number;

  /** Keys held: hash < threshold. */
  private threshold = KEY_HASH_SPACE;
  private sampledOutPredictions = 0;
  private sampledOutLabels = 0;
  private expiredLabels = 0;
  private duplicateRowsDropped = 0;
  /** Latest time of a label not held because of sampling (ignored, or evicted when the threshold fell). */
  private lastSampledOutLabelAtMs: number | null = null;
  private evictedBeforeMs: number | null = null;

  private readonly strings = new StringInterner();
  private readonly buckets = new Map<number, Bucket>();
  private readonly bucketById: (Bucket | undefined)[] = [];
  private readonly freeBucketIds: number[] = [];

  // Predictions: one slot per held row; prev / next link the rows of one key hash (duplicates), the index holds one.
  private readonly predictionIndex = new HashSlotIndex();
  private pHash: Float64Array;
  private pAt: Float64Array;
  private pValue: Float64Array;
  private pConfidence: Float64Array;
  private pKind: Uint8Array;
  private pPrev: Int32Array;
  private pNext: Int32Array;
  /** The label slot of the row's key, −1 without one (kept in step, so a report looks nothing up). */
  private pLabel: Int32Array;
  /** The id of the row's bucket. */
  private pBucket: Int32Array;
  private pFree: Int32Array;
  private pFreeTop = 0;
  private pHigh = 0;
  private pCount = 0;

  // Labels: one slot per key.
  private readonly labelIndex = new HashSlotIndex();
  private lHash: Float64Array;
  private lAt: Float64Array;
  private lValue: Float64Array;
  private lKind: Uint8Array;
  /** Predictions held with the label's key (0: the label is unmatched). */
  private lPredictions: Int32Array;
  private lFree: Int32Array;
  private lFreeTop = 0;
  private lHigh = 0;
  private lCount = 0;

  constructor(options: LabelJoinStateOptions) {
    if (options.task !== 'classification' && options.task !== 'regression')
      throw new RangeError(`task must be "classification" or "regression", got ${String(options.task)}`);
    this.task = options.task;
    this.maxPredictions = positiveInteger(
      options.maxPredictions ?? DEFAULT_MAX_HELD_PREDICTIONS,
      'maxPredictions',
    );
    this.maxLabels = positiveInteger(options.maxLabels ?? DEFAULT_MAX_HELD_LABELS, 'maxLabels');
    this.bucketWidthMs = positiveInteger(options.bucketWidthMs ?? DEFAULT_BUCKET_WIDTH_MS, 'bucketWidthMs');
    const p = Math.min(1024, this.maxPredictions + 1);
    this.pHash = new Float64Array(p);
    this.pAt = new Float64Array(p);
    this.pValue = new Float64Array(p);
    this.pConfidence = new Float64Array(p);
    this.pKind = new Uint8Array(p);
    this.pPrev = new Int32Array(p);
    this.pNext = new Int32Array(p);
    this.pLabel = new Int32Array(p);
    this.pBucket = new Int32Array(p);
    this.pFree = new Int32Array(p);
    const l = Math.min(1024, this.maxLabels + 1);
    this.lHash = new Float64Array(l);
    this.lAt = new Float64Array(l);
    this.lValue = new Float64Array(l);
    this.lKind = new Uint8Array(l);
    this.lPredictions = new Int32Array(l);
    this.lFree = new Int32Array(l);
  }

  addPrediction(p: PredictionInput): void {
    if (typeof p.key !== 'string') throw new TypeError('a prediction needs a string key');
    finite(p.bucketStartMs, 'bucketStartMs');
    finite(p.atMs, 'atMs');
    const kind = p.predicted === null ? NULL : typeof p.predicted === 'string' ? STRING : NUMBER;
    if (kind === NUMBER && typeof p.predicted !== 'number')
      throw new TypeError(`predicted must be a string, a number or null, got ${typeof p.predicted}`);
    if (p.confidence !== null && typeof p.confidence !== 'number')
      throw new TypeError(`confidence must be a number or null, got ${typeof p.confidence}`);
    const bucket = this.bucketAt(p.bucketStartMs);
    const hash = keyHash(p.key);
    if (hash >= this.threshold) {
      this.sampledOutPredictions++;
      return;
    }
    const value =
      kind === STRING
        ? this.strings.acquire(p.predicted as string)
        : kind === NUMBER
          ? (p.predicted as number)
          : 0;
    this.hold(bucket, hash, p.atMs, kind, value, p.confidence ?? NaN);
  }

  addLabel(l: LabelInput): void {
    if (typeof l.key !== 'string') throw new TypeError('a label needs a string key');
    finite(l.atMs, 'atMs');
    const t = l.truth;
    const kind =
      typeof t === 'string'
        ? STRING
        : typeof t === 'number'
          ? NUMBER
          : typeof t === 'boolean'
            ? BOOLEAN
            : FREE;
    if (kind === FREE) throw new TypeError(`truth must be a string, a number or a boolean, got ${typeof t}`);
    this.holdLabel(keyHash(l.key), l.atMs, kind, t);
  }

  routing(
    bucketStarts: Iterable<number>,
    toPeople: (predicted: string | number | null, confidence: number | null) => boolean,
  ): RoutingCounts {
    const out: RoutingCounts = {
      automatic: { predictions: 0, labelled: 0, correct: 0 },
      people: { predictions: 0, labelled: 0, correct: 0 },
    };
    let targets: Map<number, number> | null = null;
    for (const start of new Set(bucketStarts)) {
      const b = this.buckets.get(start);
      if (!b) continue;
      for (let i = 0; i < b.length; i++) {
        const s = b.slots[i];
        const kind = this.pKind[s];
        const predicted =
          kind === STRING ? this.strings.get(this.pValue[s]) : kind === NUMBER ? this.pValue[s] : null;
        const c = this.pConfidence[s];
        const group = toPeople(predicted, Number.isNaN(c) ? null : c) ? out.people : out.automatic;
        group.predictions++;
        const l = this.pLabel[s];
        if (l < 0) continue;
        if (this.pPrev[s] !== -1 || this.pNext[s] !== -1) {
          targets ??= this.joinTargets();
          if (targets.get(this.pHash[s]) !== s) continue;
        }
        group.labelled++;
        const lKind = this.lKind[l];
        const truth =
          lKind === STRING
            ? this.strings.get(this.lValue[l])
            : lKind === BOOLEAN
              ? String(this.lValue[l] === 1)
              : String(this.lValue[l]);
        if (predicted !== null && String(predicted) === truth) group.correct++;
      }
    }
    return out;
  }

  removeLabel(key: string): void {
    const s = this.labelIndex.get(keyHash(key));
    if (s >= 0) this.freeLabel(s);
  }

  heldLabel(key: string): { atMs: number; truth: string | number | boolean } | null {
    const s = this.labelIndex.get(keyHash(key));
    if (s < 0) return null;
    const kind = this.lKind[s];
    const v = this.lValue[s];
    return {
      atMs: this.lAt[s],
      truth: kind === STRING ? this.strings.get(v) : kind === BOOLEAN ? v === 1 : v,
    };
  }

  dropBucket(bucketStartMs: number): void {
    this.removeBucket(bucketStartMs);
    this.recoverRate();
  }

  replaceBucket(bucketStartMs: number, predictions: Iterable<PredictionInput>): void {
    finite(bucketStartMs, 'bucketStartMs');
    const rows = [...predictions];
    for (const p of rows)
      if (p.bucketStartMs !== bucketStartMs)
        throw new RangeError(
          `a prediction of bucket ${p.bucketStartMs} given to refold bucket ${bucketStartMs}`,
        );
    this.removeBucket(bucketStartMs);
    this.recoverRate();
    this.bucketAt(bucketStartMs);
    for (const p of rows) this.addPrediction(p);
  }

  evictLabelsBefore(atMs: number): number {
    if (Number.isNaN(atMs)) throw new RangeError('evictLabelsBefore needs a time');
    if (this.evictedBeforeMs === null || atMs > this.evictedBeforeMs) this.evictedBeforeMs = atMs;
    let evicted = 0;
    for (let s = 0; s < this.lHigh; s++)
      if (this.lKind[s] !== FREE && this.lAt[s] < atMs) {
        this.freeLabel(s);
        evicted++;
      }
    this.recoverRate();
    return evicted;
  }

  bucketStarts(): number[] {
    return [...this.buckets.keys()].sort((a, b) => a - b);
  }

  quality(bucketStarts: Iterable<number>, options: StateQualityOptions): QualityReport {
    const { confidenceThreshold, maxClasses, exact } = options;
    if (!(confidenceThreshold >= 0 && confidenceThreshold <= 1))
      throw new RangeError('threshold must be in [0, 1]');
    const starts = [...new Set(bucketStarts)].sort((a, b) => a - b);
    const buckets = starts.flatMap((start) => this.buckets.get(start) ?? []);
    let predictions = 0;
    for (const b of buckets) predictions += b.length;
    let targets: Map<number, number> | null = null;
    const targetsOf = (): Map<number, number> => (targets ??= this.joinTargets());
    const tallies = buckets.map((b) => this.tallyOf(b, targetsOf));
    const join = windowTally(tallies);
    const inWindow = new Set(starts);
    let unmatchedFeedback = 0;
    for (let l = 0; l < this.lHigh; l++)
      if (
        this.lKind[l] !== FREE &&
        this.lPredictions[l] === 0 &&
        inWindow.has(bucketStartFor(this.lAt[l], this.bucketWidthMs))
      )
        unmatchedFeedback++;
    let classes: Map<string, number> | null = null;
    if (!exact?.classCounts) {
      // By string id, as one pass over the rows counted them.
      const classCounts = new Float64Array(this.strings.capacity);
      for (const t of tallies)
        for (let i = 0; i < t.classes.length; i += 2) classCounts[t.classes[i]] += t.classes[i + 1];
      classes = new Map();
      for (let id = 0; id < classCounts.length; id++)
        if (classCounts[id] > 0) classes.set(this.strings.get(id), classCounts[id]);
    }
    const below = exact?.confidenceBelow;
    const report = qualityFromTally(
      {
        labelled: join.labelled,
        unmatchedFeedback,
        delaysSeconds: join.delaysSeconds,
        pairs: join.pairs,
        actual: join.actual,
        predicted: join.predicted,
      },
      {
        predictions: exact?.predictions ?? predictions,
        classCounts: exact?.classCounts ?? classes!,
        lowConfidenceShare: below
          ? below.rows === 0
            ? null
            : below.below / below.rows
          : this.lowConfidenceShare(buckets, tallies, confidenceThreshold),
      },
      { task: this.task, confidenceThreshold, maxClasses },
    );
    if (this.threshold < KEY_HASH_SPACE) {
      report.sampled = join.labelled;
      report.samplingRate = this.threshold / KEY_HASH_SPACE;
    }
    return report;
  }

  truths(bucketStarts: Iterable<number>): {
    values: (string | number | boolean)[];
    rows: number;
    sampled: boolean;
  } {
    const values: (string | number | boolean)[] = [];
    let rows = 0;
    let targets: Map<number, number> | null = null;
    const targetsOf = (): Map<number, number> => (targets ??= this.joinTargets());
    for (const start of [...new Set(bucketStarts)].sort((a, b) => a - b)) {
      const b = this.buckets.get(start);
      if (!b) continue;
      rows += b.length;
      for (const v of this.truthsOf(b, targetsOf)) values.push(v);
    }
    return { values, rows, sampled: this.threshold < KEY_HASH_SPACE };
  }

  stats(): LabelJoinStats {
    let bucketBytes = 0;
    for (const b of this.buckets.values()) bucketBytes += b.slots.byteLength;
    const columns = [
      this.pLabel,
      this.pBucket,
      this.pHash,
      this.pAt,
      this.pValue,
      this.pConfidence,
      this.pKind,
      this.pPrev,
      this.pNext,
      this.pFree,
    ];
    const labelColumns = [this.lHash, this.lAt, this.lValue, this.lKind, this.lPredictions, this.lFree];
    return {
      buckets: this.buckets.size,
      predictions: this.pCount,
      labels: this.lCount,
      samplingRate: this.threshold / KEY_HASH_SPACE,
      sampledOutPredictions: this.sampledOutPredictions,
      sampledOutLabels: this.sampledOutLabels,
      expiredLabels: this.expiredLabels,
      duplicateRowsDropped: this.duplicateRowsDropped,
      bytes:
        [...columns, ...labelColumns].reduce((sum, a) => sum + a.byteLength, 0) +
        bucketBytes +
        this.predictionIndex.bytes +
        this.labelIndex.bytes,
    };
  }

  toJSON(bucketStartMs?: number): LabelJoinStateJson {
    // JSON.stringify(state) calls toJSON('') (the property name): only a number selects one bucket.
    if (typeof bucketStartMs === 'number') {
      const b = this.buckets.get(bucketStartMs);
      return this.document(b ? [b] : [], false);
    }
    return this.document(
      this.bucketStarts().map((s) => this.buckets.get(s)!),
      true,
    );
  }

  labelsToJSON(): LabelJoinStateJson {
    return this.document([], true);
  }

  load(json: unknown, options: { merge?: boolean } = {}): void {
    const doc = checkDocument(json);
    if (doc.task !== this.task)
      throw new BucketStateError(
        `label join state of a ${doc.task} model cannot be loaded into a ${this.task} one`,
      );
    if (doc.bucketWidthMs !== this.bucketWidthMs)
      throw new BucketStateError(
        `label join state with buckets of ${doc.bucketWidthMs} ms cannot be loaded into one of ${this.bucketWidthMs} ms`,
      );
    if (doc.samplingThreshold < this.threshold) this.lowerThreshold(doc.samplingThreshold);
    const strings = doc.strings;
    for (const b of doc.buckets) {
      const hash = columnFromBase64(b.hash, b.size);
      const at = columnFromBase64(b.atMs, b.size);
      const kind = Buffer.from(b.kind, 'base64');
      const value = columnFromBase64(b.value, b.size);
      const confidence = columnFromBase64(b.confidence, b.size);
      if (!options.merge) this.removeBucket(b.startMs);
      const bucket = this.bucketAt(b.startMs);
      for (let i = 0; i < b.size; i++) {
        if (hash[i] >= this.threshold) {
          this.sampledOutPredictions++;
          continue;
        }
        const v = kind[i] === STRING ? this.strings.acquire(strings[value[i]]) : value[i];
        this.hold(bucket, hash[i], at[i], kind[i], v, confidence[i]);
      }
    }
    if (doc.labels) {
      const l = doc.labels;
      const hash = columnFromBase64(l.hash, l.size);
      const at = columnFromBase64(l.atMs, l.size);
      const kind = Buffer.from(l.kind, 'base64');
      const value = columnFromBase64(l.value, l.size);
      for (let i = 0; i < l.size; i++) {
        const truth =
          kind[i] === STRING ? strings[value[i]] : kind[i] === BOOLEAN ? value[i] === 1 : value[i];
        this.holdLabel(hash[i], at[i], kind[i], truth);
      }
    }
    if (doc.counters) {
      const c = doc.counters;
      this.sampledOutPredictions += c.sampledOutPredictions;
      this.sampledOutLabels += c.sampledOutLabels;
      this.expiredLabels += c.expiredLabels;
      this.duplicateRowsDropped += c.duplicateRowsDropped;
      if (c.lastSampledOutLabelAtMs !== null) this.noteSampledOutLabelAt(c.lastSampledOutLabelAtMs);
      if (c.evictedBeforeMs !== null) this.evictLabelsBefore(c.evictedBeforeMs);
    }
  }

  // --- internals ---

  private bucketAt(startMs: number): Bucket {
    let b = this.buckets.get(startMs);
    if (!b) {
      const id = this.freeBucketIds.pop() ?? this.bucketById.length;
      b = { startMs, id, slots: new Int32Array(16), length: 0, tally: null, truths: null };
      this.buckets.set(startMs, b);
      this.bucketById[id] = b;
    }
    return b;
  }

  /** The bucket's tally: kept, or worked out from its rows (`targets`: joinTargets, computed once when needed). */
  private tallyOf(b: Bucket, targets: () => Map<number, number>): BucketTally {
    if (b.tally) return b.tally;
    const builder = new BucketTallyBuilder();
    const t = builder.tally;
    const classification = this.task === 'classification';
    const delays = new Float64Array(b.length);
    const classes = new Float64Array(this.strings.capacity); // rows per string id (a Map per row was the cost)
    for (let i = 0; i < b.length; i++) {
      const s = b.slots[i];
      const pKind = this.pKind[s];
      if (pKind === STRING) classes[this.pValue[s]]++;
      const l = this.pLabel[s];
      if (l < 0) continue;
      if ((this.pPrev[s] !== -1 || this.pNext[s] !== -1) && targets().get(this.pHash[s]) !== s) continue;
      delays[t.labelled++] = Math.max(0, (this.lAt[l] - this.pAt[s]) / 1000);
      const lKind = this.lKind[l];
      if (classification) {
        if (pKind === NULL) continue;
        // String(value), as evaluateQuality labels them; the predicted class is met first.
        const p = builder.code(pKind === STRING ? this.strings.get(this.pValue[s]) : String(this.pValue[s]));
        const a = builder.code(
          lKind === STRING
            ? this.strings.get(this.lValue[l])
            : lKind === BOOLEAN
              ? String(this.lValue[l] === 1)
              : String(this.lValue[l]),
        );
        builder.pair(a, p);
      } else if (pKind === NUMBER && lKind === NUMBER) {
        t.actual.push(this.lValue[l]);
        t.predicted.push(this.pValue[s]);
      }
    }
    t.delays = delays.slice(0, t.labelled);
    for (let id = 0; id < classes.length; id++) if (classes[id] > 0) t.classes.push(id, classes[id]);
    return (b.tally = t);
  }

  /** The ground truth of the bucket's joined rows, in row order (kept like its tally). */
  private truthsOf(b: Bucket, targets: () => Map<number, number>): (string | number | boolean)[] {
    if (b.truths) return b.truths;
    const values: (string | number | boolean)[] = [];
    for (let i = 0; i < b.length; i++) {
      const s = b.slots[i];
      const l = this.pLabel[s];
      if (l < 0) continue;
      if ((this.pPrev[s] !== -1 || this.pNext[s] !== -1) && targets().get(this.pHash[s]) !== s) continue;
      const kind = this.lKind[l];
      values.push(
        kind === STRING
          ? this.strings.get(this.lValue[l])
          : kind === BOOLEAN
            ? this.lValue[l] === 1
            : this.lValue[l],
      );
    }
    return (b.truths = values);
  }

  /** lowConfidenceShare over the buckets' rows (those with a finite confidence), each bucket's count kept. */
  private lowConfidenceShare(
    buckets: readonly Bucket[],
    tallies: readonly BucketTally[],
    threshold: number,
  ): number | null {
    let known = 0;
    let below = 0;
    buckets.forEach((b, k) => {
      const t = tallies[k];
      if (t.confidence?.threshold !== threshold) {
        let n = 0;
        let under = 0;
        for (let i = 0; i < b.length; i++) {
          const c = this.pConfidence[b.slots[i]];
          if (!Number.isFinite(c)) continue;
          n++;
          if (c < threshold) under++;
        }
        t.confidence = { threshold, known: n, below: under };
      }
      known += t.confidence.known;
      below += t.confidence.below;
    });
    return known === 0 ? null : below / known;
  }

  /** The bucket of row `s` is worked out again when next asked. */
  private stale(s: number): void {
    const b = this.bucketById[this.pBucket[s]]!;
    b.tally = null;
    b.truths = null;
  }

  /** The buckets of every held row of key hash `hash` are worked out again when next asked. */
  private staleKey(hash: number): void {
    const m = this.predictionIndex.get(hash);
    if (m < 0) return;
    for (let s = m; s !== -1; s = this.pNext[s]) this.stale(s);
    for (let s = this.pPrev[m]; s !== -1; s = this.pPrev[s]) this.stale(s);
  }

  /** Holds one prediction row (its hash below the threshold), then keeps the cap. */
  private hold(
    bucket: Bucket,
    hash: number,
    atMs: number,
    kind: number,
    value: number,
    confidence: number,
  ): void {
    const m = this.predictionIndex.get(hash);
    if (m >= 0 && this.rowsOfKey(m) >= MAX_ROWS_PER_KEY) {
      // One key delivered over and over (a client reusing a request id): its label can join one row only, and
      // without this bound one key could fill the state and drive the sampling threshold to nothing.
      if (kind === STRING) this.strings.release(value);
      this.duplicateRowsDropped++;
      return;
    }
    const s = this.allocPrediction();
    this.pHash[s] = hash;
    this.pAt[s] = atMs;
    this.pKind[s] = kind;
    this.pValue[s] = value;
    this.pConfidence[s] = confidence;
    if (m < 0) {
      this.pPrev[s] = -1;
      this.pNext[s] = -1;
      this.predictionIndex.set(hash, s);
    } else {
      // A second row of the same key (a duplicate delivery, or a reused request id): linked after the first.
      const n = this.pNext[m];
      this.pPrev[s] = m;
      this.pNext[s] = n;
      if (n !== -1) this.pPrev[n] = s;
      this.pNext[m] = s;
    }
    const l = this.labelIndex.get(hash);
    this.pLabel[s] = l;
    if (l >= 0) this.lPredictions[l]++;
    if (bucket.length === bucket.slots.length) bucket.slots = grown(bucket.slots, bucket.slots.length * 2);
    bucket.slots[bucket.length++] = s;
    this.pBucket[s] = bucket.id;
    bucket.tally = null;
    bucket.truths = null;
    // A key held twice: which of its rows its label joins may have changed (joinTargets).
    if (m >= 0) this.staleKey(hash);
    this.pCount++;
    if (this.pCount > this.maxPredictions) this.halve();
  }

  private holdLabel(hash: number, atMs: number, kind: number, truth: string | number | boolean): void {
    if (this.evictedBeforeMs !== null && atMs < this.evictedBeforeMs) {
      this.expiredLabels++;
      return;
    }
    if (hash >= this.threshold) {
      this.sampledOutLabels++;
      this.noteSampledOutLabelAt(atMs);
      return;
    }
    let s = this.labelIndex.get(hash);
    if (s >= 0) {
      if (atMs < this.lAt[s]) return; // an older report than the one held
      if (this.lKind[s] === STRING) this.strings.release(this.lValue[s]);
      if (this.lPredictions[s] > 0) this.staleKey(hash);
    } else {
      s = this.allocLabel();
      this.lHash[s] = hash;
      this.labelIndex.set(hash, s);
      this.lCount++;
      this.lPredictions[s] = this.linkRows(hash, s);
    }
    this.lAt[s] = atMs;
    this.lKind[s] = kind;
    this.lValue[s] =
      kind === STRING
        ? this.strings.acquire(truth as string)
        : kind === BOOLEAN
          ? truth
            ? 1
            : 0
          : (truth as number);
    if (this.lCount > this.maxLabels) this.halve();
  }

  private noteSampledOutLabelAt(atMs: number): void {
    if (this.lastSampledOutLabelAtMs === null || atMs > this.lastSampledOutLabelAtMs)
      this.lastSampledOutLabelAtMs = atMs;
  }

  private allocPrediction(): number {
    if (this.pFreeTop > 0) return this.pFree[--this.pFreeTop];
    if (this.pHigh === this.pHash.length) {
      const n = Math.min(this.pHash.length * 2, this.maxPredictions + 1);
      this.pHash = grown(this.pHash, n);
      this.pAt = grown(this.pAt, n);
      this.pValue = grown(this.pValue, n);
      this.pConfidence = grown(this.pConfidence, n);
      this.pKind = grown(this.pKind, n);
      this.pPrev = grown(this.pPrev, n);
      this.pNext = grown(this.pNext, n);
      this.pLabel = grown(this.pLabel, n);
      this.pBucket = grown(this.pBucket, n);
      this.pFree = grown(this.pFree, n);
    }
    return this.pHigh++;
  }

  private allocLabel(): number {
    if (this.lFreeTop > 0) return this.lFree[--this.lFreeTop];
    if (this.lHigh === this.lHash.length) {
      const n = Math.min(this.lHash.length * 2, this.maxLabels + 1);
      this.lHash = grown(this.lHash, n);
      this.lAt = grown(this.lAt, n);
      this.lValue = grown(this.lValue, n);
      this.lKind = grown(this.lKind, n);
      this.lPredictions = grown(this.lPredictions, n);
      this.lFree = grown(this.lFree, n);
    }
    return this.lHigh++;
  }

  /** Frees one prediction slot (the caller takes it out of its bucket's list). */
  private freePrediction(s: number): void {
    this.stale(s);
    const hash = this.pHash[s];
    const prev = this.pPrev[s];
    const next = this.pNext[s];
    const l = this.pLabel[s];
    if (l >= 0) this.lPredictions[l]--;
    if (prev !== -1) this.pNext[prev] = next;
    if (next !== -1) this.pPrev[next] = prev;
    if (this.predictionIndex.get(hash) === s) {
      if (next !== -1) this.predictionIndex.set(hash, next);
      else if (prev !== -1) this.predictionIndex.set(hash, prev);
      else this.predictionIndex.delete(hash);
    }
    if (this.pKind[s] === STRING) this.strings.release(this.pValue[s]);
    this.pKind[s] = FREE;
    this.pFree[this.pFreeTop++] = s;
    this.pCount--;
    // The key's other rows: which of them its label joins may have changed (joinTargets).
    if (prev !== -1 || next !== -1) this.staleKey(hash);
  }

  private freeLabel(s: number): void {
    if (this.lPredictions[s] > 0) this.linkRows(this.lHash[s], -1);
    this.labelIndex.delete(this.lHash[s]);
    if (this.lKind[s] === STRING) this.strings.release(this.lValue[s]);
    this.lKind[s] = FREE;
    this.lFree[this.lFreeTop++] = s;
    this.lCount--;
  }

  /** Held rows of the key of row `m` (its chain's length). */
  private rowsOfKey(m: number): number {
    let rows = 1;
    for (let s = this.pNext[m]; s !== -1; s = this.pNext[s]) rows++;
    for (let s = this.pPrev[m]; s !== -1; s = this.pPrev[s]) rows++;
    return rows;
  }

  /** Points every held row of key hash `hash` at label slot `label` (−1: none); returns how many there are. */
  private linkRows(hash: number, label: number): number {
    const m = this.predictionIndex.get(hash);
    if (m < 0) return 0;
    let rows = 0;
    for (let s = m; s !== -1; s = this.pNext[s], rows++) {
      this.pLabel[s] = label;
      this.stale(s);
    }
    for (let s = this.pPrev[m]; s !== -1; s = this.pPrev[s], rows++) {
      this.pLabel[s] = label;
      this.stale(s);
    }
    return rows;
  }

  private removeBucket(startMs: number): void {
    const b = this.buckets.get(startMs);
    if (!b) return;
    for (let i = 0; i < b.length; i++) this.freePrediction(b.slots[i]);
    this.buckets.delete(startMs);
    this.bucketById[b.id] = undefined;
    this.freeBucketIds.push(b.id);
  }

  /** A cap was passed: the threshold halves until both sides fit. */
  private halve(): void {
    let t = this.threshold;
    do {
      t /= 2;
      this.lowerThreshold(t);
    } while (this.pCount > this.maxPredictions || this.lCount > this.maxLabels);
  }

  /** Keeps only keys whose hash is below `t`, on both sides. */
  private lowerThreshold(t: number): void {
    this.threshold = t;
    for (let s = 0; s < this.pHigh; s++)
      if (this.pKind[s] !== FREE && this.pHash[s] >= t) {
        this.sampledOutPredictions++;
        this.freePrediction(s);
      }
    for (const b of this.buckets.values()) {
      let kept = 0;
      for (let i = 0; i < b.length; i++) if (this.pKind[b.slots[i]] !== FREE) b.slots[kept++] = b.slots[i];
      b.length = kept;
    }
    for (let s = 0; s < this.lHigh; s++)
      if (this.lKind[s] !== FREE && this.lHash[s] >= t) {
        this.sampledOutLabels++;
        this.noteSampledOutLabelAt(this.lAt[s]);
        this.freeLabel(s);
      }
  }

  /**
   * Back to every key once that is sound: no bucket held (each would lack the rows above the threshold) and no
   * label left out by sampling that is still within the label retention (it would be missing from the join).
   */
  private recoverRate(): void {
    if (this.threshold === KEY_HASH_SPACE || this.buckets.size > 0) return;
    const out = this.lastSampledOutLabelAtMs;
    if (out !== null && !(this.evictedBeforeMs !== null && out < this.evictedBeforeMs)) return;
    this.threshold = KEY_HASH_SPACE;
    this.lastSampledOutLabelAtMs = null;
  }

  /** For each key hash held more than once: the row its label joins (earliest bucket, then first added). */
  private joinTargets(): Map<number, number> {
    const targets = new Map<number, number>();
    for (const start of this.bucketStarts()) {
      const b = this.buckets.get(start)!;
      for (let i = 0; i < b.length; i++) {
        const s = b.slots[i];
        if ((this.pPrev[s] !== -1 || this.pNext[s] !== -1) && !targets.has(this.pHash[s]))
          targets.set(this.pHash[s], s);
      }
    }
    return targets;
  }

  private document(buckets: readonly Bucket[], withLabels: boolean): LabelJoinStateJson {
    const dictionary = new Map<string, number>();
    const indexOf = (id: number): number => {
      const s = this.strings.get(id);
      let i = dictionary.get(s);
      if (i === undefined) dictionary.set(s, (i = dictionary.size));
      return i;
    };
    const bucketJson = buckets.map((b): PredictionColumnsJson => {
      const n = b.length;
      const hash = new Float64Array(n);
      const at = new Float64Array(n);
      const kind = new Uint8Array(n);
      const value = new Float64Array(n);
      const confidence = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const s = b.slots[i];
        hash[i] = this.pHash[s];
        at[i] = this.pAt[s];
        kind[i] = this.pKind[s];
        value[i] = kind[i] === STRING ? indexOf(this.pValue[s]) : this.pValue[s];
        confidence[i] = this.pConfidence[s];
      }
      return {
        startMs: b.startMs,
        size: n,
        hash: float64ToBase64(hash),
        atMs: float64ToBase64(at),
        kind: Buffer.from(kind).toString('base64'),
        value: float64ToBase64(value),
        confidence: float64ToBase64(confidence),
      };
    });
    let labels: LabelColumnsJson | null = null;
    if (withLabels) {
      const n = this.lCount;
      const hash = new Float64Array(n);
      const at = new Float64Array(n);
      const kind = new Uint8Array(n);
      const value = new Float64Array(n);
      // In hash order (one label per hash), so the document does not depend on the order slots were reused in.
      let j = 0;
      for (let s = 0; s < this.lHigh; s++) if (this.lKind[s] !== FREE) hash[j++] = this.lHash[s];
      hash.sort();
      for (let i = 0; i < n; i++) {
        const s = this.labelIndex.get(hash[i]);
        at[i] = this.lAt[s];
        kind[i] = this.lKind[s];
        value[i] = kind[i] === STRING ? indexOf(this.lValue[s]) : this.lValue[s];
      }
      labels = {
        size: n,
        hash: float64ToBase64(hash),
        atMs: float64ToBase64(at),
        kind: Buffer.from(kind).toString('base64'),
        value: float64ToBase64(value),
      };
    }
    return {
      format: LABEL_JOIN_STATE_FORMAT,
      formatVersion: LABEL_JOIN_FORMAT_VERSION,
      task: this.task,
      bucketWidthMs: this.bucketWidthMs,
      maxPredictions: this.maxPredictions,
      maxLabels: this.maxLabels,
      samplingThreshold: this.threshold,
      strings: [...dictionary.keys()],
      buckets: bucketJson,
      labels,
      counters: withLabels
        ? {
            sampledOutPredictions: this.sampledOutPredictions,
            sampledOutLabels: this.sampledOutLabels,
            expiredLabels: this.expiredLabels,
            duplicateRowsDropped: this.duplicateRowsDropped,
            lastSampledOutLabelAtMs: this.lastSampledOutLabelAtMs,
            evictedBeforeMs: this.evictedBeforeMs,
          }
        : null,
    };
  }
}

export function createLabelJoinState(options: LabelJoinStateOptions): LabelJoinState {
  return new LabelJoinStateImpl(options);
}

/** A state from a whole document (`toJSON()`), with the document's options; bit for bit what was saved. */
export function labelJoinStateFromJson(json: unknown): LabelJoinState {
  const doc = checkDocument(json);
  const state = createLabelJoinState({
    task: doc.task,
    maxPredictions: doc.maxPredictions,
    maxLabels: doc.maxLabels,
    bucketWidthMs: doc.bucketWidthMs,
  });
  state.load(doc);
  return state;
}

/** Refuses, with a {@link BucketStateError} that says why, what is not a label join state this code reads. */
function checkDocument(json: unknown): LabelJoinStateJson {
  const j = json as LabelJoinStateJson;
  if (typeof j !== 'object' || j === null || j.format !== LABEL_JOIN_STATE_FORMAT)
    throw new BucketStateError(`not a label join state (format is not "${LABEL_JOIN_STATE_FORMAT}")`);
  if (j.formatVersion !== LABEL_JOIN_FORMAT_VERSION)
    throw new BucketStateError(
      `label join state has format version ${String(j.formatVersion)}; this exporter reads version ${LABEL_JOIN_FORMAT_VERSION} only`,
    );
  const shape = (ok: boolean, what: string): void => {
    if (!ok) throw new BucketStateError(`label join state: ${what}`);
  };
  shape(j.task === 'classification' || j.task === 'regression', `unknown task ${String(j.task)}`);
  shape(Number.isInteger(j.bucketWidthMs) && j.bucketWidthMs >= 1, 'bad bucketWidthMs');
  shape(Number.isInteger(j.maxPredictions) && j.maxPredictions >= 1, 'bad maxPredictions');
  shape(Number.isInteger(j.maxLabels) && j.maxLabels >= 1, 'bad maxLabels');
  shape(
    typeof j.samplingThreshold === 'number' &&
      j.samplingThreshold > 0 &&
      j.samplingThreshold <= KEY_HASH_SPACE,
    'bad samplingThreshold',
  );
  shape(Array.isArray(j.strings) && j.strings.every((s) => typeof s === 'string'), 'bad strings');
  shape(Array.isArray(j.buckets), 'bad buckets');
  const kinds = (text: string, n: number, allowed: readonly number[]): void => {
    const k = Buffer.from(text, 'base64');
    shape(k.length === n, 'a kind column has the wrong length');
    for (const x of k) shape(allowed.includes(x), `unknown kind ${x}`);
  };
  const column = (text: unknown, n: number, what: string): void =>
    shape(
      typeof text === 'string' && Buffer.from(text, 'base64').length === n * 8,
      `${what} has the wrong length`,
    );
  const stringRefs = (kindText: string, valueText: string, n: number): void => {
    const k = Buffer.from(kindText, 'base64');
    const v = columnFromBase64(valueText, n);
    for (let i = 0; i < n; i++)
      if (k[i] === STRING)
        shape(Number.isInteger(v[i]) && v[i] >= 0 && v[i] < j.strings.length, 'bad string index');
  };
  for (const b of j.buckets) {
    shape(Number.isFinite(b?.startMs) && Number.isInteger(b.size) && b.size >= 0, 'bad bucket');
    for (const c of ['hash', 'atMs', 'value', 'confidence'] as const)
      column(b[c], b.size, `bucket ${b.startMs} ${c}`);
    kinds(b.kind, b.size, [NULL, STRING, NUMBER]);
    stringRefs(b.kind, b.value, b.size);
  }
  if (j.labels !== null) {
    const l = j.labels;
    shape(typeof l === 'object' && Number.isInteger(l.size) && l.size >= 0, 'bad labels');
    for (const c of ['hash', 'atMs', 'value'] as const) column(l[c], l.size, `labels ${c}`);
    kinds(l.kind, l.size, [STRING, NUMBER, BOOLEAN]);
    stringRefs(l.kind, l.value, l.size);
  }
  shape(
    j.labels === null ? j.counters === null : typeof j.counters === 'object' && j.counters !== null,
    'labels and counters go together',
  );
  if (j.counters) {
    const c = j.counters;
    for (const n of [c.sampledOutPredictions, c.sampledOutLabels, c.expiredLabels, c.duplicateRowsDropped])
      shape(Number.isInteger(n) && n >= 0, 'bad counters');
    for (const t of [c.lastSampledOutLabelAtMs, c.evictedBeforeMs])
      shape(t === null || typeof t === 'number', 'bad counters');
  }
  return j;
}

function columnFromBase64(text: string, n: number): Float64Array {
  const out = float64FromBase64(text, n);
  if (!out) throw new BucketStateError(`label join state: a column does not hold ${n} values`);
  return out;
}
