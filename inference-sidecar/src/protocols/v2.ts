/**
 * Open Inference Protocol / KServe V2 REST (MLServer, Triton, KServe):
 * `POST /v2/models/{name}[/versions/{v}]/infer`, request `{ inputs: [{ name, shape, datatype, data }] }`,
 * response `{ model_name, model_version?, outputs: [{ name, shape, datatype, data }] }`.
 * `data` is row-major flattened (nested arrays are flattened too); the first dimension is the batch.
 */
import type { FeatureValue, Outputs } from '@plumbline/schema';
import { isRecord } from './json';
import { decodePathSegment } from './path-segment';
import { emptyOutputs, mergeOutputs, scalarOutput, toFeatureValue, vectorOutput } from './rows';
import { combine } from './tabular';
import type { AdapterInput, AdapterResult, AdapterSettings, ProtocolAdapter } from './types';

const PATH = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/infer\/?$/;
/** Tensors with more values per row than this (images, embeddings) are kept as one summary feature. */
const MAX_VALUES_PER_ROW = 256;
const LABEL_TYPES = /^(BOOL|BYTES|U?INT(8|16|32|64))$/;

interface Tensor {
  name: string;
  datatype: string;
  rows: number;
  perRow: number;
  data: unknown[];
}

function readTensor(value: unknown, index: number): Tensor | string {
  if (!isRecord(value)) return `inputs/outputs[${index}] is not an object`;
  const name = typeof value.name === 'string' ? value.name : `tensor${index}`;
  const datatype = typeof value.datatype === 'string' ? value.datatype.toUpperCase() : '';
  if (!Array.isArray(value.data)) return `${name}: data is not an array`;
  const data = flatten(value.data);
  let rows: number;
  let perRow: number;
  if (Array.isArray(value.shape) && value.shape.length > 0 && value.shape.every(isDim)) {
    const shape = value.shape as number[];
    rows = shape[0];
    perRow = 1;
    for (let i = 1; i < shape.length; i++) perRow *= shape[i];
  } else {
    rows = data.length;
    perRow = 1;
  }
  if (rows * perRow !== data.length)
    return `${name}: shape holds ${rows * perRow} values but data has ${data.length}`;
  return { name, datatype, rows, perRow, data };
}

function isDim(x: unknown): boolean {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

function flatten(data: unknown[]): unknown[] {
  if (!data.some(Array.isArray)) return data;
  const out: unknown[] = [];
  const stack: unknown[][] = [data];
  const positions: number[] = [0];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const pos = positions[positions.length - 1];
    if (pos >= top.length || stack.length > 32) {
      stack.pop();
      positions.pop();
      continue;
    }
    positions[positions.length - 1] = pos + 1;
    const item = top[pos];
    if (Array.isArray(item)) {
      stack.push(item);
      positions.push(0);
    } else out.push(item);
  }
  return out;
}

function readTensors(list: unknown, what: string): Tensor[] | string {
  if (!Array.isArray(list) || list.length === 0) return `${what} is missing or empty`;
  const tensors: Tensor[] = [];
  for (let i = 0; i < list.length; i++) {
    const t = readTensor(list[i], i);
    if (typeof t === 'string') return `${what}: ${t}`;
    tensors.push(t);
  }
  const rows = tensors[0].rows;
  if (tensors.some((t) => t.rows !== rows)) return `${what} disagree on the batch size`;
  return tensors;
}

function features(tensors: Tensor[], settings: AdapterSettings): Record<string, FeatureValue>[] {
  const rows = tensors[0].rows;
  const total = tensors.reduce((n, t) => n + t.perRow, 0);
  const configured =
    settings.featureNames && settings.featureNames.length === total ? settings.featureNames : undefined;
  const out: Record<string, FeatureValue>[] = [];
  for (let r = 0; r < rows; r++) {
    const row: Record<string, FeatureValue> = {};
    let column = 0;
    for (const t of tensors) {
      if (t.perRow > MAX_VALUES_PER_ROW && !configured) {
        row[t.name] = `[${t.datatype} tensor of ${t.perRow} values]`;
        column += t.perRow;
        continue;
      }
      const base = r * t.perRow;
      for (let j = 0; j < t.perRow; j++, column++) {
        const name = configured ? configured[column] : t.perRow === 1 ? t.name : `${t.name}_${j}`;
        row[name] = toFeatureValue(t.data[base + j]);
      }
    }
    out.push(row);
  }
  return out;
}

function outputs(tensors: Tensor[], settings: AdapterSettings): Outputs[] {
  const scalars = tensors.filter((t) => t.perRow === 1);
  const vectors = tensors.filter((t) => t.perRow > 1);
  const primary = scalars.find((t) => /label|class|predict$/i.test(t.name)) ?? scalars[0];
  const rows = tensors[0].rows;
  const out: Outputs[] = [];
  for (let r = 0; r < rows; r++) {
    let probs: Outputs | undefined;
    for (const v of vectors) {
      const candidate = vectorOutput(v.data.slice(r * v.perRow, (r + 1) * v.perRow), settings);
      if (candidate.probabilities !== null || candidate.invalid !== null) {
        probs = candidate;
        break;
      }
    }
    if (primary) {
      const kind = LABEL_TYPES.test(primary.datatype)
        ? 'label'
        : primary.datatype.startsWith('FP')
          ? 'value'
          : 'auto';
      out.push(mergeOutputs(scalarOutput(primary.data[r], settings, kind), probs));
    } else out.push(probs ?? emptyOutputs());
  }
  return out;
}

export const v2Adapter: ProtocolAdapter = {
  protocol: 'v2',
  matchesPath: (path) => PATH.test(path),
  matchesBody: (request) =>
    isRecord(request) &&
    Array.isArray(request.inputs) &&
    request.inputs.length > 0 &&
    isRecord(request.inputs[0]) &&
    'datatype' in request.inputs[0],
  parse(input: AdapterInput): AdapterResult {
    const m = PATH.exec(input.path);
    let model = m ? decodePathSegment(m[1]) : undefined;
    let version = m?.[2] !== undefined ? decodePathSegment(m[2]) : undefined;
    if (isRecord(input.response)) {
      if (typeof input.response.model_name === 'string' && input.response.model_name)
        model ??= input.response.model_name;
      if (typeof input.response.model_version === 'string' && input.response.model_version)
        version ??= input.response.model_version;
    }
    const req = isRecord(input.request)
      ? readTensors(input.request.inputs, 'inputs')
      : 'request is not a JSON object';
    const res =
      input.response === undefined
        ? undefined
        : isRecord(input.response)
          ? readTensors(input.response.outputs, 'outputs')
          : 'response is not a JSON object';
    return combine(
      typeof req === 'string' ? req : features(req, input.settings),
      res === undefined || typeof res === 'string' ? res : outputs(res, input.settings),
      { model, version },
    );
  },
};
