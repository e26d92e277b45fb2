/**
 * Rows and outputs in the JSON shapes KServe V1, TF Serving and MLflow share: row lists (`instances`), columnar
 * objects (`inputs: { col: [values per row] }`), `predictions` as scalars, arrays or objects per row.
 */
import type { FeatureValue, Outputs } from '@plumbline/schema';
import { isRecord } from './json';
import {
  emptyOutputs,
  featuresFromArray,
  featuresFromRow,
  mergeOutputs,
  outputsOnly,
  scalarOutput,
  zipRows,
} from './rows';
import type { AdapterResult, AdapterSettings, Row } from './types';

/** Per-row names that hold a class label or a probability vector in an object-shaped prediction. */
const LABEL_KEYS = [
  'label',
  'labels',
  'class',
  'classes',
  'class_ids',
  'predicted_label',
  'prediction',
  'predictions',
  'output',
  'value',
];
const PROBABILITY_KEYS = ['probabilities', 'probability', 'probs', 'scores', 'predict_proba'];

/** A list of rows: each row an array (positional), an object (named) or a scalar (one feature). */
export function rowsFromList(
  list: unknown,
  settings: AdapterSettings,
): Record<string, FeatureValue>[] | string {
  if (!Array.isArray(list)) return 'rows are not an array';
  return list.map((row) => featuresFromRow(row, settings));
}

/** A columnar object `{ col: [v0, v1, …] }` (every column the same length) → rows. */
export function rowsFromColumns(columns: Record<string, unknown>): Record<string, FeatureValue>[] | string {
  const names = Object.keys(columns);
  if (names.length === 0) return 'no columns';
  let n = -1;
  for (const name of names) {
    const col = columns[name];
    if (!Array.isArray(col)) return `column ${name} is not an array`;
    if (n >= 0 && col.length !== n) return 'columns differ in length';
    n = col.length;
  }
  const rows: Record<string, FeatureValue>[] = [];
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    for (const name of names) row[name] = (columns[name] as unknown[])[i];
    rows.push(featuresFromRow(row, {}));
  }
  return rows;
}

/** `{ columns, data }` (pandas split orient) → rows, names from `columns` or the configured list. */
export function rowsFromSplit(
  split: unknown,
  settings: AdapterSettings,
): Record<string, FeatureValue>[] | string {
  if (!isRecord(split) || !Array.isArray(split.data)) return 'dataframe_split.data is not an array';
  const columns = Array.isArray(split.columns) ? split.columns.map(String) : undefined;
  const named: AdapterSettings = columns ? { ...settings, featureNames: columns } : settings;
  const rows: Record<string, FeatureValue>[] = [];
  for (const row of split.data)
    rows.push(Array.isArray(row) ? featuresFromArray(row, named) : featuresFromRow(row, named));
  return rows;
}

/** `inputs`: a list of rows, or an object of columns. */
export function rowsFromInputs(
  inputs: unknown,
  settings: AdapterSettings,
): Record<string, FeatureValue>[] | string {
  if (Array.isArray(inputs)) return rowsFromList(inputs, settings);
  if (isRecord(inputs)) return rowsFromColumns(inputs);
  return 'inputs are neither a list nor an object of columns';
}

/** One prediction per row: a scalar, a probability vector or an object of named outputs. */
export function outputFromPrediction(prediction: unknown, settings: AdapterSettings): Outputs {
  if (!isRecord(prediction)) return scalarOutput(prediction, settings);
  const labelKey = LABEL_KEYS.find((k) => k in prediction);
  const probKey = PROBABILITY_KEYS.find((k) => k in prediction);
  if (labelKey === undefined && probKey === undefined) return scalarOutput(prediction, settings);
  const rawLabel = labelKey === undefined ? undefined : prediction[labelKey];
  const rawProbs = probKey === undefined ? undefined : prediction[probKey];
  // TF Serving classify-style rows: `classes` lists the class of each score (`{ scores: [..], classes: [..] }`).
  if (
    Array.isArray(rawLabel) &&
    Array.isArray(rawProbs) &&
    rawLabel.length === rawProbs.length &&
    rawLabel.length > 1
  ) {
    return scalarOutput(rawProbs, { ...settings, classNames: rawLabel.map(String) });
  }
  const primary = labelKey === undefined ? emptyOutputs() : scalarOutput(unwrapSingle(rawLabel), settings);
  const probs = probKey === undefined ? undefined : scalarOutput(rawProbs, settings, 'auto');
  if (labelKey === undefined && probs) return probs;
  return mergeOutputs(primary, probs);
}

