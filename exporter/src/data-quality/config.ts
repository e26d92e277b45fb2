/**
 * Configuration of the data-quality checks, per model (`models[].dataQuality` in the exporter's config; the defaults
 * are what `plumbline drift` uses). Each share check fails when the window's share exceeds what the reference leads
 * one to expect by more than its margin (docs/stattests.md, "Data-quality checks"); margins per model and per feature.
 */
import { z } from 'zod';
import { DATA_QUALITY_CHECK_IDS } from './types';

const share = z.number().min(0).max(1);

/** The margin of each share check, with its default. */
export const DataQualityThresholdsSchema = z.strictObject({
  /** Share of rows carrying a feature name the reference does not have. */
  new_column: share.default(0.01),
  /** Share of a column's non-missing values of the other kind (non-numbers in a numerical column, numbers in a
   * categorical one), above the reference's. */
  type_change: share.default(0.01),
  /** Share of rows missing the value (absent, null, blank; NaN is non_finite_share's), above the reference's
   * missing share. */
  missing_share: share.default(0.05),
  /** Share of finite values outside the reference's [min, max], above the 2 / (n + 1) a sample of the reference's
   * distribution leaves there. */
  out_of_range_share: share.default(0.05),
  /** Share of categorical values the reference never saw, above its own chance of a new value (Good–Turing). */
  unseen_category_share: share.default(0.05),
  /** Share of rows holding NaN or ±Infinity, above the reference's share of infinities. */
  non_finite_share: share.default(0.01),
});

/** Per feature: margins that win over the model's (no defaults: an absent key inherits). */
const FeatureThresholdsSchema = z.strictObject({
  type_change: share.optional(),
  missing_share: share.optional(),
  out_of_range_share: share.optional(),
  unseen_category_share: share.optional(),
  non_finite_share: share.optional(),
});

const CheckIdSchema = z.enum(DATA_QUALITY_CHECK_IDS);

/** The ranges `out_of_range_share` can use: the reference's [min, max], or its [p01, p99] or [p05, p95]. */
export const OUT_OF_RANGE_BOUNDS = ['min-max', 'p01-p99', 'p05-p95'] as const;
export type OutOfRangeBounds = (typeof OUT_OF_RANGE_BOUNDS)[number];
const RangeSchema = z.enum(OUT_OF_RANGE_BOUNDS);

export const DataQualityConfigSchema = z.strictObject({
  /** Margins of the share checks for every feature of the model. */
  thresholds: DataQualityThresholdsSchema.prefault({}),
  /** Checks not run for this model (e.g. `[constant]`). @default [] */
  skip: z.array(CheckIdSchema).default([]),
  /** The reference range of `out_of_range_share`: `min-max` (nothing a sample of the reference's distribution would
   * put outside, but one extreme training value widens it), `p01-p99` or `p05-p95` (2% / 10% expected outside). */
  range: RangeSchema.default('min-max'),
  /** Per feature (a feature of the baseline, else a config error naming the key): margins and checks to skip. */
  features: z
    .record(
      z.string(),
      z.strictObject({
        thresholds: FeatureThresholdsSchema.default({}),
        skip: z.array(CheckIdSchema).default([]),
        /** Wins over the model's `range`. */
        range: RangeSchema.optional(),
      }),
    )
    .default({}),
});

export type DataQualityConfig = z.output<typeof DataQualityConfigSchema>;
export type DataQualityConfigInput = z.input<typeof DataQualityConfigSchema>;
export type DataQualityThresholds = z.output<typeof DataQualityThresholdsSchema>;

/** Every default: what `plumbline drift` uses and what a model without `dataQuality` gets. */
export const DEFAULT_DATA_QUALITY_CONFIG: DataQualityConfig = DataQualityConfigSchema.parse({});
