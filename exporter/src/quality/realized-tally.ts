/**
 * Realized quality by prediction time (issue #11, late labels): the counts one bucket of prediction time holds —
 * predictions, labelled predictions, the confusion pairs or the regression error sums — and the quality of a
 * reporting range made of such buckets. Pure: the label horizon store (label-horizon-store.ts) keeps one tally per
 * (model, five-minute bucket of prediction time) and calls these; docs/stattests.md, "Realized quality by
 * prediction time".
 *
 * - A prediction adds 1 to `predictions` (and to its predicted class's count) in the bucket of its time.
 * - A label joined to it adds the pair (String(actual), String(predicted)) — the row is usable when it has a
 *   prediction (classification) or when both are numbers (regression: |e| and e² summed) — and a replaced label
 *   first takes its old contribution out again (`sign` −1), so the latest label is the only one counted.
 * - Coverage = labelled / predictions: the share of the range's predictions whose label has arrived so far.
 */
import { confusionMatrixFromCounts, OTHER_CLASS } from './confusion-matrix';
import { classificationMetrics } from './classification-metrics';
import { mean } from './simple-statistics';

/** Distinct class names one tally keeps apart; further ones are counted as `other` (payload values stay bounded). */
export const MAX_TALLY_CLASSES = 1000;

export interface RealizedTally {
  predictions: number;
  /** Predictions with a label. */
  labelled: number;
  /** Classification: predicted class → predictions. */
  readonly predicted: Map<string, number>;
  /** Classification: predicted class → labelled predictions. */
  readonly labelledByPredicted: Map<string, number>;
  /** Classification: actual → predicted → usable labelled rows. */
  readonly pairs: Map<string, Map<string, number>>;
  /** Regression: usable labelled rows, Σ|y − ŷ| and Σ(y − ŷ)². */
  errors: number;
  sumAbsError: number;
  sumSquaredError: number;
}

/** A tally as stored (msgpack in the label horizon store): Maps as [key, value] lists. */
export interface RealizedTallyJson {
  readonly predictions: number;
  readonly labelled: number;
  readonly predicted: readonly [string, number][];
  readonly labelledByPredicted: readonly [string, number][];
  readonly pairs: readonly [string, string, number][];
  readonly errors: number;
  readonly sumAbsError: number;
  readonly sumSquaredError: number;
}

export function createRealizedTally(): RealizedTally {
  return {
    predictions: 0,
    labelled: 0,
    predicted: new Map(),
    labelledByPredicted: new Map(),
    pairs: new Map(),
    errors: 0,
    sumAbsError: 0,
    sumSquaredError: 0,
  };
}

function bump(map: Map<string, number>, key: string, n: number): void {
  const name = map.has(key) || map.size < MAX_TALLY_CLASSES ? key : OTHER_CLASS;
  const v = (map.get(name) ?? 0) + n;
  if (v === 0) map.delete(name);
  else map.set(name, v);
}

/** The class name of a predicted or actual value, as evaluateQuality names them (`String(value)`). */
function className(value: string | number | boolean): string {
  return String(value);
}

/** One prediction made in the tally's bucket. */
export function tallyPrediction(
  tally: RealizedTally,
  task: 'classification' | 'regression',
  predicted: string | number | null,
): void {
  tally.predictions++;
  if (task === 'classification' && predicted !== null) bump(tally.predicted, className(predicted), 1);
}

/**
 * A label joined to a prediction of the tally's bucket (`sign` 1), or taken out again because a later label
 * replaced it (`sign` −1).
 */
export function tallyLabel(
  tally: RealizedTally,
  task: 'classification' | 'regression',
  predicted: string | number | null,
  truth: string | number | boolean,
  sign: 1 | -1,
): void {
  tally.labelled += sign;
  if (task === 'classification') {
    if (predicted === null) return;
    const p = className(predicted);
    bump(tally.labelledByPredicted, p, sign);
    const a = className(truth);
    let row = tally.pairs.get(a);
    if (!row) {
      if (sign < 0) return;
      tally.pairs.set(a, (row = new Map()));
    }
    bump(row, p, sign);
    if (row.size === 0) tally.pairs.delete(a);
  } else if (typeof predicted === 'number' && typeof truth === 'number') {
    const e = truth - predicted;
    if (!Number.isFinite(e)) return;
    tally.errors += sign;
    tally.sumAbsError += sign * Math.abs(e);
    tally.sumSquaredError += sign * e * e;
    if (tally.errors === 0) {
      // Exactly zero again, not the rounding residue of adding and taking out the same terms.
      tally.sumAbsError = 0;
      tally.sumSquaredError = 0;
    }
  }
}

export function realizedTallyToJson(t: RealizedTally): RealizedTallyJson {
  const pairs: [string, string, number][] = [];
  for (const [a, row] of t.pairs) for (const [p, n] of row) pairs.push([a, p, n]);
  return {
    predictions: t.predictions,
    labelled: t.labelled,
    predicted: [...t.predicted],
    labelledByPredicted: [...t.labelledByPredicted],
    pairs,
    errors: t.errors,
    sumAbsError: t.sumAbsError,
    sumSquaredError: t.sumSquaredError,
  };
}

