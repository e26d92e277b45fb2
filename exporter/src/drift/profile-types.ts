import type { CalibrationJson, Performance } from '../quality/estimate';
import type { FeatureType } from '../stattests/types';

/** What a column is to the model: an input feature, the model's output, or the ground truth. */
export type ColumnRole = 'feature' | 'prediction' | 'label';

/** Summary statistics of a numerical column (missing values excluded; std is the population std, ddof = 0). */
export interface NumericSummary {
  readonly count: number;
  readonly missing: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** p01, p05, p25, p50, p75, p95, p99: exact (numpy linear) from the sample, or from the DDSketch beyond it. */
  readonly quantiles: Readonly<Record<string, number>>;
}

export interface NumericalFeatureProfile {
  readonly name: string;
  readonly type: 'numerical';
  readonly role: ColumnRole;
  /** Present (non-missing, numeric) values. */
  readonly count: number;
  readonly missing: number;
  /** Present values that were not numbers (the column was forced numerical). */
  readonly invalid: number;
  readonly summary: NumericSummary;
  /** Inner PSI bin edges: reference quantiles at i/bins, duplicates merged. */
  readonly binEdges: readonly number[];
  /** Reference counts per PSI bin over every reference value (binEdges.length + 1 bins). */
  readonly binCounts: readonly number[];
  /** Sorted reservoir sample of the reference values, for KS and Wasserstein. */
  readonly sample: readonly number[];
  /** True when the sample holds every reference value (KS and Wasserstein are then exact, not sample-based). */
  readonly sampleComplete: boolean;
}

export interface CategoricalFeatureProfile {
  readonly name: string;
  readonly type: 'categorical';
  readonly role: ColumnRole;
  readonly count: number;
  readonly missing: number;
  /** Count per category. Past `maxCategories` distinct values, new ones are counted under OTHER_CATEGORY. */
  readonly categories: Readonly<Record<string, number>>;
}

export type FeatureProfile = NumericalFeatureProfile | CategoricalFeatureProfile;

/**
 * Multivariate drift by data reconstruction, fitted on the reference (drift/multivariate.ts; docs/stattests.md
 * "Multivariate drift: data reconstruction"): the numerical features are standardised with `means` / `scales`,
 * projected on the kept principal `components` and back; a row's error is the distance to its reconstruction.
 */
export interface MultivariateReference {
  readonly method: 'pca-reconstruction';
  /** The numerical features it covers (role feature, with values in the reference): the order of every array. */
  readonly columns: readonly string[];
  /** Reference mean per column: the centre, and what a missing value is imputed with. */
  readonly means: readonly number[];
  /** Reference standard deviation per column (ddof = 0, imputed values included); 1 where it is 0. */
  readonly scales: readonly number[];
  /** Share of the variance the kept components explain at least (scikit-learn's float n_components). */
  readonly varianceShare: number;
  /** Every principal axis's share of the variance, largest first (one per column). */
  readonly explainedVarianceRatio: readonly number[];
  /** The kept principal axes, each a unit vector over `columns`. */
  readonly components: readonly (readonly number[])[];
  /** The other axes (with `components`, an orthonormal basis): a row's error is its length along them. */
  readonly residualAxes: readonly (readonly number[])[];
  /**
   * The fitted rows' own reconstruction errors — the reference "chunks" of one row: how many, their mean and
   * standard deviation (ddof = 1). The spread of a window's mean over K rows is std / √K.
   */
  readonly rowErrors: { readonly rows: number; readonly mean: number; readonly std: number };
  /** True when it was fitted on a uniform sample of the reference's rows (`rowErrors.rows` of `rows`). */
  readonly sampled: boolean;
}

/** Why a profile has no multivariate model (fewer than two numerical features, constant features...). */
export interface MultivariateNotFitted {
  readonly method: 'pca-reconstruction';
  readonly skipped: string;
}

export type MultivariateProfile = MultivariateReference | MultivariateNotFitted;

/** The reference a detector compares windows against: built once, stored as JSON (file or Elasticsearch). */
export interface ReferenceProfile {
  readonly schemaVersion: 1;
  readonly createdAt: string;
  /** Rows read (including rows where some values were missing). */
  readonly rows: number;
  readonly bins: number;
  readonly reservoirSize: number;
  readonly features: readonly FeatureProfile[];
  /** Multivariate drift's model; absent in profiles built before it (their multivariate drift is skipped). */
  readonly multivariate?: MultivariateProfile;
  /**
   * The reference's realized quality and the calibration of the label-free estimate (docs/quality.md), when the
   * baseline was imported with a target, a prediction and probability columns; absent otherwise and in older
   * profiles (then no estimate and no quality baseline).
   */
  readonly quality?: ReferenceQuality;
}

/** A classifier's quality on its labelled reference (issue #11). */
export interface ReferenceQuality {
  readonly targetColumn: string;
  readonly predictionColumn: string;
  /** Probability column of each class, in `calibration.labels` order. */
  readonly probabilityColumns: string[];
  readonly calibration: CalibrationJson;
  /** Realized quality of the reference rows (accuracy, macro precision / recall / F1, per class, matrix). */
  readonly realized: Performance;
  readonly rows: number;
}

export const OTHER_CATEGORY = '__other__';

export type { FeatureType };
