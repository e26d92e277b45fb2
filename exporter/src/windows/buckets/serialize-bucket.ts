import { float64FromBase64, float64ToBase64 } from '../../io/float64-base64';
import { BUCKET_FORMAT_VERSION, type BucketSchema } from './bucket-schema';
import type { BucketState } from './bucket-state';
import { createBoundedCounts, countsEntries, type BoundedCounts } from './bounded-counts';
import type { CompensatedMoments } from './compensated-moments';
import {
  estimateStateFromJson,
  estimateStateToJson,
  type EstimateState,
  type EstimateStateJson,
} from './estimate-state';
import type { RowSample } from './row-sample';

/** The `format` field of a serialised bucket. */
export const BUCKET_STATE_FORMAT = 'plumbline.bucket-state';

/** A number in JSON: finite numbers as themselves (JSON round-trips doubles exactly), the rest as strings. */
type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/**
 * A bucket as JSON (checkpoints, and states sent between exporter instances). Numbers round-trip bit for bit;
 * the sample's Float64 columns are base64 of little-endian doubles (NaN for missing values kept).
 */
export interface BucketStateJson {
  readonly format: typeof BUCKET_STATE_FORMAT;
  readonly formatVersion: number;
  readonly schemaId: string;
  readonly model: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly rows: number;
  readonly numerical: readonly {
    readonly name: string;
    readonly present: number;
    readonly missing: number;
    readonly typeMismatch: number;
    readonly nonFinite: number;
    readonly positiveInfinite: number;
    readonly moments: MomentsJson;
    readonly min: JsonNumber;
    readonly max: JsonNumber;
    readonly binCounts: readonly number[];
    readonly belowMin: number;
    readonly aboveMax: number;
    readonly belowP01: number;
    readonly belowP05: number;
    readonly aboveP95: number;
    readonly aboveP99: number;
  }[];
  readonly categorical: readonly {
    readonly name: string;
    readonly present: number;
    readonly missing: number;
    readonly typeMismatch: number;
    readonly counts: readonly number[];
    readonly unseen: number;
    readonly unseenValues: CountsJson;
  }[];
  readonly prediction: {
    readonly classes: CountsJson;
    readonly withoutClass: number;
    readonly confidence: readonly number[];
    readonly withoutConfidence: number;
    readonly value: MomentsJson;
    readonly valueMin: JsonNumber;
    readonly valueMax: JsonNumber;
    readonly withoutValue: number;
    readonly invalid: number;
    readonly versions: CountsJson;
    readonly withoutVersion: number;
  };
  readonly newColumns: CountsJson;
  readonly sample: {
    readonly capacity: number;
    readonly seen: number;
    readonly size: number;
    readonly columns: readonly string[];
    readonly labels: readonly (string | null)[];
    readonly values: string;
    readonly confidences: string;
  };
  readonly rng: readonly number[];
  /** The label-free estimate's sums; present exactly when the schema has a calibration. */
  readonly estimate?: EstimateStateJson;
}

interface MomentsJson {
  readonly shift: number;
  readonly count: number;
  readonly sum: number;
  readonly sumCompensation: number;
  readonly sumSquares: number;
  readonly sumSquaresCompensation: number;
}

interface CountsJson {
  readonly capacity: number;
  readonly counts: readonly [string, number][];
  readonly other: number;
}

/** Why a serialised bucket was refused: another format version, another schema, or a malformed document. */
export class BucketStateError extends Error {
  readonly code = 'EXPORTER_ERR_BUCKET_STATE';
  constructor(message: string) {
    super(message);
    this.name = 'BucketStateError';
  }
}

