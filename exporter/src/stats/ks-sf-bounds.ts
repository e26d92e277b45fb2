/**
 * The part every survival function Pr(D ≥ d) of a one-sample Kolmogorov–Smirnov statistic (D_n: kolmogorovSf,
 * D⁺_n: smirnovSf) shares: n must be a positive integer, and outside 0 < d < 1 the value follows from d alone —
 * NaN for NaN, 1 for d ≤ 0 (D ≥ 0 always), 0 for d ≥ 1 (D = 1 has probability 0). Inside, the caller computes.
 * Reference: Simard & L'Ecuyer (2011), J. Stat. Softw. 39(11); scipy.special.smirnov / scipy.stats.kstwo.
 * Cost: O(1).
 *
 * @example ksSfBounds('smirnovSf', 10, 1.5) // 0
 * @example ksSfBounds('smirnovSf', 10, 0.3) // undefined: compute
 */
export function ksSfBounds(fn: string, n: number, d: number): number | undefined {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${fn}: n must be a positive integer, got ${n}`);
  if (Number.isNaN(d)) return Number.NaN;
  if (d >= 1) return 0;
  if (d <= 0) return 1;
  return undefined;
}
