import type { CategoricalSummary } from './report-types';

/**
 * The summary of one categorical column (the drift report's `summary.reference` / `summary.current`): present
 * values, missing values, distinct categories, and the most frequent category (the first one met with the
 * largest count, in the map's order) with its share of the present values. Cost: O(categories).
 *
 * @example categoricalSummary(new Map([['a', 3], ['b', 1]]), 4, 2) // { count 4, missing 2, distinct 2, top 'a', topShare 0.75 }
 */
export function categoricalSummary(
  counts: ReadonlyMap<string, number>,
  n: number,
  missing: number,
): CategoricalSummary {
  let top: string | null = null;
  let topN = 0;
  for (const [c, k] of counts) if (k > topN) [top, topN] = [c, k];
  return { count: n, missing, distinct: counts.size, top, topShare: n ? topN / n : 0 };
}
