/**
 * Classification quality in the shape `plumbline performance --json` and `/api` report (issue #11): accuracy,
 * macro precision / recall / F1, per class precision / recall / F1 / support, and the confusion matrix (rows actual,
 * columns predicted, in `labels` order). The definitions are scikit-learn's (classification-metrics.ts): a zero
 * denominator gives 0; macro = unweighted mean over `labels`. Counts may be fractional (an estimated matrix).
 * Cost: O(k²).
 *
 * @example performanceFromMatrix(['a', 'b'], [[1, 0], [1, 0]]).accuracy → 0.5
 */
export interface ClassPerformance {
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose actual class is this one (expected rows, for an estimate). */
  support: number;
}

export interface Performance {
  accuracy: number;
  precisionMacro: number;
  recallMacro: number;
  f1Macro: number;
  perClass: Record<string, ClassPerformance>;
  confusionMatrix: { labels: string[]; counts: number[][] };
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

export function performanceFromMatrix(
  labels: readonly string[],
  counts: readonly (readonly number[])[],
): Performance {
  const k = labels.length;
  if (counts.length !== k || counts.some((r) => r.length !== k))
    throw new RangeError(`the confusion matrix must be ${k} × ${k}`);
  let total = 0;
  let trace = 0;
  const perClass: Record<string, ClassPerformance> = {};
  let p = 0;
  let r = 0;
  let f = 0;
  for (let c = 0; c < k; c++) {
    let actual = 0;
    let predicted = 0;
    for (let m = 0; m < k; m++) {
      actual += counts[c][m];
      predicted += counts[m][c];
    }
    total += actual;
    const tp = counts[c][c];
    trace += tp;
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, actual);
    const f1 = ratio(2 * tp, actual + predicted);
    perClass[labels[c]] = { precision, recall, f1, support: actual };
    p += precision;
    r += recall;
    f += f1;
  }
  if (total === 0) throw new RangeError('classification quality needs at least one row');
  return {
    accuracy: trace / total,
    precisionMacro: p / k,
    recallMacro: r / k,
    f1Macro: f / k,
    perClass,
    confusionMatrix: { labels: [...labels], counts: counts.map((row) => [...row]) },
  };
}
