/**
 * The label-free performance estimate from {@link EstimateSums}, with sampling bands.
 *
 * Estimate: the estimated confusion matrix has Ĉ[j][m] = Σ over rows predicted m of their calibrated P(actual = j)
 * (`first`); accuracy, precision, recall and F1 are computed from it as from a realized matrix (performance.ts).
 *
 * Band: given the rows, a row predicted m is actual j with probability p_ij, independently across rows (what
 * calibration assumes), so the realized matrix column m is a sum of independent one-draw multinomials with
 *   Var C[j][m] = Σ_i p_ij (1 − p_ij),  Cov(C[j][m], C[l][m]) = −Σ_i p_ij p_il  (j ≠ l),  0 across columns.
 * Accuracy's band uses the exact variance of the sum of the predicted classes' probabilities,
 *   Var(correct) = Σ_i p_i,pred (1 − p_i,pred);
 * precision, recall and F1 (macro) use the delta method with the covariance above:
 *   Var f(C) ≈ Σ_m Σ_j Σ_l ∂f/∂C[j][m] · ∂f/∂C[l][m] · Cov(C[j][m], C[l][m]).
 * The band is estimate ± z·√Var (z = 1.96 by default), clipped to [0, 1]: the range the realized figure falls in
 * with ≈95% probability when the calibration holds. It does not cover calibration error, nor a change of P(y|x).
 * Cost: O(k³).
 */
import type { EstimateSums } from './estimate-sums';
import { performanceFromMatrix, type Performance } from './performance';

export type Band = [number, number];

export interface EstimatedPerformance extends Performance {
  accuracyBand: Band;
  precisionMacroBand: Band;
  recallMacroBand: Band;
  f1MacroBand: Band;
  /** Rows the estimate covers. */
  rows: number;
}

export interface EstimateOptions {
  /** Normal quantile of the band. @default 1.96 */
  readonly z?: number;
}

type Gradient = (j: number, m: number) => number;

export function estimatePerformance(
  labels: readonly string[],
  s: EstimateSums,
  options: EstimateOptions = {},
): EstimatedPerformance {
  const k = s.classes;
  if (labels.length !== k) throw new RangeError(`${labels.length} labels for ${k} classes`);
  const z = options.z ?? 1.96;
  const counts = labels.map((_, j) => labels.map((__, m) => s.first[m * k + j]));
  const perf = performanceFromMatrix(labels, counts);
  let n = 0;
  for (const r of s.rows) n += r;
  const cov = (m: number, j: number, l: number): number =>
    (j === l ? s.first[m * k + j] : 0) - s.second[(m * k + j) * k + l];
  const variance = (g: Gradient): number => {
    let v = 0;
    for (let m = 0; m < k; m++)
      for (let j = 0; j < k; j++) {
        const gj = g(j, m);
        if (gj === 0) continue;
        for (let l = 0; l < k; l++) {
          const gl = g(l, m);
          if (gl !== 0) v += gj * gl * cov(m, j, l);
        }
      }
    return Math.max(0, v);
  };
  const actual = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const predicted = labels.map((_, m) => counts.reduce((a, row) => a + row[m], 0));
  // ∂/∂C[j][m] of the macro means, from the per-class formulas P = TP/Pc, R = TP/Ac, F1 = 2TP/(Ac + Pc).
  const gPrecision: Gradient = (j, m) => {
    const pc = predicted[m];
    if (pc === 0) return 0;
    return ((j === m ? 1 / pc : 0) - counts[m][m] / (pc * pc)) / k;
  };
  const gRecall: Gradient = (j, m) => {
    let g = 0;
    const ac = actual[j];
    if (ac > 0) g += (j === m ? 1 / ac : 0) - counts[j][j] / (ac * ac);
    return g / k;
  };
  const gF1: Gradient = (j, m) => {
    let g = 0;
    for (const c of j === m ? [j] : [j, m]) {
      const d = actual[c] + predicted[c];
      if (d === 0) continue;
      g +=
        (j === c && m === c ? 2 / d : 0) -
        (2 * counts[c][c] * ((j === c ? 1 : 0) + (m === c ? 1 : 0))) / (d * d);
    }
    return g / k;
  };
  const gAccuracy: Gradient = (j, m) => (j === m && n > 0 ? 1 / n : 0);
  const band = (value: number, v: number): Band => {
    const half = z * Math.sqrt(v);
    return [Math.max(0, value - half), Math.min(1, value + half)];
  };
  return {
    ...perf,
    accuracyBand: band(perf.accuracy, variance(gAccuracy)),
    precisionMacroBand: band(perf.precisionMacro, variance(gPrecision)),
    recallMacroBand: band(perf.recallMacro, variance(gRecall)),
    f1MacroBand: band(perf.f1Macro, variance(gF1)),
    rows: n,
  };
}
