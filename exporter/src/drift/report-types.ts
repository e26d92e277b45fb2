import type { FeatureType, StatTestId } from '../stattests/types';
import type { Correction } from '../stattests/corrections';
import type { MultivariateOutcome } from './multivariate';
import type { NumericSummary } from './profile-types';

/** One test's outcome for one feature (the `tests[]` entries of `plumbline drift --json`). */
export interface TestOutcome {
  readonly name: StatTestId;
  readonly statistic: number;
  /** Tests that have one (ks, chisquare). */
  readonly pValue?: number;
  /** The p-value after the cross-feature correction, on the deciding test, when a correction is set. */
  readonly pValueAdjusted?: number;
  /** α for p-value tests; the distance threshold in the statistic's units for distance tests. */
  readonly threshold: number;
  readonly drift: boolean;
  /** True for the test whose verdict is the feature's verdict. */
  readonly decisive: boolean;
  readonly effectSize?: number;
  /** KS: 'exact' or 'asymp'. */
  readonly method?: string;
  /**
   * Set when the test read raw values (KS, Wasserstein) from a sample of the window rather than from every row:
   * how many current values it used (a window built from buckets, bigger than its uniform sample). Tests on
   * counts (PSI, Jensen–Shannon, chi-square) are exact over every row and never carry it.
   */
  readonly sampled?: number;
}

/**
 * Reference vs current distribution on the PSI bins (numerical) or per category, as shares (no 1e-4 floor).
 * The one histogram type: the service's report (service/drift-engine.ts) carries it too, and GET
 * /api/models/:model/histograms serves it as is — the JSON the Grafana drift panel reads (exporter/README.md).
 */
export interface FeatureHistogram {
  /** Numerical: bin edges, length = bins + 1; the outer two are the pooled min and max (the bins are open). */
  readonly edges?: number[];
  /** Categorical: one bar per category present in either sample. */
  readonly categories?: string[];
  readonly reference: number[];
  readonly current: number[];
}

export interface CategoricalSummary {
  readonly count: number;
  readonly missing: number;
  readonly distinct: number;
  /** The most frequent category and its share. */
  readonly top: string | null;
  readonly topShare: number;
}

export interface FeatureDrift {
  readonly name: string;
  readonly type: FeatureType;
  /** [reference values, current values], missing excluded; for a window built from buckets, every row's. */
  readonly n: [number, number];
  /** [reference missing, current missing]. */
  readonly missing: [number, number];
  readonly tests: TestOutcome[];
  readonly drift: boolean;
  /** The deciding test's id. */
  readonly stattest: StatTestId;
  /** Set when the feature could not be tested (no values on one side); `drift` is then false. */
  readonly skipped?: string;
  /** Present-but-not-numeric values in the current window of a numerical feature. */
  readonly invalid?: number;
  /** KS and Wasserstein compared the window with a reservoir sample of the reference, not all of it. */
  readonly referenceSampled?: boolean;
  readonly histogram?: FeatureHistogram;
  readonly summary: {
    readonly reference: NumericSummary | CategoricalSummary;
    readonly current: NumericSummary | CategoricalSummary;
  };
}

/** The `plumbline drift --json` contract, plus histograms and summaries for the panels. */
export interface DriftReport {
  readonly features: FeatureDrift[];
  readonly dataset: {
    /** Drifted features / tested features. */
    readonly driftShare: number;
    readonly drift: boolean;
    readonly driftedFeatures: number;
    readonly testedFeatures: number;
    readonly driftShareThreshold: number;
    readonly correction: Correction;
  };
  /** Prediction drift: the model-output column, same machinery, not counted in the dataset share. */
  readonly prediction?: FeatureDrift;
  /** Label drift: the ground-truth column, same machinery, not counted in the dataset share. */
  readonly label?: FeatureDrift;
  /** Columns in the window that the reference does not know (ignored). */
  readonly unknownColumns: string[];
  /** Multivariate drift by data reconstruction (multivariate.ts), or why it was skipped. */
  readonly multivariate?: MultivariateOutcome;
}
