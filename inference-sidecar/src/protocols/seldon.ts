/**
 * Seldon Core v1 (REST): `POST /api/v1.0/predictions` (or `/predict`) with `{ data: { names?, ndarray | tensor } }`,
 * `{ jsonData }` or `{ strData }`. The response mirrors it; its `data.names` name the output columns (class
 * names for predict_proba).
 */
import type { FeatureValue, Outputs } from '@plumbline/schema';
import { isRecord } from './json';
import { featuresFromArray, featuresFromRow, scalarOutput, toFeatureValue } from './rows';
import { combine, outputFromPrediction, readByKey } from './tabular';
import type { AdapterInput, AdapterResult, AdapterSettings, ProtocolAdapter } from './types';

const PATH = /^\/(?:api\/v(?:0\.1|1\.0)\/predictions|predict)\/?$/;

/** `data` → a matrix of rows and the column names it declares. */
function readData(data: unknown): { rows: unknown[][]; names?: string[] } | string {
  if (!isRecord(data)) return 'data is not an object';
  const names = Array.isArray(data.names) ? data.names.map(String) : undefined;
  if (Array.isArray(data.ndarray)) {
    return { rows: data.ndarray.map((r) => (Array.isArray(r) ? r : [r])), names };
  }
  if (isRecord(data.tensor)) {
    const { shape, values } = data.tensor;
    if (!Array.isArray(values)) return 'data.tensor.values is not an array';
    const dims = Array.isArray(shape) ? shape : [values.length];
    if (!dims.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0))
      return 'data.tensor.shape is invalid';
    const n = (dims as number[])[0] ?? 0;
    const per = (dims as number[]).slice(1).reduce((a, b) => a * b, 1);
    if (n * per !== values.length)
      return `data.tensor.shape holds ${n * per} values but values has ${values.length}`;
    const rows: unknown[][] = [];
    for (let i = 0; i < n; i++) rows.push(values.slice(i * per, (i + 1) * per));
    return { rows, names };
  }
  return 'data has neither ndarray nor tensor';
}

function requestRows(req: unknown, settings: AdapterSettings): Record<string, FeatureValue>[] | string {
  return readByKey(req, 'request', {
    data: (value) => {
      const data = readData(value);
      if (typeof data === 'string') return data;
      const named =
        data.names && data.names.length > 0 ? { ...settings, featureNames: data.names } : settings;
      return data.rows.map((r) => featuresFromArray(r, named));
    },
    jsonData: (row) => [featuresFromRow(row, settings)],
    strData: (value) => [{ strData: toFeatureValue(value) }],
  });
}

function responseOutputs(res: unknown, settings: AdapterSettings): Outputs[] | string {
  return readByKey(res, 'response', {
    data: (value) => {
      const data = readData(value);
      if (typeof data === 'string') return data;
      const classNames = data.names && data.names.length > 1 ? data.names : settings.classNames;
      const named: AdapterSettings = { ...settings, classNames };
      return data.rows.map((r) => scalarOutput(r, named));
    },
    jsonData: (prediction) => [outputFromPrediction(prediction, settings)],
    strData: (value) => [scalarOutput(value, settings)],
  });
}

export const seldonAdapter: ProtocolAdapter = {
  protocol: 'seldon',
  matchesPath: (path) => PATH.test(path),
  matchesBody: (request) =>
    isRecord(request) &&
    ((isRecord(request.data) && ('ndarray' in request.data || 'tensor' in request.data)) ||
      'jsonData' in request),
  parse(input: AdapterInput): AdapterResult {
    const features = requestRows(input.request, input.settings);
    if (input.response === undefined) return combine(features, undefined, {});
    return combine(features, responseOutputs(input.response, input.settings), {});
  },
};
