import { Float64Sorter } from '../../stats/sort-float64';
import type { FoldedState } from './bucket-state';

/**
 * The numerical columns of a window's uniform row sample, each sorted once for every consumer of the window:
 * `present[i]` holds the present values of the column with sample index i (NaN — missing and mismatched rows —
 * dropped; ±Infinity kept), sorted as `sortFloat64` sorts them; `finite[i]` is its view without the ±Infinity at
 * either end (what the per-feature summaries take). The stat tests (windowDriftInputs) and the summaries
 * (windowFeatureSummaries) both read them, so each column of K values is sorted once per evaluation, not twice.
 * Read-only for the consumers: they share the arrays.
 * Cost: O(K log K) per column at worst (O(K) for spread values, sort-float64.ts); K · 8 bytes per column.
 *
 * @example const sorted = sortedSampleColumns(window); windowFeatureSummaries(window, schema, sorted)
 */
export interface SortedSampleColumns {
  readonly present: readonly Float64Array[];
  readonly finite: readonly Float64Array[];
}

export function sortedSampleColumns(window: FoldedState): SortedSampleColumns {
  const sorter = new Float64Sorter();
  const size = window.sample.size;
  const present: Float64Array[] = [];
  const finite: Float64Array[] = [];
  for (const column of window.sample.columns) {
    // Its own array per column (sorted in place; the sorter's scratch is shared between columns): the present
    // values copied in one pass, then the array cut to them (a view; the few missing rows' room stays unused).
    const values = presentValues(column, size);
    const n = values.length;
    sorter.sort(values);
    let from = 0;
    let to = n;
    while (from < to && values[from] === Number.NEGATIVE_INFINITY) from++;
    while (to > from && values[to - 1] === Number.POSITIVE_INFINITY) to--;
    present.push(values);
    finite.push(values.subarray(from, to));
  }
  return { present, finite };
}

/** The values of column[0 … size) that are not NaN, in order, in a new array (a view of it when some are NaN). */
function presentValues(column: Float64Array, size: number): Float64Array {
  const out = new Float64Array(size);
  let n = 0;
  for (let i = 0; i < size; i++) {
    const x = column[i];
    if (x === x) out[n++] = x;
  }
  return n === size ? out : out.subarray(0, n);
}
