/**
 * The part of a quality report that follows the join: from the joined rows and the window's prediction tallies to
 * the figures (confusion matrix, classification or regression metrics, label delay, prediction shares). Both ways of
 * joining use it — {@link evaluateQuality} on a window's raw events, and the label join state
 * (label-join-state.ts) on what it holds — so each figure has one formula.
 */
import { capClasses, confusionMatrixFromCounts, type ConfusionMatrix } from './confusion-matrix';
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

/**
 * What a join yields, in the form the report needs (no object per joined row, so the label join state can fill it
 * from typed arrays): the joined rows' count and delays, and the usable ones — for a classifier the counts of
 * (String(actual), String(predicted)) pairs of rows with a prediction; for a regressor the rows whose prediction
 * and ground truth are both numbers, in row order.
 */
export interface JoinTally {
  /** Predictions joined with a label. */
  labelled: number;
  unmatchedFeedback: number;
  /** Seconds from each joined prediction to its label. */
  delaysSeconds: ArrayLike<number>;
  /** Classification: pairs.get(actual).get(predicted) = usable rows. */
  pairs: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Regression: the usable rows' ground truth and prediction. */
  actual: readonly number[];
  predicted: readonly number[];
}

/** Adds one usable classification row to `pairs`. */
export function addPair(
  pairs: Map<string, Map<string, number>>,
  actual: string,
  predicted: string,
  n = 1,
): void {
  let row = pairs.get(actual);
  if (!row) pairs.set(actual, (row = new Map()));
  row.set(predicted, (row.get(predicted) ?? 0) + n);
}

/**
 * The tally of joined rows. Usable: classification, a row with a prediction; regression, a row whose prediction and
 * ground truth are both numbers. Cost: O(n).
 */
export function tallyJoin(join: JoinResult, task: QualityOptions['task']): JoinTally {
  const { rows } = join;
  const pairs = new Map<string, Map<string, number>>();
  const actual: number[] = [];
  const predicted: number[] = [];
  for (const r of rows) {
    if (task === 'classification') {
      if (r.predicted !== null) addPair(pairs, String(r.actual), String(r.predicted));
    } else if (typeof r.predicted === 'number' && typeof r.actual === 'number') {
      actual.push(r.actual);
      predicted.push(r.predicted);
    }
  }
  return {
    labelled: rows.length,
    unmatchedFeedback: join.unmatchedFeedback,
    delaysSeconds: rows.map((r) => r.delaySeconds),
    pairs,
    actual,
    predicted,
  };
}

/**
 * The quality report of a window from its join tally and its prediction tallies: `unusable` = joined rows that are
 * not usable; classification: the confusion matrix of the usable pairs, capped at `maxClasses`, and its metrics;
 * regression: MAE / RMSE of the usable rows. `labelDelaySeconds` is the median delay of every joined row.
 * Cost: O(n log n) for n joined rows (the median).
 */
export function qualityFromTally(
  join: JoinTally,
  tallies: PredictionTallies,
  options: QualityOptions,
): QualityReport {
  const report: QualityReport = {
    task: options.task,
    predictions: tallies.predictions,
    labelled: join.labelled,
    unusable: 0,
    unmatchedFeedback: join.unmatchedFeedback,
    labelDelaySeconds: median(join.delaysSeconds),
    lowConfidenceShare: tallies.lowConfidenceShare,
    predictionShare: {},
    confusionMatrix: null,
    classification: null,
    regression: null,
  };
  if (options.task === 'classification') {
    report.predictionShare = predictionShare(tallies.classCounts, options.maxClasses);
    let usable = 0;
    for (const row of join.pairs.values()) for (const n of row.values()) usable += n;
    report.unusable = join.labelled - usable;
    if (usable > 0) {
      const matrix = confusionMatrixFromCounts(join.pairs, { maxClasses: options.maxClasses });
      report.confusionMatrix = matrix;
      report.classification = classificationMetrics(matrix);
    }
  } else {
    report.unusable = join.labelled - join.actual.length;
    if (join.actual.length > 0) report.regression = regressionMetrics(join.actual, join.predicted);
  }
  return report;
}