function unwrapSingle(x: unknown): unknown {
  return Array.isArray(x) && x.length === 1 ? x[0] : x;
}

/** `predictions` / `outputs`: a list (one entry per row) or an object of per-row columns. */
export function outputsFrom(value: unknown, settings: AdapterSettings): Outputs[] | string {
  if (Array.isArray(value)) {
    const s = batchTask(value, settings);
    return value.map((p) => outputFromPrediction(p, s));
  }
  if (isRecord(value)) {
    const names = Object.keys(value);
    if (names.length > 0 && names.every((k) => Array.isArray(value[k]))) {
      const n = (value[names[0]] as unknown[]).length;
      if (names.some((k) => (value[k] as unknown[]).length !== n)) return 'output columns differ in length';
      const out: Outputs[] = [];
      for (let i = 0; i < n; i++) {
        const row: Record<string, unknown> = {};
        for (const k of names) row[k] = (value[k] as unknown[])[i];
        out.push(
          names.length === 1
            ? outputFromPrediction(row[names[0]], settings)
            : outputFromPrediction(row, settings),
        );
      }
      return out;
    }
  }
  return 'outputs are neither a list nor an object of columns';
}

/** Combines request rows and response outputs into an adapter result (request-only when response is undefined). */
/**
 * Reads a request or response body by the first of `readers` whose key the body has, in the order given:
 * `{ instances: rowsFromList, inputs: rowsFromInputs }` reads `instances` when present, else `inputs`. A body that
 * is not a JSON object, or has none of the keys, gives the adapter's error message
 * ("request has neither instances nor inputs").
 */
export function readByKey<T>(
  body: unknown,
  direction: 'request' | 'response',
  readers: Record<string, (value: unknown) => T | string>,
): T | string {
  if (!isRecord(body)) return `${direction} is not a JSON object`;
  for (const [key, read] of Object.entries(readers)) if (key in body) return read(body[key]);
  const keys = Object.keys(readers);
  const missing =
    keys.length === 1
      ? `no ${keys[0]}`
      : keys.length === 2
        ? `neither ${keys[0]} nor ${keys[1]}`
        : `none of ${keys.join(', ')}`;
  return `${direction} has ${missing}`;
}

export function combine(
  features: Record<string, FeatureValue>[] | string,
  outputs: Outputs[] | string | undefined,
  meta: { model?: string; version?: string },
): AdapterResult {
  if (outputs === undefined) {
    if (typeof features === 'string') return { ok: false, direction: 'request', error: features, ...meta };
    const rows: Row[] = features.map((f) => ({ features: f, outputs: emptyOutputs() }));
    return { ok: true, rows, ...meta };
  }
  if (typeof outputs === 'string') return { ok: false, direction: 'response', error: outputs, ...meta };
  if (typeof features === 'string')
    return { ok: true, rows: outputsOnly(outputs), requestError: features, ...meta };
  const zipped = zipRows(features, outputs);
  return zipped.ok
    ? { ok: true, rows: zipped.rows, ...meta }
    : { ok: false, direction: 'response', error: zipped.error, ...meta };
}

/**
 * Auto mode decides per response, not per value: JSON cannot tell 3.0 from 3, so when any scalar prediction of
 * the batch is fractional, the whole batch is regression output (an integer-only batch stays class ids).
 */
function batchTask(predictions: readonly unknown[], settings: AdapterSettings): AdapterSettings {
  if ((settings.task ?? 'auto') !== 'auto') return settings;
  for (const p of predictions) {
    const v = Array.isArray(p) && p.length === 1 ? p[0] : p;
    if (typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v))
      return { ...settings, task: 'regression' };
  }
  return settings;
}
