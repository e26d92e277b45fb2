/**
 * numpy's pairwise summation, value for value: `pairwiseSum(x)` equals `numpy.sum(x)` of a contiguous float64 array
 * to the last bit, and so `mean` / `std` built on it equal `numpy.mean` / `numpy.std` (exporter/fixtures/numerical.json
 * checks both exactly).
 *
 * Definition (numpy/_core/src/umath/loops_utils.h.src, `pairwise_sum`): fewer than 8 values are added left to
 * right from 0; up to 128 values are added in 8 interleaved partial sums (value i into sum i mod 8), combined as
 * ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)), then the tail past the last multiple of 8 is added one by one;
 * longer runs are split in two at n / 2 rounded down to a multiple of 8 and the halves' sums added.
 * The error grows as O(log n) instead of O(n) for a running sum, and the 8 independent sums run ~4× faster than
 * one dependent chain.
 * Cost: O(n), no allocation.
 *
 * @example pairwiseSum(Float64Array.of(0.1, 0.2, 0.3)) // 0.6000000000000001, as numpy.sum
 */
export function pairwiseSum(values: Float64Array): number {
  return sumRange(values, 0, values.length, Number.NaN);
}

/**
 * Σ (x − center)² by the same pairwise scheme, each term computed as numpy computes `(x - mean) * (x - mean)`:
 * with center = numpy.mean(x), `Math.sqrt(result / n)` is `numpy.std(x)` (ddof = 0) to the last bit.
 */
export function pairwiseSumOfSquaredDeviations(values: Float64Array, center: number): number {
  return sumRange(values, 0, values.length, center);
}

/** Mean and standard deviation of a sample, as numpy.mean / numpy.std compute them. */
export interface Moments {
  readonly mean: number;
  readonly std: number;
}

/**
 * numpy.mean and numpy.std(ddof) of `values` **in the order given** (the order changes the last bits of a pairwise
 * sum: call it before sorting), to the last bit: mean = pairwise Σx / n, std = √(pairwise Σ(x − mean)² / (n − ddof)).
 * NaN for an empty sample, and std NaN when n ≤ ddof (numpy warns and returns nan). Cost: O(n), two passes.
 *
 * @example moments(Float64Array.of(1, 2, 3, 4)) // { mean: 2.5, std: 1.118… }; with ddof 1: std 1.290…
 */
export function moments(values: Float64Array, ddof = 0): Moments {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = pairwiseSum(values) / n;
  const std = n > ddof ? Math.sqrt(pairwiseSumOfSquaredDeviations(values, mean) / (n - ddof)) : Number.NaN;
  return { mean, std };
}

const BLOCK = 128;

/** The terms are the values themselves when `center` is NaN, else their squared deviations from it. */
function sumRange(a: Float64Array, from: number, n: number, center: number): number {
  const squares = center === center;
  if (n < 8) {
    let res = 0;
    for (let i = from; i < from + n; i++) res += squares ? (a[i] - center) * (a[i] - center) : a[i];
    return res;
  }
  if (n <= BLOCK) return block(a, from, n, center, squares);
  let half = Math.floor(n / 2);
  half -= half % 8;
  return sumRange(a, from, half, center) + sumRange(a, from + half, n - half, center);
}

function block(a: Float64Array, from: number, n: number, center: number, squares: boolean): number {
  const end = from + n;
  const whole = from + n - (n % 8);
  let r0: number, r1: number, r2: number, r3: number, r4: number, r5: number, r6: number, r7: number;
  if (squares) {
    r0 = (a[from] - center) * (a[from] - center);
    r1 = (a[from + 1] - center) * (a[from + 1] - center);
    r2 = (a[from + 2] - center) * (a[from + 2] - center);
    r3 = (a[from + 3] - center) * (a[from + 3] - center);
    r4 = (a[from + 4] - center) * (a[from + 4] - center);
    r5 = (a[from + 5] - center) * (a[from + 5] - center);
    r6 = (a[from + 6] - center) * (a[from + 6] - center);
    r7 = (a[from + 7] - center) * (a[from + 7] - center);
    for (let i = from + 8; i < whole; i += 8) {
      r0 += (a[i] - center) * (a[i] - center);
      r1 += (a[i + 1] - center) * (a[i + 1] - center);
      r2 += (a[i + 2] - center) * (a[i + 2] - center);
      r3 += (a[i + 3] - center) * (a[i + 3] - center);
      r4 += (a[i + 4] - center) * (a[i + 4] - center);
      r5 += (a[i + 5] - center) * (a[i + 5] - center);
      r6 += (a[i + 6] - center) * (a[i + 6] - center);
      r7 += (a[i + 7] - center) * (a[i + 7] - center);
    }
  } else {
    r0 = a[from];
    r1 = a[from + 1];
    r2 = a[from + 2];
    r3 = a[from + 3];
    r4 = a[from + 4];
    r5 = a[from + 5];
    r6 = a[from + 6];
    r7 = a[from + 7];
    for (let i = from + 8; i < whole; i += 8) {
      r0 += a[i];
      r1 += a[i + 1];
      r2 += a[i + 2];
      r3 += a[i + 3];
      r4 += a[i + 4];
      r5 += a[i + 5];
      r6 += a[i + 6];
      r7 += a[i + 7];
    }
  }
  let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
  for (let i = whole; i < end; i++) res += squares ? (a[i] - center) * (a[i] - center) : a[i];
  return res;
}
