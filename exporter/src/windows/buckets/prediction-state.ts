import type { Outputs } from '@plumbline/schema';
import {
  addCount,
  copyBoundedCounts,
  createBoundedCounts,
  mergeCountsInto,
  type BoundedCounts,
} from './bounded-counts';
import {
  addValue,
  copyMoments,
  createMoments,
  mergeMomentsInto,
  type CompensatedMoments,
} from './compensated-moments';

/**
 * What a bucket keeps of the model's outputs (`outputs` of the inference event) and versions:
 *  - `classes`: exact count per predicted class (`outputs.label`), at most `maxTrackedClasses` distinct (bottom-k,
 *    mergeable; the rest in `classes.other`); the service's `maxClasses` → `other` is applied at report time;
 *  - `confidence`: a histogram of `outputs.confidence` over [0, 1] in equal-width bins; bin j holds
 *    j/bins ≤ c < (j+1)/bins (the last bin also holds 1), decided against the doubles j/bins, so the share below
 *    a threshold that is a multiple of 1/bins (the default 0.6 with 20 bins) is exact;
 *  - `value`: moments of `outputs.value` (regressors), with its min and max;
 *  - `invalid`: outputs the sidecar marked NaN / ±Inf / null; `versions`: rows per `model.version`.
 */
export interface PredictionState {
  readonly classes: BoundedCounts;
  withoutClass: number;
  readonly confidence: number[];
  withoutConfidence: number;
  readonly value: CompensatedMoments;
  valueMin: number;
  valueMax: number;
  withoutValue: number;
  invalid: number;
  readonly versions: BoundedCounts;
  withoutVersion: number;
}

export interface PredictionStateOptions {
  readonly maxTrackedClasses: number;
  readonly maxTrackedVersions: number;
  readonly confidenceBins: number;
  /** Shift of the value moments (the prediction column's reference mean, else 0). */
  readonly valueShift: number;
}

export function createPredictionState(o: PredictionStateOptions): PredictionState {
  return {
    classes: createBoundedCounts(o.maxTrackedClasses),
    withoutClass: 0,
    confidence: new Array<number>(o.confidenceBins).fill(0),
    withoutConfidence: 0,
    value: createMoments(o.valueShift),
    valueMin: Number.POSITIVE_INFINITY,
    valueMax: Number.NEGATIVE_INFINITY,
    withoutValue: 0,
    invalid: 0,
    versions: createBoundedCounts(o.maxTrackedVersions),
    withoutVersion: 0,
  };
}

/** The confidence bin of c ∈ [0, 1]: the largest j with c ≥ j/bins (bins − 1 for c = 1). */
export function confidenceBin(c: number, bins: number): number {
  let j = Math.min(bins - 1, Math.floor(c * bins));
  while (j > 0 && c < j / bins) j--;
  while (j < bins - 1 && c >= (j + 1) / bins) j++;
  return j;
}

export function foldPrediction(s: PredictionState, outputs: Outputs, version: string | null): void {
  if (outputs.label !== null) addCount(s.classes, outputs.label);
  else s.withoutClass++;
  const c = outputs.confidence;
  if (c !== null && c >= 0 && c <= 1) s.confidence[confidenceBin(c, s.confidence.length)]++;
  else s.withoutConfidence++;
  const v = outputs.value;
  if (v !== null && Number.isFinite(v)) {
    addValue(s.value, v);
    if (v < s.valueMin) s.valueMin = v;
    if (v > s.valueMax) s.valueMax = v;
  } else s.withoutValue++;
  if (outputs.invalid !== null) s.invalid++;
  if (version !== null) addCount(s.versions, version);
  else s.withoutVersion++;
}

/** Adds `from` into `into`; with `trim: false` the classes and versions are trimmed later (mergeCountsInto). */
export function mergePredictionInto(
  into: PredictionState,
  from: PredictionState,
  options: { readonly trim?: boolean } = {},
): void {
  mergeCountsInto(into.classes, from.classes, options);
  into.withoutClass += from.withoutClass;
  if (into.confidence.length !== from.confidence.length)
    throw new RangeError(
      `cannot merge ${from.confidence.length} confidence bins into ${into.confidence.length}`,
    );
  for (let i = 0; i < into.confidence.length; i++) into.confidence[i] += from.confidence[i];
  into.withoutConfidence += from.withoutConfidence;
  mergeMomentsInto(into.value, from.value);
  if (from.valueMin < into.valueMin) into.valueMin = from.valueMin;
  if (from.valueMax > into.valueMax) into.valueMax = from.valueMax;
  into.withoutValue += from.withoutValue;
  into.invalid += from.invalid;
  mergeCountsInto(into.versions, from.versions, options);
  into.withoutVersion += from.withoutVersion;
}

export function copyPredictionState(s: PredictionState): PredictionState {
  return {
    ...s,
    classes: copyBoundedCounts(s.classes),
    confidence: [...s.confidence],
    value: copyMoments(s.value),
    versions: copyBoundedCounts(s.versions),
  };
}
