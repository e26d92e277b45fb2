/**
 * Window state built from time buckets (issue #18, the pure core): every event is folded once into the bucket of
 * its model and minute; a window is a merge of buckets. Counts are exact, moments within a stated tolerance, and
 * KS / Wasserstein / quantiles run on a uniform sample of the window's rows. docs/stattests.md, "Windows built from
 * buckets". No I/O here: sources, checkpoints and the service wire it.
 */
export {
  BUCKET_FORMAT_VERSION,
  DEFAULT_BUCKET_SCHEMA_OPTIONS,
  bucketSchemaFromProfile,
} from './bucket-schema';
export type {
  BucketSchema,
  BucketSchemaOptions,
  CategoricalColumnSchema,
  ColumnSchema,
  NumericalColumnSchema,
} from './bucket-schema';
export {
  DEFAULT_BUCKET_SAMPLE_SIZE,
  DEFAULT_BUCKET_WIDTH_MS,
  bucketStartFor,
  copyBucketState,
  createBucketState,
  foldEvent,
  foldRow,
} from './bucket-state';
export type { BucketState, CreateBucketOptions, FoldedState } from './bucket-state';
export { DEFAULT_WINDOW_SAMPLE_SIZE, mergeBucketStates, mergeBuckets } from './merge-buckets';
export type { MergeBucketsOptions, WindowState } from './merge-buckets';
export { feasibleSampleSize, mergeRowSamples } from './merge-row-samples';
export type { MergeRowSamplesOptions, SampleMergeInfo } from './merge-row-samples';
export type { RowSample } from './row-sample';
export type { NumericalColumnState } from './numerical-column-state';
export type { CategoricalColumnState } from './categorical-column-state';
export { confidenceBin } from './prediction-state';
export type { PredictionState } from './prediction-state';
export { momentsOf } from './compensated-moments';
export type { CompensatedMoments } from './compensated-moments';
export { totalCount, countsEntries } from './bounded-counts';
export type { BoundedCounts } from './bounded-counts';
export { BUCKET_STATE_FORMAT, BucketStateError, bucketFromJson, bucketToJson } from './serialize-bucket';
export type { BucketStateJson } from './serialize-bucket';
export { POOLED_UNSEEN_CATEGORY, windowDriftInputs } from './drift-inputs';
export type { WindowColumnInput } from './drift-inputs';
export {
  checkoutSortedColumnBuffers,
  returnSortedColumnBuffers,
  sortedSampleColumns,
  type SortedColumnBuffers,
} from './sorted-sample-columns';
export type { SortedSampleColumns } from './sorted-sample-columns';
export { sampleHypergeometric, sampleMultivariateHypergeometric } from './hypergeometric';
export { createRandom, nextUint32, uniformInt } from './random';
export type { RandomState } from './random';
export { exactFields } from './exact-fields';
export { foldTable, tableState } from './fold-table';
export type { TableColumns } from './fold-table';
