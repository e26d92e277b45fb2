/**
 * Summaries of a window built from buckets (issue #18), pure: the drift report's current-side numeric summary
 * and the service's per-feature summaries (`plumbline_feature_*`), from the window's folded state instead of its
 * raw events. What each figure rests on (docs/stattests.md, "Windows built from buckets"):
 *  - rows, missing counts, min and max: exact, over every row of the window;
 *  - mean and standard deviation: the compensated moments of the finite values (within ~1e-13 relative of
 *    numpy's pairwise sums, compensated-moments.ts);
 *  - quantiles: the window's uniform row sample; when the sample holds every row they equal the raw-row ones.
 */
import { SUMMARY_QUANTILES as DRIFT_SUMMARY_QUANTILES } from '../drift/numeric-summary';
import type { NumericSummary } from '../drift/profile-types';
import { quantileSorted } from '../stats/quantile-sorted';
import type { BucketSchema } from './buckets/bucket-schema';
import type { FoldedState } from './buckets/bucket-state';
import { momentsOf } from './buckets/compensated-moments';
import type { NumericalColumnState } from './buckets/numerical-column-state';
import { sortedSampleColumns, type SortedSampleColumns } from './buckets/sorted-sample-columns';
import { SUMMARY_QUANTILES, type FeatureSummary } from './feature-summary';

/**
 * The current side's summary of one numerical column, as the drift report gives it (`summary.current`, the
 * shape numericSummary makes from raw values): count and missing exact; min and max exact over the present
 * values (±Infinity included, as the detector keeps them); mean and population std (ddof 0) from the moments,
 * except that an infinite value makes them what numpy makes them over every present value — mean ±Infinity
 * (NaN with both signs), std NaN; the quantiles p01…p99 from `sortedSample`, the column's present values in the
 * window's sample, sorted (±Infinity included). NaN fields when the column has no present value.
 * When the sample holds every row this equals the detector's summary of the same rows: exactly but for the mean
 * and std, within their tolerance (window-summaries.test.ts).
 * Cost: O(1) besides the quantile look-ups.
 *
 * @example windowNumericSummary(window.numerical[0], sortedSampleOfColumn0).max // the window's exact max
 */
export function windowNumericSummary(
  state: NumericalColumnState,
  sortedSample: Float64Array,
): NumericSummary {
  const n = state.present;
  const quantiles: Record<string, number> = {};
  for (const [k, q] of Object.entries(DRIFT_SUMMARY_QUANTILES))
    quantiles[k] = sortedSample.length ? quantileSorted(sortedSample, q) : Number.NaN;
  if (n === 0)
    return {
      count: 0,
      missing: state.missing,
      mean: Number.NaN,
      std: Number.NaN,
      min: Number.NaN,
      max: Number.NaN,
      quantiles,
    };
  const { mean, std } = momentsOf(state.moments);
  const positiveInfinity = state.max === Number.POSITIVE_INFINITY;
  const negativeInfinity = state.min === Number.NEGATIVE_INFINITY;
  const infinite = positiveInfinity || negativeInfinity;
  return {
    count: n,
    missing: state.missing,
    mean: !infinite
      ? mean
      : positiveInfinity && negativeInfinity
        ? Number.NaN
        : positiveInfinity
          ? Number.POSITIVE_INFINITY
          : Number.NEGATIVE_INFINITY,
    std: infinite ? Number.NaN : std,
    min: state.min,
    max: state.max,
    quantiles,
  };
}

/**
 * The service's per-feature summaries of a window (FeatureSummary, what summarizeFeature gives from raw values),
 * for the schema's feature columns (the prediction column is left out, as the service summarises the baseline's
 * features only). Counted as summarizeFeature counts:
 *  - rows: every row of the window; missingRatio = (rows − finite numbers) / rows, exact: a numerical column's
 *    missing values, values that are not numbers (typeMismatch) and ±Infinity all count as missing there;
 *    a categorical column's missing values only;
 *  - numerical: mean and std (ddof 1; null with one finite value) from the moments of the finite values; min and
 *    max exact over the finite values — except in a window that holds ±Infinity, whose finite min (or max) the
 *    state does not keep: it then comes from the sample (exact when the sample holds every row); quantiles 0.05…0.95
 *    from the sample's finite values, and `sampled` says how many there were when the sample does not hold every
 *    row. `numeric` is null when the column has no finite value.
 * One known difference: a string such as "0x1f" is a number to summarizeFeature (`Number()`) but, as to the
 * detector (`parseNumber`), a type mismatch to the window.
 * When the sample holds every row, each summary equals summarizeFeature's on the same rows: exactly but for the
 * mean and std, within the moments' tolerance (window-summaries.test.ts).
 * `sorted`: the window's sample columns sorted (sortedSampleColumns), when the caller shares them with the drift
 * inputs; sorted here otherwise.
 * Cost: O(K log K) per numerical column (K sample rows; the sort, unless given), O(1) per categorical one.
 *
 * @example windowFeatureSummaries(mergeBuckets(schema, lastHour), schema).age.missingRatio
 */
export function windowFeatureSummaries(
  window: FoldedState,
  schema: BucketSchema,
  sorted: SortedSampleColumns = sortedSampleColumns(window),
): Record<string, FeatureSummary> {
  if (window.schemaId !== schema.id)
    throw new RangeError(`window folded under schema ${window.schemaId}, not ${schema.id}`);
  const rows = window.rows;
  const ratio = (missing: number): number => (rows === 0 ? 0 : missing / rows);
  const sampleComplete = window.sample.size === window.sample.seen;
  const out: Record<string, FeatureSummary> = {};
  for (const c of schema.columns) {
    if (c.role !== 'feature') continue;
    if (c.type === 'categorical') {
      const s = window.categorical[schema.categorical.indexOf(c)];
      out[c.name] = { rows, missingRatio: ratio(s.missing), numeric: null };
      continue;
    }
    const s = window.numerical[c.sampleIndex];
    const finite = s.moments.count;
    if (finite === 0) {
      out[c.name] = { rows, missingRatio: ratio(rows), numeric: null };
      continue;
    }
    const values = sorted.finite[c.sampleIndex];
    const { mean, std } = momentsOf(s.moments, 1);
    const quantiles: Record<string, number> = {};
    for (const q of SUMMARY_QUANTILES)
      quantiles[String(q)] = values.length ? quantileSorted(values, q) : Number.NaN;
    const fromSample = (i: number): number => (values.length ? values[i] : Number.NaN);
    out[c.name] = {
      rows,
      missingRatio: ratio(rows - finite),
      numeric: {
        mean,
        std: finite > 1 ? std : null,
        min: Number.isFinite(s.min) ? s.min : fromSample(0),
        max: Number.isFinite(s.max) ? s.max : fromSample(values.length - 1),
        quantiles,
        ...(sampleComplete ? {} : { sampled: values.length }),
      },
    };
  }
  return out;
}
