/**
 * What a bucket keeps for the label-free performance estimate (issue #11; docs/quality.md): the mergeable sums of
 * calibrated class probabilities per predicted class (quality/estimate/estimate-sums.ts), under the calibration
 * the profile stores (`profile.quality`). A row counts when its event carries `outputs.label` among the calibrated
 * classes and a probability for every one of them; the others are counted in `skipped`. Sums add, so a window or a
 * reporting range is the merge of its buckets. Memory: k + k² + k³ doubles per bucket.
 */
import type { Outputs } from '@plumbline/schema';
import {
  addEstimateRow,
  calibrateRow,
  createEstimateSums,
  mergeEstimateSumsInto,
  type Calibration,
  type EstimateSums,
} from '../../quality/estimate';

/** The bucket schema's part for the estimate: the calibration and each class's index. */
export interface EstimateSchema {
  readonly calibration: Calibration;
  readonly classIndex: ReadonlyMap<string, number>;
}

export interface EstimateState {
  readonly sums: EstimateSums;
  /** Rows without a usable predicted class or probabilities (not in the estimate). */
  skipped: number;
}

export interface EstimateStateJson {
  readonly rows: number[];
  readonly first: number[];
  readonly second: number[];
  readonly skipped: number;
}

export function estimateSchemaOf(calibration: Calibration): EstimateSchema {
  return { calibration, classIndex: new Map(calibration.labels.map((l, i) => [l, i])) };
}

export function createEstimateState(schema: EstimateSchema): EstimateState {
  return { sums: createEstimateSums(schema.calibration.labels.length), skipped: 0 };
}

const raw = new Float64Array(64);
const calibrated = new Float64Array(64);

export function foldEstimate(s: EstimateState, schema: EstimateSchema, outputs: Outputs): void {
  foldEstimateRow(s, schema, outputs.label, outputs.probabilities);
}

/** Folds one row given its predicted label and its raw probabilities (the label horizon store's path). */
export function foldEstimateRow(
  s: EstimateState,
  schema: EstimateSchema,
  label: string | null,
  p: Readonly<Record<string, number>> | null,
): void {
  const labels = schema.calibration.labels;
  const k = labels.length;
  const predicted = label === null ? undefined : schema.classIndex.get(label);
  if (predicted === undefined || !p || k > raw.length) {
    s.skipped++;
    return;
  }
  for (let j = 0; j < k; j++) {
    const v = p[labels[j]];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      s.skipped++;
      return;
    }
    raw[j] = v;
  }
  calibrateRow(schema.calibration, raw, calibrated);
  addEstimateRow(s.sums, predicted, calibrated);
}

export function mergeEstimateInto(into: EstimateState, from: EstimateState): void {
  mergeEstimateSumsInto(into.sums, from.sums);
  into.skipped += from.skipped;
}

export function copyEstimateState(s: EstimateState): EstimateState {
  return {
    sums: {
      classes: s.sums.classes,
      rows: s.sums.rows.slice(),
      first: s.sums.first.slice(),
      second: s.sums.second.slice(),
    },
    skipped: s.skipped,
  };
}

export function estimateStateToJson(s: EstimateState): EstimateStateJson {
  return { rows: [...s.sums.rows], first: [...s.sums.first], second: [...s.sums.second], skipped: s.skipped };
}

/** Throws a RangeError when the arrays do not have the sizes of `classes` classes. */
export function estimateStateFromJson(j: EstimateStateJson, classes: number): EstimateState {
  const sums = createEstimateSums(classes);
  if (j.rows.length !== classes || j.first.length !== classes ** 2 || j.second.length !== classes ** 3)
    throw new RangeError(`estimate sums of the wrong size for ${classes} classes`);
  sums.rows.set(j.rows);
  sums.first.set(j.first);
  sums.second.set(j.second);
  return { sums, skipped: j.skipped };
}
