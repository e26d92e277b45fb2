import gammainc = require('@stdlib/math-base-special-gammainc');

export interface ProportionSample {
  /** Successes (e.g. errors, correct predictions). */
  readonly successes: number;
  /** Trials (rows). */
  readonly trials: number;
}

export interface TwoProportionZTest {
  /** successes / trials of each sample. */
  readonly p1: number;
  readonly p2: number;
  /** The pooled proportion (x1 + x2) / (n1 + n2). */
  readonly pooled: number;
  /** (p2 − p1) / √(p̂(1 − p̂)(1/n1 + 1/n2)); 0 when both samples are all successes or all failures. */
  readonly z: number;
  /** Two-sided p-value, P(|Z| ≥ |z|) under H0: p1 = p2. */
  readonly pValue: number;
}

function checkSample(s: ProportionSample, name: string): void {
  if (!(Number.isInteger(s.trials) && s.trials > 0))
    throw new RangeError(`${name}.trials must be a positive integer, got ${s.trials}`);
  if (!(Number.isInteger(s.successes) && s.successes >= 0 && s.successes <= s.trials))
    throw new RangeError(`${name}.successes must be an integer in [0, ${s.trials}], got ${s.successes}`);
}

/**
 * The two-proportion z-test with a pooled variance (statsmodels' `proportions_ztest(count, nobs)` with its
 * defaults; equal to the 2×2 chi-square test without continuity correction, χ² = z²):
 *
 *   p̂ = (x1 + x2) / (n1 + n2),   z = (x2/n2 − x1/n1) / √(p̂ (1 − p̂) (1/n1 + 1/n2)),   p = P(|Z| ≥ |z|).
 *
 * The sign of z says which way sample 2 moved. When p̂ is 0 or 1 (both samples all failures or all successes)
 * the samples cannot differ: z = 0, p = 1. The p-value is the upper regularised incomplete gamma Q(1/2, z²/2),
 * which is erfc(|z|/√2) without cancellation in the tail.
 * Reference: Agresti, "Categorical Data Analysis" (3rd ed.), §2.1.4; docs/stattests.md, "Comparing two versions".
 * Cost: O(1).
 *
 * @example twoProportionZTest({ successes: 10, trials: 100 }, { successes: 25, trials: 100 }).pValue // ≈ 0.0052
 */
export function twoProportionZTest(a: ProportionSample, b: ProportionSample): TwoProportionZTest {
  checkSample(a, 'a');
  checkSample(b, 'b');
  const p1 = a.successes / a.trials;
  const p2 = b.successes / b.trials;
  const pooled = (a.successes + b.successes) / (a.trials + b.trials);
  const variance = pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials);
  if (!(variance > 0)) return { p1, p2, pooled, z: 0, pValue: 1 };
  const z = (p2 - p1) / Math.sqrt(variance);
  const pValue = Math.min(1, gammainc((z * z) / 2, 0.5, true, true));
  return { p1, p2, pooled, z, pValue };
}
