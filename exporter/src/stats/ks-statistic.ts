/**
 * Two-sample Kolmogorov–Smirnov statistic D = sup_x |F_a(x) − F_b(x)| of two **sorted** samples.
 *
 * Definition: the empirical CDFs are right-continuous (F(x) = #{values ≤ x} / n) and are compared at every value of
 * the pooled sample, so ties across the two samples are handled exactly as `scipy.stats.ks_2samp` does
 * (`searchsorted(..., side='right')`): both CDFs step past all copies of a tied value before the difference is taken.
 * Reference: scipy.stats.ks_2samp (scipy ≥ 1.9), two-sided alternative.
 * Cost: O(n_a + n_b) — one merge pass; the inputs must already be sorted ascending.
 *
 * @example ksStatistic(Float64Array.of(1, 2, 3), Float64Array.of(2, 3, 4)) // 1/3
 */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ksStatistic: both samples must be non-empty');
  let i = 0;
  let j = 0;
  // The running extremes live in a Float64Array, not in `let` variables: V8 (Node 20) compiles this long loop by
  // on-stack replacement, and there double-valued loop variables stay boxed (a heap number per step, ~2× slower
  // and steady GC churn). Typed-array slots are never boxed. Likewise `for (;;)` with breaks: no compound loop
  // condition, and one data-dependent branch per value (which sample holds the next smallest one).
  const extremes = new Float64Array(2); // [max of F_a − F_b, min of F_a − F_b]
  for (;;) {
    if (i >= n1 || j >= n2) break;
    const ai = a[i];
    const bj = b[j];
    if (ai < bj)
      i = stepPast(a, i + 1, ai); // only a holds ai
    else if (bj < ai) j = stepPast(b, j + 1, bj);
    else {
      i = stepPast(a, i + 1, ai);
      j = stepPast(b, j + 1, ai);
    }
    const diff = i / n1 - j / n2;
    if (diff > extremes[0]) extremes[0] = diff;
    else if (diff < extremes[1]) extremes[1] = diff;
  }
  // Once one sample is exhausted its CDF is 1 and the other's only grows towards 1: the gap only shrinks.
  return Math.max(extremes[0], Math.min(-extremes[1], 1));
}

/** The first index at or after `from` whose value is not x (values sorted ascending). */
export function stepPast(values: ArrayLike<number>, from: number, x: number): number {
  let i = from;
  for (;;) {
    if (i >= values.length || values[i] !== x) return i;
    i++;
  }
}