/** The JSON form of a bucket (a plain object: `JSON.stringify` it). */
export function bucketToJson(b: BucketState, schema: BucketSchema): BucketStateJson {
  if (b.schemaId !== schema.id)
    throw new BucketStateError(`bucket folded under schema ${b.schemaId}, not ${schema.id}`);
  const n = b.sample.size;
  return {
    format: BUCKET_STATE_FORMAT,
    formatVersion: BUCKET_FORMAT_VERSION,
    schemaId: b.schemaId,
    model: b.model,
    startMs: b.startMs,
    endMs: b.endMs,
    rows: b.rows,
    numerical: b.numerical.map((s, i) => ({
      name: schema.numerical[i].name,
      present: s.present,
      missing: s.missing,
      typeMismatch: s.typeMismatch,
      nonFinite: s.nonFinite,
      positiveInfinite: s.positiveInfinite,
      moments: { ...s.moments },
      min: num(s.min),
      max: num(s.max),
      binCounts: [...s.binCounts],
      belowMin: s.belowMin,
      aboveMax: s.aboveMax,
      belowP01: s.belowP01,
      belowP05: s.belowP05,
      aboveP95: s.aboveP95,
      aboveP99: s.aboveP99,
    })),
    categorical: b.categorical.map((s, i) => ({
      name: schema.categorical[i].name,
      present: s.present,
      missing: s.missing,
      typeMismatch: s.typeMismatch,
      counts: [...s.counts],
      unseen: s.unseen,
      unseenValues: countsJson(s.unseenValues),
    })),
    prediction: {
      ...b.prediction,
      classes: countsJson(b.prediction.classes),
      confidence: [...b.prediction.confidence],
      value: { ...b.prediction.value },
      valueMin: num(b.prediction.valueMin),
      valueMax: num(b.prediction.valueMax),
      versions: countsJson(b.prediction.versions),
    },
    newColumns: countsJson(b.newColumns),
    sample: {
      capacity: b.sample.capacity,
      seen: b.sample.seen,
      size: n,
      columns: b.sample.columns.map((c) => float64ToBase64(c.subarray(0, n))),
      labels: b.sample.labels.slice(0, n),
      values: float64ToBase64(b.sample.values.subarray(0, n)),
      confidences: float64ToBase64(b.sample.confidences.subarray(0, n)),
    },
    rng: [...b.rng],
    ...(b.estimate ? { estimate: estimateStateToJson(b.estimate) } : {}),
  };
}

/**
 * A bucket from its JSON form, checked against the schema it will be merged under: a document of another format
 * version, or folded under another schema (another reference profile, other bins or bounds), is refused with a
 * {@link BucketStateError} naming both; so is one whose shape does not fit the schema.
 */
