import { stepPast } from './ks-statistic';
import { addTail } from './wasserstein';

/** The KS statistic and the Wasserstein-1 distance of one pair of sorted samples. */
export interface KsWassersteinResult {
  /** D = sup |F_a − F_b|, equal to {@link ksStatistic}(a, b) to the last bit. */
  readonly ks: number;
  /** W₁ in raw units, equal to {@link wasserstein}(a, b, true) to the last bit. */
  readonly wasserstein: number;
}

/**
 * The two-sample KS statistic and the Wasserstein-1 distance of two **sorted** samples in one pooled walk instead
 * of two. Both walk the distinct pooled values in the same order and step past them in the same way; the
 * |F_a − F_b| that Wasserstein weighs by the gap before value x is the difference KS took after the previous value,
 * so each is computed by exactly the expressions of {@link ksStatistic} and {@link wasserstein}: the results are
 * bit-identical to calling both.
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
  // [W sum, previous pooled value, F_a − F_b after it, max of F_a − F_b, min of F_a − F_b] in a Float64Array,
  // not `let` variables: V8 boxes doubles in loops compiled by on-stack replacement (see ksStatistic).
  const s = new Float64Array(5);
  s[1] = a[0] <= b[0] ? a[0] : b[0];
  for (;;) {
    if (i >= n1 || j >= n2) break;
    const ai = a[i];
    const bj = b[j];
    const x = ai <= bj ? ai : bj;
    if (x !== s[1]) s[0] += Math.abs(s[2]) * (x - s[1]);
    if (ai < bj) i = stepPast(a, i + 1, x);
    else if (bj < ai) j = stepPast(b, j + 1, x);
    else {
      i = stepPast(a, i + 1, x);
      j = stepPast(b, j + 1, x);
    }
    s[1] = x;
    const diff = i / n1 - j / n2;
    s[2] = diff;
    if (diff > s[3]) s[3] = diff;
    else if (diff < s[4]) s[4] = diff;
  }
  // As in wasserstein(): the rest of the sample not used up, against an ECDF of exactly 1.
  const tail = Float64Array.of(s[0], s[1]);
  if (i < n1) addTail(a, i, tail);
  else addTail(b, j, tail);
  return { ks: Math.max(s[3], Math.min(-s[4], 1)), wasserstein: tail[0] };
}
