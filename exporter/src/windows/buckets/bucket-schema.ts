import { createHash } from 'node:crypto';
import type { ColumnRole, ReferenceProfile } from '../../drift/profile-types';
import { calibrationFromJson } from '../../quality/estimate';
import { estimateSchemaOf, type EstimateSchema } from './estimate-state';

/**
 * The format of a serialised bucket; a bucket written with another format version is refused.
 * 2: the data-quality counts of issue #12 (`newColumns`, numerical `positiveInfinite` and the counts beyond the
 *    reference's p01 / p05 / p95 / p99).
 */
export const BUCKET_FORMAT_VERSION = 2;

/** A numerical column as the buckets fold it: the reference's PSI bins, range and the moments' shift. */
export interface NumericalColumnSchema {
  readonly name: string;
  readonly type: 'numerical';
  /** 'feature' (from `features[name]`) or 'prediction' (`outputs.label ?? outputs.value`, as the service does). */
  readonly role: Exclude<ColumnRole, 'label'>;
  /** Inner PSI bin edges of the reference (binEdges.length + 1 bins). */
  readonly binEdges: readonly number[];
  /** Reference min and max: values below / above count as out of range. NaN when the reference had none. */
  readonly min: number;
  readonly max: number;
  /**
   * Reference quantiles p01, p05, p95, p99 (the profile's summary; NaN when the reference had none): values beyond
   * them are counted for `out_of_range_share` over a quantile range instead of [min, max].
   */
  readonly p01: number;
  readonly p05: number;
  readonly p95: number;
  readonly p99: number;
  /** The reference mean (0 when it has none): the shift of the compensated moments. */
  readonly shift: number;
  /** Index of this column in the sampled rows' columns. */
  readonly sampleIndex: number;
}

/** A categorical column: the reference's categories, each with an exact count; the rest is `unseen`. */
export interface CategoricalColumnSchema {
  readonly name: string;
  readonly type: 'categorical';
  readonly role: Exclude<ColumnRole, 'label'>;
  /** Reference categories in profile order (including `__other__` when the reference pooled some). */
  readonly categories: readonly string[];
  readonly categoryIndex: ReadonlyMap<string, number>;
}

export type ColumnSchema = NumericalColumnSchema | CategoricalColumnSchema;

/** Bounds and bins of a bucket, with their defaults. */
export interface BucketSchemaOptions {
  /** Distinct unseen categories counted one by one per categorical column; the rest pooled. @default 100 */
  readonly maxUnseenValues?: number;
  /** Distinct predicted classes counted one by one (≥ the service's `maxClasses`, 50); the rest pooled. @default 256 */
  readonly maxTrackedClasses?: number;
  /** Distinct `model.version` values counted one by one. @default 16 */
  readonly maxTrackedVersions?: number;
  /** Equal-width bins of the confidence histogram over [0, 1]. @default 20 */
  readonly confidenceBins?: number;
  /**
   * Distinct feature names the profile does not have (issue #12's `new_column`) counted one by one per bucket;
   * the rest pooled. @default 100
   */
  readonly maxNewColumns?: number;
}

export const DEFAULT_BUCKET_SCHEMA_OPTIONS = {
  maxUnseenValues: 100,
  maxTrackedClasses: 256,
  maxTrackedVersions: 16,
  confidenceBins: 20,
  maxNewColumns: 100,
} as const;

/**
 * What every bucket of one model and one reference profile folds, derived once from the profile: the columns
 * (features and the prediction column; the label column is not in inference events and is left out), their bins,
 * categories and bounds. `id` is a digest of all of it plus the format version: buckets merge, and a serialised
 * bucket loads, only under the schema with the same id.
 */
export interface BucketSchema {
  readonly id: string;
  readonly formatVersion: number;
  readonly columns: readonly ColumnSchema[];
  /** The numerical columns, in sample-column order. */
  readonly numerical: readonly NumericalColumnSchema[];
  readonly categorical: readonly CategoricalColumnSchema[];
  /** The profile's prediction column, when it has one. */
  readonly predictionColumn: string | null;
  /** The profile's label column (not folded: ground truth comes from feedback events). */
  readonly labelColumn: string | null;
  /**
   * Every column name of the profile (features, prediction and label): a feature key of an event outside this set
   * is a new column, counted in `FoldedState.newColumns`. Derive the schema from the baseline's whole profile (not
   * one narrowed to `models[].features`), or the features left unwatched would count as new columns.
   */
  readonly knownColumns: ReadonlySet<string>;
  readonly maxUnseenValues: number;
  readonly maxTrackedClasses: number;
  readonly maxTrackedVersions: number;
  readonly confidenceBins: number;
  readonly maxNewColumns: number;
  /** The label-free estimate's calibration, when the profile has a quality baseline (`profile.quality`). */
  readonly estimate: EstimateSchema | null;
}