export function bucketFromJson(json: unknown, schema: BucketSchema): BucketState {
  const j = json as BucketStateJson;
  if (typeof j !== 'object' || j === null || j.format !== BUCKET_STATE_FORMAT)
    throw new BucketStateError(`not a bucket state (format is not "${BUCKET_STATE_FORMAT}")`);
  if (j.formatVersion !== BUCKET_FORMAT_VERSION)
    throw new BucketStateError(
      `bucket state of model "${j.model}" at ${j.startMs} has format version ${String(j.formatVersion)}; this exporter reads version ${BUCKET_FORMAT_VERSION} only`,
    );
  if (j.schemaId !== schema.id)
    throw new BucketStateError(
      `bucket state of model "${j.model}" at ${j.startMs} was folded under bucket schema ${j.schemaId}, this exporter's is ${schema.id} (the reference profile or the bucket options changed); it cannot be merged`,
    );
  const shape = (ok: boolean, what: string): void => {
    if (!ok) throw new BucketStateError(`bucket state of model "${j.model}" at ${j.startMs}: ${what}`);
  };
  shape(j.numerical?.length === schema.numerical.length, 'wrong number of numerical columns');
  shape(j.categorical?.length === schema.categorical.length, 'wrong number of categorical columns');
  schema.numerical.forEach((c, i) => {
    shape(
      j.numerical[i].name === c.name,
      `numerical column ${i} is "${j.numerical[i].name}", not "${c.name}"`,
    );
    shape(
      j.numerical[i].binCounts.length === c.binEdges.length + 1,
      `column ${c.name}: wrong number of bins`,
    );
  });
  schema.categorical.forEach((c, i) => {
    shape(
      j.categorical[i].name === c.name,
      `categorical column ${i} is "${j.categorical[i].name}", not "${c.name}"`,
    );
    shape(
      j.categorical[i].counts.length === c.categories.length,
      `column ${c.name}: wrong number of categories`,
    );
  });
  shape(j.sample?.columns.length === schema.numerical.length, 'wrong number of sample columns');
  shape(j.prediction?.confidence.length === schema.confidenceBins, 'wrong number of confidence bins');
  shape(Array.isArray(j.rng) && j.rng.length === 4, 'bad generator state');
  shape(j.newColumns?.capacity === schema.maxNewColumns, 'wrong capacity of the new-column counts');
  shape(
    (j.estimate !== undefined) === (schema.estimate !== null),
    'estimate sums present without a calibration or missing',
  );
  let estimate: EstimateState | null = null;
  if (j.estimate && schema.estimate) {
    try {
      estimate = estimateStateFromJson(j.estimate, schema.estimate.calibration.labels.length);
    } catch (err) {
      shape(false, (err as Error).message);
    }
  }
  const size = j.sample.size;
  const sample: RowSample = {
    capacity: j.sample.capacity,
    seen: j.sample.seen,
    size,
    columns: j.sample.columns.map((c) => base64ToFloat64(c, size, shape)),
    labels: [...j.sample.labels],
    values: base64ToFloat64(j.sample.values, size, shape),
    confidences: base64ToFloat64(j.sample.confidences, size, shape),
  };
  shape(size === Math.min(sample.capacity, sample.seen) && sample.labels.length === size, 'bad sample size');
  return {
    schemaId: j.schemaId,
    model: j.model,
    startMs: j.startMs,
    endMs: j.endMs,
    rows: j.rows,
    numerical: j.numerical.map((s) => ({
      present: s.present,
      missing: s.missing,
      typeMismatch: s.typeMismatch,
      nonFinite: s.nonFinite,
      positiveInfinite: s.positiveInfinite,
      moments: moments(s.moments),
      min: fromNum(s.min),
      max: fromNum(s.max),
      binCounts: [...s.binCounts],
      belowMin: s.belowMin,
      aboveMax: s.aboveMax,
      belowP01: s.belowP01,
      belowP05: s.belowP05,
      aboveP95: s.aboveP95,
      aboveP99: s.aboveP99,
    })),
    categorical: j.categorical.map((s) => ({
      present: s.present,
      missing: s.missing,
      typeMismatch: s.typeMismatch,
      counts: [...s.counts],
      unseen: s.unseen,
      unseenValues: fromCountsJson(s.unseenValues),
    })),
    prediction: {
      classes: fromCountsJson(j.prediction.classes),
      withoutClass: j.prediction.withoutClass,
      confidence: [...j.prediction.confidence],
      withoutConfidence: j.prediction.withoutConfidence,
      value: moments(j.prediction.value),
      valueMin: fromNum(j.prediction.valueMin),
      valueMax: fromNum(j.prediction.valueMax),
      withoutValue: j.prediction.withoutValue,
      invalid: j.prediction.invalid,
      versions: fromCountsJson(j.prediction.versions),
      withoutVersion: j.prediction.withoutVersion,
    },
    newColumns: fromCountsJson(j.newColumns),
    sample,
    rng: Uint32Array.from(j.rng),
    estimate,
  };
}

function num(x: number): JsonNumber {
  if (Number.isFinite(x)) return x;
  return x !== x ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

function fromNum(x: JsonNumber): number {
  return typeof x === 'number' ? x : Number(x);
}

function moments(m: MomentsJson): CompensatedMoments {
  return { ...m };
}

function countsJson(c: BoundedCounts): CountsJson {
  return { capacity: c.capacity, counts: countsEntries(c), other: c.other };
}

function fromCountsJson(j: CountsJson): BoundedCounts {
  const c = createBoundedCounts(j.capacity);
  for (const [v, n] of j.counts) c.counts.set(v, n);
  c.other = j.other;
  return c;
}

function base64ToFloat64(text: string, n: number, shape: (ok: boolean, what: string) => void): Float64Array {
  const out = float64FromBase64(text, n, Math.max(n, 1));
  shape(out !== null, 'a sample column has the wrong length');
  return out!;
}
