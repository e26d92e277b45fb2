/**
 * The part of a quality report that follows the join: from the joined rows and the window's prediction tallies to
 * the figures (confusion matrix, classification or regression metrics, label delay, prediction shares). Both ways of
 * joining use it — {@link evaluateQuality} on a window's raw events, and the label join state
 * (label-join-state.ts) on what it holds — so each figure has one formula.
 */
import { capClasses, confusionMatrix, type ConfusionMatrix } from './confusion-matrix';
import { classificationMetrics, type ClassificationMetrics } from './classification-metrics';
import { regressionMetrics, type RegressionMetrics } from './regression-metrics';
import { median } from './median';
import type { JoinResult } from './join';

export interface QualityOptions {
  task: 'classification' | 'regression';
  confidenceThreshold: number;
  maxClasses: number;
}

export interface QualityReport {
  task: 'classification' | 'regression';
  /** Predictions in the window. */
  predictions: number;
  /** Predictions with ground truth. */
  labelled: number;
  /** Labelled rows left out: no prediction, or a value of the wrong kind for the task. */
  unusable: number;
  unmatchedFeedback: number;
  /** Median seconds from prediction to ground truth; null without labelled rows. */
  labelDelaySeconds: number | null;
  lowConfidenceShare: number | null;
  /** Share of predictions per class (classification; classes capped like the confusion matrix). */
  predictionShare: Record<string, number>;
  confusionMatrix: ConfusionMatrix | null;
  classification: ClassificationMetrics | null;
  regression: RegressionMetrics | null;
  /**
   * Present only when the label figures (labelled, unusable, unmatchedFeedback, the confusion matrix, the metrics,
   * the label delay) come from a hash sample of the rows (the label join state past its cap): the labelled rows
   * used. docs/stattests.md, "Ground truth joined as window state".
   */
  sampled?: number;
  /** With `sampled`: the share of request rows the sample keeps (2^−k). */
  samplingRate?: number;
}

/** What the report needs of every prediction of the window (not only of the labelled ones). */
export interface PredictionTallies {
  /** Predictions in the window. */
  predictions: number;
  /** Rows per predicted class (`outputs.label`); rows without a class are left out. */
  classCounts: ReadonlyMap<string, number>;
  /** {@link lowConfidenceShare} of the window's predictions; null when none has a confidence. */
  lowConfidenceShare: number | null;
}

/**
 * Share of predictions per class: count / Σ counts, classes capped at `maxClasses` by the confusion matrix's rule
 * ({@link capClasses}: the rest pooled as `other`). Empty without classes. Cost: O(k log k).
 *
 * @example predictionShare(new Map([['a', 3], ['b', 1]]), 10) → { a: 0.75, b: 0.25 }
 */
export function predictionShare(
  classCounts: ReadonlyMap<string, number>,
  maxClasses: number,
): Record<string, number> {
  let total = 0;
  for (const n of classCounts.values()) total += n;
  const shares: Record<string, number> = {};
  if (total === 0) return shares;
  const { labels, rename } = capClasses(classCounts, maxClasses);
  const pooled = new Map<string, number>();
  for (const [label, n] of classCounts) {
    const name = rename.get(label) ?? label;
    pooled.set(name, (pooled.get(name) ?? 0) + n);
  }
  for (const label of labels) shares[label] = pooled.get(label)! / total;
  return shares;
}

function labelOf(value: string | number | boolean): string {
  return String(value);
}

/**
 * The quality report of a window from its joined rows (`join`) and its prediction tallies.
 * - classification: rows with a prediction are usable (the others are `unusable`); the confusion matrix of
 *   String(actual) × String(predicted), capped at `maxClasses`, and its metrics;
 * - regression: rows whose prediction and ground truth are both numbers are usable; MAE / RMSE.
 * `labelDelaySeconds` is the median delay of every joined row. Cost: O(n log n) for n joined rows (the median).
 */
export function qualityFromJoin(
  join: JoinResult,
  tallies: PredictionTallies,
  options: QualityOptions,
): QualityReport {
  const { rows, unmatchedFeedback } = join;
  const report: QualityReport = {
    task: options.task,
    predictions: tallies.predictions,
    labelled: rows.length,
    unusable: 0,
    unmatchedFeedback,
    labelDelaySeconds: median(rows.map((r) => r.delaySeconds)),
    lowConfidenceShare: tallies.lowConfidenceShare,
    predictionShare: {},
    confusionMatrix: null,
    classification: null,
    regression: null,
  };
  if (options.task === 'classification') {
    report.predictionShare = predictionShare(tallies.classCounts, options.maxClasses);
    const usable = rows.filter((r) => r.predicted !== null);
    report.unusable = rows.length - usable.length;
    if (usable.length > 0) {
      const matrix = confusionMatrix(
        usable.map((r) => labelOf(r.actual)),
        usable.map((r) => labelOf(r.predicted!)),
        { maxClasses: options.maxClasses },
      );
      report.confusionMatrix = matrix;
      report.classification = classificationMetrics(matrix);
    }
  } else {
    const usable = rows.filter((r) => typeof r.predicted === 'number' && typeof r.actual === 'number');
    report.unusable = rows.length - usable.length;
    if (usable.length > 0) {
      report.regression = regressionMetrics(
        usable.map((r) => r.actual as number),
        usable.map((r) => r.predicted as number),
      );
    }
  }
  return report;
}
