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
