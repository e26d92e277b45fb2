/**
 * The mergeable state of the label-free performance estimate (confidence-based, the idea of NannyML's CBPE):
 * sums over rows of their calibrated class probabilities, grouped by predicted class. Sums of two sets of rows add,
 * so a window's or a reporting range's state is the merge of its buckets' (docs/quality.md, "Estimated quality").
 *
 * For rows i predicted as class m with calibrated probabilities p_i (k classes):
 *  - `rows[m]`            = number of rows predicted m
 *  - `first[m·k + j]`     = Σ_i p_ij            (the expected count of actual class j among them)
 *  - `second[(m·k+j)·k+l]` = Σ_i p_ij · p_il     (for the covariance of those counts)
 * Memory: k + k² + k³ doubles. Cost: O(k²) per row.
 */
export interface EstimateSums {
  readonly classes: number;
  readonly rows: Float64Array;
  readonly first: Float64Array;
  readonly second: Float64Array;
}

export function createEstimateSums(classes: number): EstimateSums {
  if (!(Number.isInteger(classes) && classes >= 2))
    throw new RangeError('the estimate needs at least 2 classes');
  return {
    classes,
    rows: new Float64Array(classes),
    first: new Float64Array(classes * classes),
    second: new Float64Array(classes * classes * classes),
  };
}

/** Adds one row: its predicted class index and its calibrated probabilities p[offset … offset + k − 1]. */
export function addEstimateRow(s: EstimateSums, predicted: number, p: ArrayLike<number>, offset = 0): void {
  const k = s.classes;
  s.rows[predicted]++;
  const f = predicted * k;
  for (let j = 0; j < k; j++) {
    const pj = p[offset + j];
    s.first[f + j] += pj;
    const base = (f + j) * k;
    for (let l = 0; l < k; l++) s.second[base + l] += pj * p[offset + l];
  }
}

export function mergeEstimateSumsInto(into: EstimateSums, from: EstimateSums): void {
  if (into.classes !== from.classes)
    throw new RangeError(`cannot merge estimate sums of ${from.classes} classes into ${into.classes}`);
  for (let i = 0; i < into.rows.length; i++) into.rows[i] += from.rows[i];
  for (let i = 0; i < into.first.length; i++) into.first[i] += from.first[i];
  for (let i = 0; i < into.second.length; i++) into.second[i] += from.second[i];
}

export function totalRows(s: EstimateSums): number {
  let n = 0;
  for (const r of s.rows) n += r;
  return n;
}
