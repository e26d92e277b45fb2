import type { InferenceEvent } from '@plumbline/schema';
import { isMissing, type CellValue } from '../../stats/missing';
import type { BucketSchema } from './bucket-schema';
import { addCount, copyBoundedCounts, createBoundedCounts, type BoundedCounts } from './bounded-counts';
import {
  copyCategoricalColumnState,
  createCategoricalColumnState,
  foldCategorical,
  type CategoricalColumnState,
} from './categorical-column-state';
import {
  copyNumericalColumnState,
  createNumericalColumnState,
  foldNumerical,
  type NumericalColumnState,
} from './numerical-column-state';
import {
  copyPredictionState,
  createPredictionState,
  foldPrediction,
  type PredictionState,
} from './prediction-state';
import { copyEstimateState, createEstimateState, foldEstimate, type EstimateState } from './estimate-state';
import { createRandom, deriveSeed, type RandomState } from './random';
import { copyRowSample, createRowSample, offerRow, writePrediction, type RowSample } from './row-sample';

/** Rows sampled per bucket (k). @default 2000 */
export const DEFAULT_BUCKET_SAMPLE_SIZE = 2000;
/** Bucket width. @default 60000 (one minute) */
export const DEFAULT_BUCKET_WIDTH_MS = 60_000;

/** The state a bucket and a window share: every count, the moments and the uniform row sample. */
export interface FoldedState {
  /** The bucket schema this was folded under (BucketSchema.id). */
  readonly schemaId: string;
  readonly model: string;
  /** Half-open time range, epoch ms: [startMs, endMs). */
  readonly startMs: number;
  readonly endMs: number;
  /** Events folded. */
  rows: number;
  /** In schema.numerical order. */
  readonly numerical: NumericalColumnState[];
  /** In schema.categorical order. */
  readonly categorical: CategoricalColumnState[];
  readonly prediction: PredictionState;
  /**
   * Feature names that are not columns of the profile (`BucketSchema.knownColumns`), each with the rows that carry
   * it with a non-missing value: at most `maxNewColumns` names, a bottom-k choice like the unseen categories'
   * (bounded-counts.ts), so merging stays exact. Issue #12's `new_column`.
   */
  readonly newColumns: BoundedCounts;
  sample: RowSample;
  /** The label-free estimate's sums (issue #11); null when the schema has no calibration. */
  readonly estimate: EstimateState | null;
}

/** One model's events of one time bucket, folded once. Mutable: {@link foldEvent} adds to it. */
export interface BucketState extends FoldedState {
  /** The reservoir's generator, carried along (and serialised) so folding can go on after a checkpoint. */
  readonly rng: RandomState;
}

export interface CreateBucketOptions {
  readonly model: string;
  /** Bucket start, epoch ms (use {@link bucketStartFor}). */
  readonly startMs: number;
  /** @default DEFAULT_BUCKET_WIDTH_MS */
  readonly widthMs?: number;
  /** k, rows sampled. @default DEFAULT_BUCKET_SAMPLE_SIZE */
  readonly sampleSize?: number;
  /**
   * Seed of the reservoir, mixed with the model and the start. States that will be merged must not share it
   * (give each exporter instance its own, e.g. a hash of its id), or their samples pick the same positions.
   * @default 0
   */
  readonly seed?: number;
}

/** The start of the bucket holding time t: floor(t / width) · width (aligned to the epoch, like windows). */
export function bucketStartFor(timeMs: number, widthMs = DEFAULT_BUCKET_WIDTH_MS): number {
  return Math.floor(timeMs / widthMs) * widthMs;
}

/** An empty folded state (what a merge starts from). */
export function emptyFoldedState(
  schema: BucketSchema,
  key: { model: string; startMs: number; endMs: number },
  sampleSize: number,
): FoldedState {
  const predictionColumn = schema.numerical.find((c) => c.role === 'prediction');
  return {
    schemaId: schema.id,
    model: key.model,
    startMs: key.startMs,
    endMs: key.endMs,
    rows: 0,
    numerical: schema.numerical.map((c) => createNumericalColumnState(c)),
    categorical: schema.categorical.map((c) => createCategoricalColumnState(c, schema.maxUnseenValues)),
    prediction: createPredictionState({
      maxTrackedClasses: schema.maxTrackedClasses,
      maxTrackedVersions: schema.maxTrackedVersions,
      confidenceBins: schema.confidenceBins,
      valueShift: predictionColumn?.shift ?? 0,
    }),
    newColumns: createBoundedCounts(schema.maxNewColumns),
    sample: createRowSample(sampleSize, schema.numerical.length),
    estimate: schema.estimate ? createEstimateState(schema.estimate) : null,
  };
}

/** A new, empty bucket. */
export function createBucketState(schema: BucketSchema, options: CreateBucketOptions): BucketState {
  const widthMs = options.widthMs ?? DEFAULT_BUCKET_WIDTH_MS;
  if (!(widthMs > 0)) throw new RangeError(`bucket width must be positive, got ${widthMs}`);
  if (!Number.isFinite(options.startMs))
    throw new RangeError(`bucket start must be finite, got ${options.startMs}`);
  const state = emptyFoldedState(
    schema,
    { model: options.model, startMs: options.startMs, endMs: options.startMs + widthMs },
    options.sampleSize ?? DEFAULT_BUCKET_SAMPLE_SIZE,
  );
  return { ...state, rng: createRandom(deriveSeed(options.model, options.startMs) ^ (options.seed ?? 0)) };
}

