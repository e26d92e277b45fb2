/**
 * Classification quality from a confusion matrix, as scikit-learn defines it.
 *
 * - accuracy = trace / total (`accuracy_score`)
 * - per class c: precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2·P·R / (P + R); a zero denominator
 *   gives 0 (`precision_recall_fscore_support(..., zero_division=0)`)
 * - macro F1 = unweighted mean of per-class F1 over the labels (`f1_score(average='macro')`)
 * - micro F1 = F1 of pooled TP/FP/FN; for single-label multiclass it equals accuracy (`f1_score(average='micro')`)
 * Cost: O(k²).
 */
import type { ConfusionMatrix } from './confusion-matrix';
import { mean } from './simple-statistics';

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose actual class is this one. */
  support: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  perClass: Record<string, ClassScores>;
  f1Macro: number;
  f1Micro: number;
  total: number;
}

function ratio(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

function f1(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

export function classificationMetrics(matrix: ConfusionMatrix): ClassificationMetrics {
  const { labels, counts, total } = matrix;
  if (total === 0) throw new RangeError('classification metrics need at least one labelled row');
  const perClass: Record<string, ClassScores> = {};
  let tpSum = 0;
  let fpSum = 0;
  let fnSum = 0;
  labels.forEach((label, i) => {
    const tp = counts[i][i];
    const support = counts[i].reduce((a, b) => a + b, 0);
    const predictedAs = counts.reduce((a, row) => a + row[i], 0);
    const precision = ratio(tp, predictedAs);
    const recall = ratio(tp, support);
    perClass[label] = { precision, recall, f1: f1(precision, recall), support };
    tpSum += tp;
    fpSum += predictedAs - tp;
    fnSum += support - tp;
  });
  const f1Macro = mean(labels.map((l) => perClass[l].f1));
  const microP = ratio(tpSum, tpSum + fpSum);
  const microR = ratio(tpSum, tpSum + fnSum);
  return { accuracy: tpSum / total, perClass, f1Macro, f1Micro: f1(microP, microR), total };
}
