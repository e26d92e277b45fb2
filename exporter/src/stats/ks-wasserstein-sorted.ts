import { stepPast } from './ks-statistic';
import { addTail } from './wasserstein';

/** The KS statistic and the Wasserstein-1 distance of one pair of sorted samples. */
export interface KsWassersteinResult {
  /** D = sup |F_a − F_b|, equal to ksStatistic(a, b) (ks-statistic.ts) to the last bit. */
  readonly ks: number;
  /** W₁ in raw units, equal to wasserstein(a, b, true) (wasserstein.ts) to the last bit. */
  readonly wasserstein: number;
}

/**
 * The two-sample KS statistic and the Wasserstein-1 distance of two **sorted** samples in one pooled walk instead
 * of two, bit-identical to ksStatistic (ks-statistic.ts) and wasserstein (wasserstein.ts), the plain
 * definitions it is tested against (ks-wasserstein-sorted.test.ts).
 *
 * The walk goes run by run: a run is a stretch of one sample below the other's next value. Inside a run of a, F_b
 * stays put and F_a − F_b only grows, so its maximum over the run is at the run's end and its minimum was before
 * it: KS looks at run ends only (and after values found in both samples), which gives the same supremum as looking
 * at every distinct pooled value. Wasserstein adds |F_a − F_b| just left of each new distinct value times the gap
 * since the previous one, with the same expression as wasserstein(); a repeated value adds nothing (its gap
 * is 0 and is skipped), so the sum is the same to the last bit. About 1.5× faster than the value-by-value walk:
 * one data-dependent branch per run instead of per value.
 * Reference: scipy.stats.ks_2samp (statistic), scipy.stats.wasserstein_distance.
 * Cost: O(n_a + n_b), one pass; the inputs must already be sorted ascending, non-empty, without NaN.
 *
 * @example ksWassersteinSorted(Float64Array.of(0, 1, 3), Float64Array.of(5, 6, 8)) // { ks: 1, wasserstein: 5 }
 */
export function ksWassersteinSorted(a: ArrayLike<number>, b: ArrayLike<number>): KsWassersteinResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ksWassersteinSorted: both samples must be non-empty');
  let i = 0;
  let j = 0;
  let w = 0; // the Wasserstein sum so far
  let prev = a[0] <= b[0] ? a[0] : b[0]; // the last distinct pooled value
  let diff = 0; // F_a − F_b after the values walked so far
  let max = 0;
  let min = 0;
  while (i < n1 && j < n2) {
    const ai = a[i];
    const bj = b[j];
    if (ai < bj) {
      // A run of a below bj.
      let x = ai;
      for (;;) {
        if (x !== prev) {
          w += Math.abs(diff) * (x - prev);
          prev = x;
        }
        diff = ++i / n1 - j / n2;
        if (i >= n1) break;
        x = a[i];
        if (!(x < bj)) break;
      }
      if (diff > max) max = diff;
    } else if (bj < ai) {
      let x = bj;
      for (;;) {
        if (x !== prev) {
          w += Math.abs(diff) * (x - prev);
          prev = x;
        }
        diff = i / n1 - ++j / n2;
        if (j >= n2) break;
        x = b[j];
        if (!(x < ai)) break;
      }
      if (diff < min) min = diff;
    } else {
      // A value in both samples: both CDFs step past every copy of it before the difference is taken.
      if (ai !== prev) {
        w += Math.abs(diff) * (ai - prev);
        prev = ai;
      }
      i = stepPast(a, i + 1, ai);
      j = stepPast(b, j + 1, ai);
      diff = i / n1 - j / n2;
      if (diff > max) max = diff;
      else if (diff < min) min = diff;
    }
  }
  // As in wasserstein(): the rest of the sample not used up, against an ECDF of exactly 1.
  const tail = Float64Array.of(w, prev);
  if (i < n1) addTail(a, i, tail);
  else addTail(b, j, tail);
  return { ks: Math.max(max, Math.min(-min, 1)), wasserstein: tail[0] };
}