/** A feature's value in an event, as a baseline's toColumns reads it (service/production-baseline.ts): an absent key is missing. */
function featureValue(features: Readonly<Record<string, CellValue>>, name: string): CellValue {
  return Object.prototype.hasOwnProperty.call(features, name) ? features[name] : null;
}

/**
 * Folds one row's values (every count, the moments, new column names) and offers it to the reservoir; returns the
 * sample slot it took (or −1). `predicted` is the prediction column's value.
 */
function foldValues(
  bucket: BucketState,
  schema: BucketSchema,
  features: Readonly<Record<string, CellValue>>,
  predicted: CellValue,
): number {
  bucket.rows++;
  const slot = offerRow(bucket.sample, bucket.rng);
  for (let i = 0; i < schema.numerical.length; i++) {
    const c = schema.numerical[i];
    const raw = c.role === 'prediction' ? predicted : featureValue(features, c.name);
    const x = foldNumerical(bucket.numerical[i], c, raw);
    if (slot >= 0) bucket.sample.columns[i][slot] = x;
  }
  for (let i = 0; i < schema.categorical.length; i++) {
    const c = schema.categorical[i];
    foldCategorical(
      bucket.categorical[i],
      c,
      c.role === 'prediction' ? predicted : featureValue(features, c.name),
    );
  }
  for (const name in features)
    if (!schema.knownColumns.has(name) && !isMissing(features[name])) addCount(bucket.newColumns, name);
  return slot;
}

/**
 * Folds one event into its bucket: every count, the moments, and the reservoir. The event must belong to the
 * bucket (same model, `@timestamp` in [startMs, endMs)), else a RangeError: routing is the caller's job, and a
 * misrouted event would silently be counted in the wrong window. De-duplication by `event_id` is the source's
 * job too (the bucket keeps no ids).
 * Cost: O(columns · log bins + the event's feature keys) plus one uniform draw once the reservoir is full.
 */
export function foldEvent(bucket: BucketState, schema: BucketSchema, event: InferenceEvent): void {
  if (bucket.schemaId !== schema.id)
    throw new RangeError(`bucket folded under schema ${bucket.schemaId}, not ${schema.id}`);
  if (event.model.name !== bucket.model)
    throw new RangeError(
      `event ${event.event_id} is of model "${event.model.name}", the bucket of "${bucket.model}"`,
    );
  const at = Date.parse(event['@timestamp']);
  if (!(at >= bucket.startMs && at < bucket.endMs))
    throw new RangeError(
      `event ${event.event_id} at ${event['@timestamp']} is outside the bucket [${new Date(bucket.startMs).toISOString()}, ${new Date(bucket.endMs).toISOString()})`,
    );
  const outputs = event.outputs;
  const slot = foldValues(bucket, schema, event.features, outputs.label ?? outputs.value);
  foldPrediction(bucket.prediction, outputs, event.model.version);
  if (bucket.estimate && schema.estimate) foldEstimate(bucket.estimate, schema.estimate, outputs);
  if (slot >= 0) writePrediction(bucket.sample, slot, outputs.label, outputs.value, outputs.confidence);
}

/**
 * Folds one row of a table (`plumbline drift`'s offline path: a file has no events, times or outputs): its columns
 * by name, the prediction column read like the others. The bucket's time range is not checked and its
 * prediction state (classes, confidences, versions) is left as it is; the sampled row's prediction fields are
 * empty. Same cost as {@link foldEvent}.
 */
export function foldRow(
  bucket: BucketState,
  schema: BucketSchema,
  row: Readonly<Record<string, CellValue>>,
): void {
  if (bucket.schemaId !== schema.id)
    throw new RangeError(`bucket folded under schema ${bucket.schemaId}, not ${schema.id}`);
  const predicted = schema.predictionColumn === null ? null : featureValue(row, schema.predictionColumn);
  const slot = foldValues(bucket, schema, row, predicted);
  if (slot >= 0) writePrediction(bucket.sample, slot, null, null, null);
}

/** A deep copy (merges never change their inputs; this is for callers that want a snapshot). */
export function copyBucketState(b: BucketState): BucketState {
  return { ...copyFoldedState(b), rng: b.rng.slice() };
}

export function copyFoldedState(s: FoldedState): FoldedState {
  return {
    schemaId: s.schemaId,
    model: s.model,
    startMs: s.startMs,
    endMs: s.endMs,
    rows: s.rows,
    numerical: s.numerical.map(copyNumericalColumnState),
    categorical: s.categorical.map(copyCategoricalColumnState),
    prediction: copyPredictionState(s.prediction),
    newColumns: copyBoundedCounts(s.newColumns),
    sample: copyRowSample(s.sample),
    estimate: s.estimate ? copyEstimateState(s.estimate) : null,
  };
}
