import { kolmogorovDurbinCdf } from './kolmogorov-durbin-cdf';
import { kolmogorovPelzGoodCdf } from './kolmogorov-pelz-good-cdf';
import { ksSfBounds } from './ks-sf-bounds';
import { smirnovSf } from './smirnov-sf';

const clip = (p: number): number => Math.min(1, Math.max(0, p));

/** log(n! / nⁿ) by Stirling's series with n·log n removed up front (no cancellation). */
function logFactorialOverPower(n: number): number {
  // Stirling coefficients B_2j / (2j (2j − 1)) for j = 8 … 1.
  const coeffs = [-3617 / 122400, 1 / 156, -691 / 360360, 1 / 1188, -1 / 1680, 1 / 1260, -1 / 360, 1 / 12];
  const rn = 1 / n;
  const x = rn / n;
  let poly = 0;
  for (const c of coeffs) poly = poly * x + c;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}

/**
 * Survival function Pr(D_n ≥ d) of the two-sided one-sample Kolmogorov–Smirnov statistic — the distribution
 * `scipy.stats.kstwo` — computed with the method selection of Simard & L'Ecuyer (2011):
 *  - n·d ≤ 1 or n·d ≥ n − 1: Ruben–Gambino closed forms;
 *  - d ≥ 0.5 (and for n·d² ≥ 2.2 in the upper tail): 2·Pr(D⁺_n ≥ d) — exact for d ≥ 0.5, error below 1e-16
 *    relative beyond (the two one-sided events cannot both happen);
 *  - n·d² ≥ 370: 0 (below the double range);
 *  - otherwise 1 − CDF, with the CDF from Durbin's matrix (n ≤ 100,000 and n·d^1.5 ≤ 1.4, and every n ≤ 140)
 *    or the Pelz–Good expansion.
 * One deliberate difference from scipy: for n ≤ 140 and 0.754693 < n·d² ≤ 4 scipy uses Pomeranz's recursion;
 * we use Durbin's matrix there too. Both are exact algorithms for the same probability; the committed fixtures
 * check that they agree to the tolerance the project promises.
 * Reference: Simard, R., L'Ecuyer, P. (2011) "Computing the Two-Sided Kolmogorov-Smirnov Distribution",
 * J. Stat. Softw. 39(11); scipy.stats._ksstats.
 * Cost: O(1) to O(n) depending on the branch; O(m³ log n) with m ≤ ~120 in the matrix branch.
 *
 * @example kolmogorovSf(100, 0.1) // ≈ 0.2431
 */
export function kolmogorovSf(n: number, d: number): number {
  const bound = ksSfBounds('kolmogorovSf', n, d);
  if (bound !== undefined) return bound;
  const t = n * d;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * (2 * t - 1);
    } else {
      cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - d) ** n);
  if (d >= 0.5) return clip(2 * smirnovSf(n, d));
  const nd2 = t * d;
  if (n <= 140) {
    if (nd2 <= 4) return clip(1 - kolmogorovDurbinCdf(n, d));
    return clip(2 * smirnovSf(n, d));
  }
  if (nd2 >= 370) return 0;
  if (nd2 >= 2.2) return clip(2 * smirnovSf(n, d));
  let cdf: number;
  if (nd2 >= 18) cdf = 1;
  else if (n <= 100000 && n * d ** 1.5 <= 1.4) cdf = kolmogorovDurbinCdf(n, d);
  else cdf = kolmogorovPelzGoodCdf(n, d);
  return clip(1 - cdf);
}
