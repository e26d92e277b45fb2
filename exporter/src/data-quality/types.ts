import type { BoundedCounts } from '../windows/buckets/bounded-counts';

/**
 * The data-quality checks of issue #12: their ids (a contract: `plumbline drift --json`, /api, metric labels) and
 * the shape of their results.
 */

/** Every check, in report order. docs/stattests.md, "Data-quality checks". */
export const DATA_QUALITY_CHECK_IDS = [
  'missing_column',
  'new_column',
  'type_change',
  'missing_share',
  'out_of_range_share',
  'unseen_category_share',
  'non_finite_share',
  'constant',
] as const;

export type DataQualityCheckId = (typeof DATA_QUALITY_CHECK_IDS)[number];

/** The checks whose value is a share with a configurable margin (the others are 0 / 1 with threshold 0). */
export const SHARE_CHECK_IDS = [
  'new_column',
  'type_change',
  'missing_share',
  'out_of_range_share',
  'unseen_category_share',
  'non_finite_share',
] as const satisfies readonly DataQualityCheckId[];

export type ShareCheckId = (typeof SHARE_CHECK_IDS)[number];

/** One check of one column (the `dataQuality.checks[]` entries of `plumbline drift --json`). */
export interface DataQualityCheckResult {
  /** The column name (for `new_column`, the name the profile does not have). */
  readonly feature: string;
  readonly check: DataQualityCheckId;
  /** A share in [0, 1], or 0 / 1 for `missing_column` and `constant`. */
  readonly value: number;
  /** The check fails when value > threshold (the one rule; 0 for the 0 / 1 checks). */
  readonly threshold: number;
  readonly failed: boolean;
}

/** Every check that applies to a window, and how many failed. */
export interface DataQualityReport {
  readonly checks: DataQualityCheckResult[];
  readonly failed: number;
}

/**
 * What the checks read of a numerical column's counts: the fields of the bucket fold's `NumericalColumnState`
 * that they use (a folded state has them all; `plumbline drift` derives them from the drift pass's sorted column:
 * sorted-counts.ts). The moments' count is the finite present values.
 */
export interface NumericalQualityCounts extends OutOfRangeCounts {
  readonly present: number;
  readonly missing: number;
  readonly typeMismatch: number;
  readonly nonFinite: number;
  readonly positiveInfinite: number;
  readonly moments: { readonly count: number };
}

/**
 * A numerical column's extremes and its present values outside the reference's range and quantiles: what the
 * out_of_range checks read, from a folded state or from a sorted column (sorted-counts.ts).
 */
export interface OutOfRangeCounts {
  /** The smallest and largest present value; +Infinity / −Infinity while there are none. */
  readonly min: number;
  readonly max: number;
  /** Present values below the reference min / above its max. */
  readonly belowMin: number;
  readonly aboveMax: number;
  /** Present values below the reference p01 / p05, above its p95 / p99. */
  readonly belowP01: number;
  readonly belowP05: number;
  readonly aboveP95: number;
  readonly aboveP99: number;
}

/** What the checks read of a categorical column's counts (the bucket fold's `CategoricalColumnState`). */
export interface CategoricalQualityCounts {
  readonly present: number;
  readonly missing: number;
  readonly typeMismatch: number;
  /** One count per reference category, in the schema's order. */
  readonly counts: readonly number[];
  readonly unseen: number;
  readonly unseenValues: BoundedCounts;
}

/**
 * The counts of a window (or a table) the checks are computed from: a `FoldedState` (a merged window, a bucket)
 * is one; `DriftDetector.evaluateTable` makes one in the drift pass over a table's columns.
 */
export interface DataQualityWindow {
  /** The bucket schema the counts are indexed by (BucketSchema.id). */
  readonly schemaId: string;
  readonly rows: number;
  /** In schema.numerical order. */
  readonly numerical: readonly NumericalQualityCounts[];
  /** In schema.categorical order. */
  readonly categorical: readonly CategoricalQualityCounts[];
  /** Feature names the profile lacks, with the rows carrying each (at most the schema's `maxNewColumns`). */
  readonly newColumns: BoundedCounts;
}
