import { ksExactPValue } from './ks-exact-p-value';
import { ksWassersteinSorted } from './ks-wasserstein-sorted';
import { kolmogorovSf } from './kolmogorov-sf';
import { sortFloat64 } from './sort-float64';

/** How the p-value is computed; `auto` is exact when max(n1, n2) ≤ 10,000, asymptotic otherwise. */
export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface KsOptions {
  /** @default 'auto' */
  readonly method?: KsMethod;
  /** Set when both inputs are already sorted ascending (skips the copy and sort). @default false */
  readonly sorted?: boolean;
  /** D of these (sorted) inputs when already computed, e.g. by `ksWassersteinSorted`; skips its pass. */
  readonly statistic?: number;
}

export interface KsResult {
  /** D = sup |F_ref − F_cur| (snapped to h / lcm(n1, n2) on the exact path, as scipy does). */
  readonly statistic: number;
  readonly pValue: number;
  /** The method actually used (the exact path falls back to asymptotic if floating point fails). */
  readonly method: 'exact' | 'asymp';
  readonly n: readonly [number, number];
}

/** The largest sample size for which `auto` uses the exact distribution (scipy's MAX_AUTO_N). */
export const KS_MAX_EXACT_N = 10000;

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function sortedCopy(values: ArrayLike<number>): Float64Array {
  return sortFloat64(Float64Array.from(values));
}

/**
 * Two-sample, two-sided Kolmogorov–Smirnov test, equal to `scipy.stats.ks_2samp(a, b, method='auto')`.
 *
 * Statistic: D = sup_x |F_a(x) − F_b(x)| over the pooled sample (ties as scipy: see {@link ksStatistic}).
 * p-value: exact (Hodges / Viehmann lattice-path count, {@link ksExactPValue}) when max(n1, n2) ≤ 10,000;
 * otherwise the asymptotic `kstwo.sf(D, round(n1·n2 / (n1 + n2)))` ({@link kolmogorovSf}, Simard & L'Ecuyer).
 * Inputs must not contain NaN (take missing values out first, see `numericColumn`).
 * Reference: scipy.stats.ks_2samp; Hodges (1958); Simard & L'Ecuyer (2011).
 * Cost: O(n log n) for the sort + O(n1 + n2) for D + the p-value (≤ ~10⁸ steps exact, O(n) asymptotic).
 *
 * @example ksTwoSample([1, 2, 3, 4], [3, 4, 5, 6]) // { statistic: 0.5, pValue: 0.7714285714285715, method: 'exact' }
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>, options: KsOptions = {}): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ksTwoSample: both samples must be non-empty');
  const sa = options.sorted ? a : sortedCopy(a);
  const sb = options.sorted ? b : sortedCopy(b);
  if (Number.isNaN(sa[n1 - 1]) || Number.isNaN(sb[n2 - 1]) || Number.isNaN(sa[0]) || Number.isNaN(sb[0])) {
    throw new RangeError('ksTwoSample: samples contain NaN; remove missing values first');
  }
  // D by the run-by-run walk, equal to ksStatistic(sa, sb) to the last bit and faster.
  let d = options.statistic ?? ksWassersteinSorted(sa, sb).ks;
  const requested = options.method ?? 'auto';
  let method: 'exact' | 'asymp' =
    requested === 'auto' ? (Math.max(n1, n2) <= KS_MAX_EXACT_N ? 'exact' : 'asymp') : requested;
  if (method === 'exact') {
    const exact = ksExactPValue(n1, n2, d);
    d = exact.statistic;
    if (exact.ok)
      return { statistic: d, pValue: Math.min(1, Math.max(0, exact.pValue)), method, n: [n1, n2] };
    method = 'asymp';
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = roundHalfEven((m * n) / (m + n));
  const p = d <= 0.5 / en ? 1 : kolmogorovSf(en, d);
  return { statistic: d, pValue: Math.min(1, Math.max(0, p)), method, n: [n1, n2] };
}
