/**
 * MLflow scoring server: `POST /invocations` with one of `dataframe_split` ({ columns, data }),
 * `dataframe_records` ([{ col: v }]), `instances` (rows) or `inputs` (tensor or columns) →
 * `{ predictions: [...] }` (MLflow 2) or a bare list (MLflow 1).
 */
import { isRecord } from './json';
import { combine, outputsFrom, readByKey, rowsFromInputs, rowsFromList, rowsFromSplit } from './tabular';
import type { AdapterInput, AdapterResult, ProtocolAdapter } from './types';

const PATH = /^\/invocations\/?$/;

export const mlflowAdapter: ProtocolAdapter = {
  protocol: 'mlflow',
  matchesPath: (path) => PATH.test(path),
  matchesBody: (request) =>
    isRecord(request) && ('dataframe_split' in request || 'dataframe_records' in request),
  parse(input: AdapterInput): AdapterResult {
    const { settings } = input;
    const features = readByKey(input.request, 'request', {
      dataframe_split: (split) => rowsFromSplit(split, settings),
      dataframe_records: (rows) => rowsFromList(rows, settings),
      instances: (rows) => rowsFromList(rows, settings),
      inputs: (columns) => rowsFromInputs(columns, settings),
    });
    if (input.response === undefined) return combine(features, undefined, {});
    // MLflow 1 answers with a bare list; anything else without `predictions` (even a scalar) has no predictions.
    const res = input.response;
    const outputs = Array.isArray(res)
      ? outputsFrom(res, settings)
      : isRecord(res) && 'predictions' in res
        ? outputsFrom(res.predictions, settings)
        : 'response has no predictions';
    return combine(features, outputs, {});
  },
};
