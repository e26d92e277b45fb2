import { binCounts } from '../stats/bin-counts';
import { ksWassersteinSorted } from '../stats/ks-wasserstein-sorted';
import { psiBinEdges } from '../stats/psi-bin-edges';
import type { Float64Sorter } from '../stats/sort-float64';
import {
  sortedQualityCounts,
  type QualityBounds,
  type SortedQualityCounts,
} from '../data-quality/sorted-counts';
import { getStatTest } from '../stattests/registry';
import type { NumericalComparison, StatTestId, StatTestResult } from '../stattests/types';
import { moments } from '../stats/pairwise-sum';
import { numericSummary } from './numeric-summary';
import { fitMultivariateReference, multivariateDrift, type MultivariateOutcome } from './multivariate';
import type { MultivariateProfile, MultivariateReference, NumericSummary } from './profile-types';
import { Reservoir } from './reservoir';

/**
 * The per-column numeric work of a reference profile and of a window evaluation, as plain data in and out, so that
 * it can run in this thread or in a drift worker thread (numeric-pool.ts) with the same code and the same result.
 * The big arrays are sorted in place: the caller hands them over (in the pool: views of SharedArrayBuffers).
 */

/** Profile one numerical reference column: its values (missing removed, input order) are sorted in place. */
export interface ProfileColumnTask {
  readonly kind: 'profile';
  readonly values: Float64Array;
  readonly missing: number;
  readonly bins: number;
  readonly reservoirSize: number;
  readonly seed: number;
}

export interface ProfileColumnResult {
  /** The reservoir sample, sorted, when the column has more values than the reservoir holds; else null. */
  readonly sample: Float64Array | null;
  readonly summary: NumericSummary;
  readonly binEdges: number[];
  readonly binCounts: number[];
}

/**
 * Compare one numerical current column (missing removed; sorted in place) with the reference, whose sorted sample,
 * bins and σ are as in the {@link NumericalComparison} the tests get.
 */
export interface CompareColumnTask extends Pick<
  NumericalComparison,
  'referenceSorted' | 'binEdges' | 'referenceBinCounts' | 'referenceStd'
> {
  readonly kind: 'compare';
  readonly current: Float64Array;
  readonly missing: number;
  /** Reference values in the profile; with none, no test runs. */
  readonly referenceCount: number;
  /** The tests to compute, in report order. */
  readonly tests: readonly StatTestId[];
  /** When set, the data-quality counts against these reference bounds are read off the sorted column too. */
  readonly quality?: QualityBounds;
}

export interface CompareColumnResult {
  readonly summary: NumericSummary;
  /** Set when both samples have values (the tests ran). */
  readonly compared: {
    readonly currentBinCounts: number[];
    /** The smallest and largest current value. */
    readonly min: number;
    readonly max: number;
    /** One per `tests` id. */
    readonly results: StatTestResult[];
  } | null;
  /** Set when the task asked for them (`quality`). */
  readonly quality?: SortedQualityCounts;
}

/**
 * Fit multivariate drift on reference rows (multivariate.ts, fitMultivariateReference): `columns[j]` holds column
 * `names[j]`'s value of each row (NaN where missing), rows 0 … size − 1. Run beside the column tasks: the profile's
 * other big piece of work.
 */
export interface MultivariateFitTask {
  readonly kind: 'multivariate-fit';
  readonly size: number;
  readonly names: readonly string[];
  readonly columns: readonly Float64Array[];
  readonly varianceShare: number;
  readonly sampled: boolean;
}

/**
 * A window's multivariate drift (multivariate.ts, multivariateDrift) against a fitted model: `columns[j]` holds the
 * value of `part.columns[j]` in each row (NaN where missing), rows 0 … size − 1. Run beside the compare tasks.
 */
export interface MultivariateDriftTask {
  readonly kind: 'multivariate-drift';
  readonly part: MultivariateReference;
  readonly size: number;
  readonly columns: readonly Float64Array[];
}

