/**
 * KServe V1 REST: `POST /v1/models/{name}:predict` with `{ instances: [...] }` → `{ predictions: [...] }`.
 * Rows are arrays (positional, names from config) or objects (named features).
 */
import { isRecord } from './json';
import { decodePathSegment } from './path-segment';
import { combine, outputsFrom, readByKey, rowsFromInputs, rowsFromList } from './tabular';
import type { AdapterInput, AdapterResult, ProtocolAdapter } from './types';

export const V1_PATH = /^\/v1\/models\/([^/:]+)(?:\/versions\/([^/:]+))?(?:\/labels\/([^/:]+))?:predict\/?$/;

export function modelFromV1Path(path: string): { model?: string; version?: string } {
  const m = V1_PATH.exec(path);
  if (!m) return {};
  return {
    model: decodePathSegment(m[1]),
    version:
      m[2] === undefined
        ? m[3] === undefined
          ? undefined
          : decodePathSegment(m[3])
        : decodePathSegment(m[2]),
  };
}

/**
 * The V1 REST body rules KServe V1 and TF Serving share: rows from `instances` (row format) or `inputs`
 * (columnar), outputs from `predictions` or `outputs`.
 */
export function parseV1Rest(input: AdapterInput): AdapterResult {
  const { settings } = input;
  const features = readByKey(input.request, 'request', {
    instances: (rows) => rowsFromList(rows, settings),
    inputs: (columns) => rowsFromInputs(columns, settings),
  });
  const outputs =
    input.response === undefined
      ? undefined
      : readByKey(input.response, 'response', {
          predictions: (predictions) => outputsFrom(predictions, settings),
          outputs: (predictions) => outputsFrom(predictions, settings),
        });
  return combine(features, outputs, modelFromV1Path(input.path));
}

export const kserveV1Adapter: ProtocolAdapter = {
  protocol: 'kserve-v1',
  matchesPath: (path) => V1_PATH.test(path),
  matchesBody: (request) => isRecord(request) && Array.isArray(request.instances),
  parse: parseV1Rest,
};
