/**
 * Counts of values per bin for inner edges e₀ < e₁ < … : a value x goes to the first bin whose upper edge is ≥ x,
 * i.e. bin index = `numpy.searchsorted(edges, x, side='left')`; values above the last edge go to the last (open) bin.
 * Returns edges.length + 1 counts.
 * Reference: numpy.searchsorted; docs/stattests.md "PSI".
 * Cost: O(n log b), or O(b log n) when `sorted` is true (values ascending, no NaN).
 *
 * @example binCounts([1, 2, 3], [2]) // [2, 1]  (2 falls in the bin whose upper edge is 2)
 */
export function binCounts(values: ArrayLike<number>, edges: readonly number[], sorted = false): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  const n = values.length;
  if (sorted) {
    // Bin k holds the values in (e_{k−1}, e_k]: the difference of two "how many values are ≤ e" searches.
    let below = 0;
    for (let k = 0; k < edges.length; k++) {
      const upTo = countAtMost(values, edges[k], below);
      counts[k] = upTo - below;
      below = upTo;
    }
    counts[edges.length] = n - below;
    return counts;
  }
  for (let i = 0; i < n; i++) counts[binIndex(values[i], edges)]++;
  return counts;
}

/**
 * The bin of one value for inner edges e₀ < e₁ < … (the one rule of {@link binCounts}): the first bin whose upper
 * edge is ≥ x, `numpy.searchsorted(edges, x, side='left')`; edges.length for values above the last edge.
 * Cost: O(log b). Used by the window buckets, which count one value at a time.
 *
 * @example binIndex(2, [2]) // 0; binIndex(2.5, [2]) // 1
 */
export function binIndex(x: number, edges: readonly number[]): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many of the sorted values are ≤ x (numpy.searchsorted(values, x, side='right')), searching from `from`. */
function countAtMost(values: ArrayLike<number>, x: number, from: number): number {
  let lo = from;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