export type NumericTask = ProfileColumnTask | CompareColumnTask | MultivariateFitTask | MultivariateDriftTask;
export type NumericTaskResult<T extends NumericTask> = T extends ProfileColumnTask
  ? ProfileColumnResult
  : T extends CompareColumnTask
    ? CompareColumnResult
    : T extends MultivariateFitTask
      ? MultivariateProfile
      : MultivariateOutcome;

export function profileColumn(t: ProfileColumnTask, sorter: Float64Sorter): ProfileColumnResult {
  const n = t.values.length;
  // The reservoir samples in input order, so it is filled before the values are sorted in place.
  let sample: Float64Array | null = null;
  if (n > t.reservoirSize) {
    const r = new Reservoir(t.reservoirSize, t.seed);
    for (let i = 0; i < n; i++) r.add(t.values[i]);
    sample = r.sorted();
  }
  const inputOrder = moments(t.values);
  const sorted = sorter.sort(t.values);
  const binEdges = n ? psiBinEdges(sorted, t.bins) : [];
  return {
    sample,
    summary: numericSummary(sorted, t.missing, inputOrder),
    binEdges,
    binCounts: n ? binCounts(sorted, binEdges, true) : [],
  };
}

export function compareColumn(t: CompareColumnTask, sorter: Float64Sorter): CompareColumnResult {
  const inputOrder = moments(t.current);
  const sorted = sorter.sort(t.current);
  const n = sorted.length;
  const summary = numericSummary(sorted, t.missing, inputOrder);
  const quality = t.quality ? { quality: sortedQualityCounts(sorted, t.quality) } : {};
  if (t.referenceCount === 0 || n === 0) return { summary, compared: null, ...quality };
  const currentBinCounts = binCounts(sorted, t.binEdges, true);
  const results = compareSorted(
    {
      type: 'numerical',
      referenceSorted: t.referenceSorted,
      currentSorted: sorted,
      binEdges: t.binEdges,
      referenceBinCounts: t.referenceBinCounts,
      currentBinCounts,
      referenceStd: t.referenceStd,
    },
    t.tests,
  );
  return {
    summary,
    compared: { currentBinCounts, min: sorted[0], max: sorted[n - 1], results },
    ...quality,
  };
}

/**
 * The results of `tests` (in that order) on one numerical comparison whose two samples are sorted and non-empty:
 * what compareColumn computes once it has sorted and binned the window, and what the detector computes for a
 * window built from buckets (already sorted, bins counted exactly). KS and Wasserstein both walk the pooled sorted
 * samples: when both run, one shared walk serves them. Cost: O(n_ref + n_cur) plus each test's own.
 */
export function compareSorted(
  comparison: NumericalComparison,
  tests: readonly StatTestId[],
): StatTestResult[] {
  const input: NumericalComparison =
    tests.includes('ks') && tests.includes('wasserstein')
      ? {
          ...comparison,
          ksWasserstein: ksWassersteinSorted(comparison.referenceSorted, comparison.currentSorted),
        }
      : comparison;
  return tests.map((id) => getStatTest(id).compute(input));
}

/** Runs one task in this thread. */
export function runNumericTask(
  t: NumericTask,
  sorter: Float64Sorter,
): ProfileColumnResult | CompareColumnResult | MultivariateProfile | MultivariateOutcome {
  switch (t.kind) {
    case 'profile':
      return profileColumn(t, sorter);
    case 'compare':
      return compareColumn(t, sorter);
    case 'multivariate-fit':
      return fitMultivariateReference(
        { size: t.size, columns: new Map(t.names.map((name, j) => [name, t.columns[j]])) },
        { varianceShare: t.varianceShare, sampled: t.sampled },
      );
    case 'multivariate-drift':
      return multivariateDrift(t.part, {
        size: t.size,
        columns: new Map(t.part.columns.map((name, j) => [name, t.columns[j]])),
      });
  }
}
