import { Float64Sorter } from '../../stats/sort-float64';
import type { FoldedState } from './bucket-state';

/**
 * The numerical columns of a window's uniform row sample, each sorted once for every consumer of the window:
 * `present[i]` holds the present values of the column with sample index i (NaN — missing and mismatched rows —
 * dropped; ±Infinity kept), sorted as `sortFloat64` sorts them; `finite[i]` is its view without the ±Infinity at
 * either end (what the per-feature summaries take). The stat tests (windowDriftInputs) and the summaries
 * (windowFeatureSummaries) both read them, so each column of K values is sorted once per evaluation, not twice.
 * Read-only for the consumers: they share the arrays.
 * `buffers`: where the sorted columns go (and the sorter's scratch), reused from one evaluation to the next
 * (checkoutSortedColumnBuffers); the result is then valid until the buffers are returned. Without it, new arrays.
 * Cost: O(K log K) per column at worst (O(K) for spread values, sort-float64.ts); K · 8 bytes per column (none
 * when `buffers` already hold room for K).
 *
 * @example const sorted = sortedSampleColumns(window); windowFeatureSummaries(window, schema, sorted)
 */
export interface SortedSampleColumns {
  readonly present: readonly Float64Array[];
  readonly finite: readonly Float64Array[];
}

export function sortedSampleColumns(window: FoldedState, buffers?: SortedColumnBuffers): SortedSampleColumns {
  const sorter = buffers?.sorter ?? new Float64Sorter();
  const size = window.sample.size;
  const present: Float64Array[] = [];
  const finite: Float64Array[] = [];
  window.sample.columns.forEach((column, i) => {
    // Its own array per column (sorted in place; the sorter's scratch is shared between columns): the present
    // values copied in one pass, then the array cut to them (a view; the few missing rows' room stays unused).
    const values = presentValues(column, size, buffers ? roomFor(buffers, i, size) : new Float64Array(size));
    const n = values.length;
    sorter.sort(values);
    let from = 0;
    let to = n;
    while (from < to && values[from] === Number.NEGATIVE_INFINITY) from++;
    while (to > from && values[to - 1] === Number.POSITIVE_INFINITY) to--;
    present.push(values);
    finite.push(values.subarray(from, to));
  });
  return { present, finite };
}

/**
 * The arrays sortedSampleColumns sorts into, kept between evaluations instead of ~K · 8 bytes per column of new
 * arrays each time (at K = 50,000 and 21 columns, 8.4 MB an evaluation for the collector). Each column's array
 * grows to the largest sample it was asked to hold and stays so.
 */
export interface SortedColumnBuffers {
  readonly columns: Float64Array[];
  readonly sorter: Float64Sorter;
}

// Buffers returned and free to check out again. An evaluation runs to its end on one thread, so one set is out
// at a time and this holds one; a checked-out set is never handed to a second caller before it is returned.
const freeBuffers: SortedColumnBuffers[] = [];

/** A set of buffers of its own for one evaluation: give it back with returnSortedColumnBuffers when done. */
export function checkoutSortedColumnBuffers(): SortedColumnBuffers {
  return freeBuffers.pop() ?? { columns: [], sorter: new Float64Sorter() };
}

/** Gives buffers back; the sorted columns made in them must not be read after this. */
export function returnSortedColumnBuffers(buffers: SortedColumnBuffers): void {
  if (!freeBuffers.includes(buffers)) freeBuffers.push(buffers);
}

/** Column i's buffer, at least `size` long. */
function roomFor(buffers: SortedColumnBuffers, i: number, size: number): Float64Array {
  const held = buffers.columns[i];
  if (held && held.length >= size) return held;
  const grown = new Float64Array(size);
  buffers.columns[i] = grown;
  return grown;
}

/** The values of column[0 … size) that are not NaN, in order, into `out` (out's view of the first n). */
function presentValues(column: Float64Array, size: number, out: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < size; i++) {
    const x = column[i];
    if (x === x) out[n++] = x;
  }
  return n === out.length ? out : out.subarray(0, n);
}