export function realizedTallyFromJson(j: RealizedTallyJson): RealizedTally {
  const t = createRealizedTally();
  t.predictions = j.predictions;
  t.labelled = j.labelled;
  for (const [k, n] of j.predicted) t.predicted.set(k, n);
  for (const [k, n] of j.labelledByPredicted) t.labelledByPredicted.set(k, n);
  for (const [a, p, n] of j.pairs) {
    let row = t.pairs.get(a);
    if (!row) t.pairs.set(a, (row = new Map()));
    row.set(p, n);
  }
  t.errors = j.errors;
  t.sumAbsError = j.sumAbsError;
  t.sumSquaredError = j.sumSquaredError;
  return t;
}

/** Adds `from` into `into` (the tallies of a range's buckets summed). */
export function addRealizedTally(into: RealizedTally, from: RealizedTally): void {
  into.predictions += from.predictions;
  into.labelled += from.labelled;
  for (const [k, n] of from.predicted) into.predicted.set(k, (into.predicted.get(k) ?? 0) + n);
  for (const [k, n] of from.labelledByPredicted)
    into.labelledByPredicted.set(k, (into.labelledByPredicted.get(k) ?? 0) + n);
  for (const [a, row] of from.pairs) {
    let r = into.pairs.get(a);
    if (!r) into.pairs.set(a, (r = new Map()));
    for (const [p, n] of row) r.set(p, (r.get(p) ?? 0) + n);
  }
  into.errors += from.errors;
  into.sumAbsError += from.sumAbsError;
  into.sumSquaredError += from.sumSquaredError;
}

/** Per class of a range: the scores over its labelled rows and the coverage of the predictions of that class. */
export interface RealizedClassQuality {
  precision: number;
  recall: number;
  f1: number;
  /** Labelled rows whose actual class is this one. */
  support: number;
  /** Predictions of this class in the range, and the labelled share of them. */
  predictions: number;
  labelled: number;
  coverage: number | null;
}

/** The realized quality of the predictions made in one reporting range, counting the labels arrived so far. */
export interface RealizedRangeQuality {
  /** The range as configured (`1h`, `24h`, `7d`). */
  range: string;
  seconds: number;
  /** Predictions made in [from, to) (whole five-minute buckets of prediction time), ISO-8601. */
  from: string;
  to: string;
  predictions: number;
  labelled: number;
  /** labelled / predictions; null without predictions. */
  coverage: number | null;
  /** Labelled rows left out: no prediction, or (regression) a value that is not a number. */
  unusable: number;
  accuracy: number | null;
  precisionMacro: number | null;
  recallMacro: number | null;
  f1Macro: number | null;
  perClass: Record<string, RealizedClassQuality>;
  mae: number | null;
  rmse: number | null;
}

/**
 * The quality of a range from the sum of its buckets' tallies: classification — the confusion matrix of the usable
 * pairs capped at `maxClasses` (classification-metrics.ts: accuracy, per-class precision / recall / F1, macro
 * means by simple-statistics' `mean`); regression — MAE = Σ|e| / n, RMSE = √(Σe² / n). Every figure is null when
 * no usable row is labelled. Cost: O(k²) for k classes.
 */
export function realizedRangeQuality(
  tally: RealizedTally,
  task: 'classification' | 'regression',
  range: { range: string; seconds: number; fromMs: number; toMs: number },
  maxClasses: number,
): RealizedRangeQuality {
  const out: RealizedRangeQuality = {
    range: range.range,
    seconds: range.seconds,
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    predictions: tally.predictions,
    labelled: tally.labelled,
    coverage: tally.predictions > 0 ? tally.labelled / tally.predictions : null,
    unusable: 0,
    accuracy: null,
    precisionMacro: null,
    recallMacro: null,
    f1Macro: null,
    perClass: {},
    mae: null,
    rmse: null,
  };
  if (task === 'regression') {
    out.unusable = tally.labelled - tally.errors;
    if (tally.errors > 0) {
      out.mae = tally.sumAbsError / tally.errors;
      out.rmse = Math.sqrt(Math.max(0, tally.sumSquaredError) / tally.errors);
    }
    return out;
  }
  let usable = 0;
  for (const row of tally.pairs.values()) for (const n of row.values()) usable += n;
  out.unusable = tally.labelled - usable;
  if (usable === 0) return out;
  const matrix = confusionMatrixFromCounts(tally.pairs, { maxClasses });
  const metrics = classificationMetrics(matrix);
  // Predicted-class counts pooled as the matrix pools them (classes it left out are `other`).
  const kept = new Set(matrix.labels);
  const pooled = (m: ReadonlyMap<string, number>, label: string): number => {
    if (label !== OTHER_CLASS) return m.get(label) ?? 0;
    let n = 0;
    for (const [k, v] of m) if (k === OTHER_CLASS || !kept.has(k)) n += v;
    return n;
  };
  for (const label of matrix.labels) {
    const s = metrics.perClass[label];
    const predictions = pooled(tally.predicted, label);
    const labelled = pooled(tally.labelledByPredicted, label);
    out.perClass[label] = {
      precision: s.precision,
      recall: s.recall,
      f1: s.f1,
      support: s.support,
      predictions,
      labelled,
      coverage: predictions > 0 ? labelled / predictions : null,
    };
  }
  out.accuracy = metrics.accuracy;
  out.f1Macro = metrics.f1Macro;
  out.precisionMacro = mean(matrix.labels.map((l) => metrics.perClass[l].precision));
  out.recallMacro = mean(matrix.labels.map((l) => metrics.perClass[l].recall));
  return out;
}
