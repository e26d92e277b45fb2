import type { KsWassersteinResult } from '../stats/ks-wasserstein-sorted';

/** Feature kinds a stat test can apply to. */
export type FeatureType = 'numerical' | 'categorical';

/** Whether a test yields a p-value (drift when p < α) or a distance (drift when statistic ≥ threshold). */
export type StatTestKind = 'p_value' | 'distance';

/** The ids of the built-in tests (short, lowercase, stable: they are Prometheus label values and JSON names). */
export type StatTestId = 'ks' | 'chisquare' | 'psi' | 'wasserstein' | 'jensenshannon';

/** One numerical feature, reference vs current, prepared once so every test reads what it needs. */
export interface NumericalComparison {
  readonly type: 'numerical';
  /** Reference values sorted ascending: every reference value, or a bounded reservoir sample of them. */
  readonly referenceSorted: Float64Array;
  /** Current values sorted ascending (missing values removed). */
  readonly currentSorted: Float64Array;
  /** Inner PSI bin edges from the reference (deciles by default, duplicates merged). */
  readonly binEdges: readonly number[];
  /** Reference counts per PSI bin, over every reference value (not only the sample). */
  readonly referenceBinCounts: readonly number[];
  /** Current counts per PSI bin. */
  readonly currentBinCounts: readonly number[];
  /** Reference standard deviation (population), used to express Wasserstein thresholds in σ. */
  readonly referenceStd: number;
  /**
   * KS D and Wasserstein-1 of the two sorted samples from one shared pass (`ksWassersteinSorted`), set by the
   * detector when both tests run; `ks` and `wasserstein` then take their statistics from it (bit-identical).
   */
  readonly ksWasserstein?: KsWassersteinResult;
}

/** One categorical feature, reference vs current category counts (missing values removed). */
export interface CategoricalComparison {
  readonly type: 'categorical';
  readonly referenceCounts: ReadonlyMap<string, number>;
  readonly currentCounts: ReadonlyMap<string, number>;
}

export type FeatureComparison = NumericalComparison | CategoricalComparison;

/** What a test computes, before any verdict. */
export interface StatTestResult {
  readonly statistic: number;
  /** Only for `p_value` tests. */
  readonly pValue?: number;
  /** A size-independent effect size for the optional effect-size floor (KS: D; chi-square: Cramér's V). */
  readonly effectSize?: number;
  /** How the p-value was computed, when there is a choice (KS: exact / asymp). */
  readonly method?: string;
}

/**
 * A stat test: everything the registry, the auto-selection, the drift rule and the docs need to know about it.
 * Add one by writing a descriptor file and one line in registry.ts (docs/stattests.md, "Add a stat test").
 */
export interface StatTestDescriptor {
  readonly id: StatTestId;
  readonly displayName: string;
  readonly featureKinds: readonly FeatureType[];
  readonly kind: StatTestKind;
  /** α for p-value tests; the distance threshold for distance tests (in `thresholdUnit`). */
  readonly defaultThreshold: number;
  /**
   * `raw`: the threshold is compared with the statistic as configured. `reference_std`: the configured threshold
   * is in reference standard deviations and is multiplied by σ_ref before the comparison (Wasserstein in raw units).
   */
  readonly thresholdUnit: 'raw' | 'reference_std';
  /**
   * What of the current window `compute` reads. `values`: the sorted raw values (`currentSorted`); on a window
   * bigger than its uniform sample these are the sample's values, and the report's outcome says `sampled`.
   * `counts`: bin or category counts, which a window keeps exactly over every row (docs/stattests.md, "Windows
   * built from buckets").
   */
  readonly reads: 'values' | 'counts';
  /** Pure: no I/O, no randomness. Throws only on programming errors (the detector feeds non-empty samples). */
  compute(input: FeatureComparison): StatTestResult;
}
