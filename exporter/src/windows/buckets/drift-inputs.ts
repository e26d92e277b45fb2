import { categoricalSummary } from '../../drift/categorical-summary';
import type { CategoricalFeatureProfile, NumericSummary, ReferenceProfile } from '../../drift/profile-types';
import type { CategoricalSummary } from '../../drift/report-types';
import { sortedSampleOf } from '../../drift/sorted-sample';
import type { FeatureComparison, FeatureType } from '../../stattests/types';
import { windowNumericSummary } from '../window-summaries';
import type { BucketSchema } from './bucket-schema';
import { countsEntries } from './bounded-counts';
import type { FoldedState } from './bucket-state';
import { sortedSampleColumns, type SortedSampleColumns } from './sorted-sample-columns';

/** The category under which unseen values past `maxUnseenValues` distinct ones are pooled in a comparison. */
export const POOLED_UNSEEN_CATEGORY = '__unseen__';

/** One column of a window, ready for the stat tests (the shape `createDriftDetector().evaluate` builds today). */
export interface WindowColumnInput {
  readonly name: string;
  readonly type: FeatureType;
  readonly role: 'feature' | 'prediction';
  /** Present values in the window: exact, every row. */
  readonly n: number;
  readonly missing: number;
  /** Present values that are not of the column's kind (the detector's `invalid` for numerical columns). */
  readonly invalid: number;
  /** NaN and ±Infinity numbers (numerical columns; see numerical-column-state.ts). */
  readonly nonFinite: number;
  /**
   * Current values the raw-value tests (KS, Wasserstein) ran on: the column's non-missing values in the window's
   * uniform row sample; null for categorical columns, whose every test uses exact counts.
   */
  readonly sampled: number | null;
  /** True when `sampled` holds every present value (the window's sample holds every row). */
  readonly sampleComplete: boolean;
  /**
   * What every stat test's `compute` takes: for numerical columns the sorted sample values (currentSorted) and
   * the exact bin counts; for categorical columns the exact category counts. Null when the reference or the
   * window has no values of the column (the detector reports such a feature as skipped).
   */
  readonly comparison: FeatureComparison | null;
  /**
   * The current side's summary (the drift report's `summary.current`): numerical — count, missing, min and max
   * exact, mean and std from the moments, quantiles from the sample (windowNumericSummary); categorical — from the
   * exact counts (categoricalSummary; past `maxUnseenValues` the pooled unseen values are one category).
   */
  readonly summary: NumericSummary | CategoricalSummary;
}

/**
 * The stat-test inputs of every folded column of a window, against the reference profile the schema was made
 * from (its sorted reference samples, bin counts and categories, exactly as the detector takes them):
 *  - numerical: currentSorted = the sample's values of the column, sorted (missing / mismatched rows dropped);
 *    currentBinCounts = the exact counts over every row;
 *  - categorical: currentCounts = the exact count of each reference category seen, then each tracked unseen
 *    value, then (only past `maxUnseenValues` distinct unseen values) one pooled {@link POOLED_UNSEEN_CATEGORY}.
 * When the window's sample holds every row and no more than `maxUnseenValues` distinct unseen values arrived,
 * each comparison equals the detector's on the same rows, so every statistic, p-value and verdict does (tested).
 * `sorted`: the window's sample columns sorted (sortedSampleColumns), when the caller shares them with the
 * summaries; sorted here otherwise.
 * Cost: O(K log K) per numerical column (the sort, unless given), O(categories) per categorical one.
 */
export function windowDriftInputs(
  window: FoldedState,
  schema: BucketSchema,
  profile: ReferenceProfile,
  sorted: SortedSampleColumns = sortedSampleColumns(window),
): WindowColumnInput[] {
  if (window.schemaId !== schema.id)
    throw new RangeError(`window folded under schema ${window.schemaId}, not ${schema.id}`);
  const byName = new Map(profile.features.map((f) => [f.name, f]));
  const sampleComplete = window.sample.size === window.sample.seen;
  const out: WindowColumnInput[] = [];
  for (const c of schema.columns) {
    const f = byName.get(c.name);
    if (!f || f.type !== c.type)
      throw new RangeError(`column "${c.name}" is not in the profile as ${c.type}`);
    if (c.type === 'numerical' && f.type === 'numerical') {
      const s = window.numerical[c.sampleIndex];
      const currentSorted = sorted.present[c.sampleIndex];
      out.push({
        name: c.name,
        type: 'numerical',
        role: c.role,
        n: s.present,
        missing: s.missing,
        invalid: s.typeMismatch,
        nonFinite: s.nonFinite,
        sampled: currentSorted.length,
        sampleComplete,
        comparison:
          f.count > 0 && s.present > 0 && currentSorted.length > 0
            ? {
                type: 'numerical',
                referenceSorted: sortedSampleOf(f),
                currentSorted,
                binEdges: f.binEdges,
                referenceBinCounts: f.binCounts,
                currentBinCounts: [...s.binCounts],
                referenceStd: f.summary.std,
              }
            : null,
        summary: windowNumericSummary(s, currentSorted),
      });
    } else if (c.type === 'categorical') {
      const s = window.categorical[schema.categorical.indexOf(c)];
      const currentCounts = new Map<string, number>();
      c.categories.forEach((cat, i) => {
        if (s.counts[i] > 0) currentCounts.set(cat, s.counts[i]);
      });
      for (const [v, n] of countsEntries(s.unseenValues)) currentCounts.set(v, n);
      if (s.unseenValues.other > 0)
        currentCounts.set(
          POOLED_UNSEEN_CATEGORY,
          (currentCounts.get(POOLED_UNSEEN_CATEGORY) ?? 0) + s.unseenValues.other,
        );
      const ref = f as CategoricalFeatureProfile;
      out.push({
        name: c.name,
        type: 'categorical',
        role: c.role,
        n: s.present,
        missing: s.missing,
        invalid: s.typeMismatch,
        nonFinite: 0,
        sampled: null,
        sampleComplete: true,
        comparison:
          ref.count > 0 && s.present > 0
            ? {
                type: 'categorical',
                referenceCounts: new Map(Object.entries(ref.categories)),
                currentCounts,
              }
            : null,
        summary: categoricalSummary(currentCounts, s.present, s.missing),
      });
    }
  }
  return out;
}