/**
 * The bucket schema of a reference profile. Throws a RangeError for bounds that are not positive integers.
 *
 * @example bucketSchemaFromProfile(profile).numerical.map((c) => c.name) // the sampled columns, in order
 */
export function bucketSchemaFromProfile(
  profile: ReferenceProfile,
  options: BucketSchemaOptions = {},
  /**
   * Feature names that are not new columns although this profile lacks them: the features of the stored baseline
   * that `models[].features` leaves unwatched (the service folds a narrowed profile).
   */
  alsoKnown: Iterable<string> = [],
): BucketSchema {
  const o = { ...DEFAULT_BUCKET_SCHEMA_OPTIONS, ...options };
  const knownColumns = new Set([...profile.features.map((f) => f.name), ...alsoKnown]);
  for (const [key, v] of Object.entries(o))
    if (!(Number.isInteger(v) && v >= 1))
      throw new RangeError(`bucket schema: ${key} must be an integer ≥ 1, got ${v}`);
  const columns: ColumnSchema[] = [];
  let predictionColumn: string | null = null;
  let labelColumn: string | null = null;
  let sampleIndex = 0;
  for (const f of profile.features) {
    if (f.role === 'label') {
      labelColumn = f.name;
      continue;
    }
    if (f.role === 'prediction') predictionColumn = f.name;
    if (f.type === 'numerical') {
      const mean = f.summary.mean;
      columns.push({
        name: f.name,
        type: 'numerical',
        role: f.role,
        binEdges: [...f.binEdges],
        min: f.count > 0 ? f.summary.min : Number.NaN,
        max: f.count > 0 ? f.summary.max : Number.NaN,
        ...referenceTails(f.count, f.summary.quantiles),
        shift: Number.isFinite(mean) ? mean : 0,
        sampleIndex: sampleIndex++,
      });
    } else {
      const categories = Object.keys(f.categories);
      columns.push({
        name: f.name,
        type: 'categorical',
        role: f.role,
        categories,
        categoryIndex: new Map(categories.map((c, i) => [c, i])),
      });
    }
  }
  const digest = createHash('sha256')
    .update(
      JSON.stringify({
        formatVersion: BUCKET_FORMAT_VERSION,
        options: o,
        knownColumns: [...knownColumns].sort(),
        labelColumn,
        // Only when present, so the ids of profiles without it stay as they were.
        ...(profile.quality ? { calibration: profile.quality.calibration } : {}),
        columns: columns.map((c) =>
          c.type === 'numerical'
            ? [
                c.name,
                c.type,
                c.role,
                c.binEdges.map(String),
                String(c.min),
                String(c.max),
                String(c.shift),
                [c.p01, c.p05, c.p95, c.p99].map(String),
              ]
            : [c.name, c.type, c.role, c.categories],
        ),
      }),
    )
    .digest('hex')
    .slice(0, 16);
  return {
    id: digest,
    formatVersion: BUCKET_FORMAT_VERSION,
    columns,
    numerical: columns.filter((c): c is NumericalColumnSchema => c.type === 'numerical'),
    categorical: columns.filter((c): c is CategoricalColumnSchema => c.type === 'categorical'),
    predictionColumn,
    labelColumn,
    knownColumns,
    ...o,
    estimate: profile.quality ? estimateSchemaOf(calibrationFromJson(profile.quality.calibration)) : null,
  };
}

/** The tail quantiles of a numerical profile column (NaN when it had no values or the profile lacks them). */
function referenceTails(
  count: number,
  q: Readonly<Record<string, number>>,
): { p01: number; p05: number; p95: number; p99: number } {
  const at = (k: string): number => (count > 0 && typeof q[k] === 'number' ? q[k] : Number.NaN);
  return { p01: at('p01'), p05: at('p05'), p95: at('p95'), p99: at('p99') };
}
