/**
 * The demo's quality baseline (issue #11): the shipped model's probabilities on its own training rows, with their
 * labels, calibrated and scored by the exporter's code — what `plumbline baseline import --proba-prefix` stores for
 * a real model — so the exporter estimates accuracy without labels beside the realized figure.
 */
import {
  calibrationToJson,
  fitCalibration,
  performanceFromMatrix,
  type ReferenceQuality,
} from '@plumbline/exporter';
import type { TrainingData } from './training-data';

/** What the demo needs of the loaded model (the sidecar's LoadedModel fits). */
export interface ProbabilisticModel {
  readonly classes: readonly string[] | null;
  predict(
    values: Float64Array,
    rows: number,
  ): Promise<Array<{ name: string; shape: number[]; data: Array<number | string | boolean> }>>;
}

/** Null when the model reports no class names or no probabilities output. */
export async function demoReferenceQuality(
  model: ProbabilisticModel,
  data: TrainingData,
): Promise<ReferenceQuality | null> {
  const classes = model.classes;
  if (!classes || classes.length < 2) return null;
  const n = data.rows.length;
  const f = data.features.length;
  const values = new Float64Array(n * f);
  data.rows.forEach((row, i) => values.set(row, i * f));
  const outputs = await model.predict(values, n);
  const proba = outputs.find((o) => o.name === 'probabilities');
  const k = classes.length;
  if (!proba || proba.data.length !== n * k) return null;
  const probabilities = Float64Array.from(proba.data, Number);
  const predicted = new Int32Array(n);
  const actual = new Int32Array(n);
  const index = new Map(classes.map((c, i) => [c, i]));
  const counts = classes.map(() => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probabilities[i * k + j] > probabilities[i * k + best]) best = j;
    predicted[i] = best;
    const a = index.get(data.labels[i]);
    if (a === undefined)
      throw new Error(`training label "${data.labels[i]}" is not a model class (${classes.join(', ')})`);
    actual[i] = a;
    counts[a][best]++;
  }
  const calibration = fitCalibration(classes, { probabilities, classes: k, predicted, actual });
  return {
    targetColumn: data.target,
    predictionColumn: 'label',
    probabilityColumns: classes.map((c) => `probabilities.${c}`),
    calibration: calibrationToJson(calibration),
    realized: performanceFromMatrix(classes, counts),
    rows: n,
  };
}
