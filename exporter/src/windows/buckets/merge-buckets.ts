import type { BucketSchema } from './bucket-schema';
import { mergeCountsInto, trimCounts } from './bounded-counts';
import { emptyFoldedState, type BucketState, type FoldedState } from './bucket-state';
import { mergeCategoricalInto } from './categorical-column-state';
import { mergeEstimateInto } from './estimate-state';
import { mergeRowSamples, type SampleMergeInfo } from './merge-row-samples';
import { mergeNumericalInto } from './numerical-column-state';
import { mergePredictionInto } from './prediction-state';
import { createRandom, deriveSeed } from './random';

/** Rows in a window's merged sample (Kmax). @default 50000 */
export const DEFAULT_WINDOW_SAMPLE_SIZE = 50_000;

/** A window: the merge of its buckets. Counts exact, moments within tolerance, a uniform sample of its rows. */
export interface WindowState extends FoldedState {
  /** Buckets merged. */
  readonly buckets: number;
  /** How the merged sample was drawn (its size K, the population N, whether K was lowered). */
  readonly sampling: SampleMergeInfo;
}

export interface MergeBucketsOptions {
  /** Kmax. @default DEFAULT_WINDOW_SAMPLE_SIZE */
  readonly sampleSize?: number;
  /** Seed of the merge's draws (mixed with the model and the window start). @default 0 */
  readonly seed?: number;
  /** See mergeRowSamples. @default 1e-9 */
  readonly maxInfeasibility?: number;
}

function checkSameSchema(schema: BucketSchema, states: readonly FoldedState[]): void {
  for (const s of states)
    if (s.schemaId !== schema.id)
      throw new RangeError(
        `cannot merge a bucket folded under schema ${s.schemaId} with schema ${schema.id}`,
      );
  const models = new Set(states.map((s) => s.model));
  if (models.size > 1)
    throw new RangeError(`cannot merge buckets of different models: ${[...models].join(', ')}`);
}

/**
 * Adds every exact field and the moments of `from` into `into` (not the sample). With `trim: false` the bounded
 * counts (unseen values, classes, versions, new columns) may pass their capacity until {@link trimExact}.
 */
function mergeExactInto(into: FoldedState, from: FoldedState, options: { trim?: boolean } = {}): void {
  into.rows += from.rows;
  into.numerical.forEach((s, i) => mergeNumericalInto(s, from.numerical[i]));
  into.categorical.forEach((s, i) => mergeCategoricalInto(s, from.categorical[i], options));
  mergePredictionInto(into.prediction, from.prediction, options);
  mergeCountsInto(into.newColumns, from.newColumns, options);
  if (into.estimate && from.estimate) mergeEstimateInto(into.estimate, from.estimate);
}

/** Trims every bounded count of `into` to its capacity (see mergeCountsInto: the same as trimming per merge). */
function trimExact(into: FoldedState): void {
  for (const c of into.categorical) trimCounts(c.unseenValues);
  trimCounts(into.prediction.classes);
  trimCounts(into.prediction.versions);
  trimCounts(into.newColumns);
}

/**
 * The window made of `buckets` (one model, one schema; disjoint sets of events, e.g. consecutive minutes):
 * every count summed exactly (rows, present / missing / non-finite / type-mismatch, bins, out-of-range,
 * categories, unseen, new columns, classes, confidence bins, versions), min of the mins, max of the maxes, moments added
 * (compensated), and the uniform sample of the union drawn by {@link mergeRowSamples}. The inputs are not changed.
 * The range is [min start, max end); buckets need not be adjacent.
 * Deterministic: the same buckets, seed and order give the same sample.
 *
 * @example mergeBuckets(schema, lastHour, { sampleSize: 50000 }).sampling.rows
 */
export function mergeBuckets(
  schema: BucketSchema,
  buckets: readonly FoldedState[],
  options: MergeBucketsOptions = {},
): WindowState {
  checkSameSchema(schema, buckets);
  const model = buckets.length ? buckets[0].model : '';
  // Loops, not Math.min(...buckets): a spread of more than ~125,000 arguments throws.
  let startMs = buckets.length ? Infinity : 0;
  let endMs = buckets.length ? -Infinity : 0;
  for (const b of buckets) {
    if (b.startMs < startMs) startMs = b.startMs;
    if (b.endMs > endMs) endMs = b.endMs;
  }
  const sampleSize = options.sampleSize ?? DEFAULT_WINDOW_SAMPLE_SIZE;
  const out = emptyFoldedState(schema, { model, startMs, endMs }, sampleSize);
  for (const b of buckets) mergeExactInto(out, b, { trim: false });
  trimExact(out);
  const rng = createRandom(deriveSeed(model, startMs) ^ (options.seed ?? 0));
  const { sample, info } = mergeRowSamples(
    buckets.map((b) => b.sample),
    { capacity: sampleSize, rng, maxInfeasibility: options.maxInfeasibility },
  );
  return { ...out, sample, buckets: buckets.length, sampling: info };
}

/**
 * Two states of the same bucket (same model, start and end, e.g. folded by two exporter instances from disjoint
 * events) as one bucket: exact fields added, the samples merged into a uniform sample of capacity k (always
 * exact: no bucket is asked for more rows than it holds), and a fresh generator so folding can go on.
 */
export function mergeBucketStates(
  schema: BucketSchema,
  a: BucketState,
  b: BucketState,
  options: { readonly seed?: number } = {},
): BucketState {
  checkSameSchema(schema, [a, b]);
  if (a.startMs !== b.startMs || a.endMs !== b.endMs)
    throw new RangeError(
      'mergeBucketStates merges two states of the same bucket; use mergeBuckets for a window',
    );
  if (a.sample.capacity !== b.sample.capacity)
    throw new RangeError(`cannot merge buckets sampling ${a.sample.capacity} and ${b.sample.capacity} rows`);
  const out = emptyFoldedState(schema, a, a.sample.capacity);
  mergeExactInto(out, a);
  mergeExactInto(out, b);
  const rng = createRandom(deriveSeed(a.model, a.startMs) ^ (options.seed ?? 0) ^ 0x6d657267);
  const { sample } = mergeRowSamples([a.sample, b.sample], { capacity: a.sample.capacity, rng });
  return { ...out, sample, rng };
}
