/**
 * A baseline from a time range of logged production data: the model's inference events in [from, to) from any
 * source, their features (the configured ones, else every feature seen), the model output as the prediction
 * column and, where ground truth arrived, the label column — profiled with STATS' buildReferenceProfile and
 * stored in the BaselineStore like an imported training file.
 */
import { UsageError } from '@plumbline/service-kit';
import type { BaselineStore, StoredBaseline } from '../baseline/store';
import { DEFAULT_MODEL_VERSION } from '../baseline/store';
import type { ModelConfig } from '../config';
import { buildReferenceProfile } from '../drift/in-memory-profile-builder';
import type { EventSource } from '../sources/source';
import type { TimeRange } from '../windows';
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import type { CellValue } from '../stats/missing';

export interface CaptureBaselineOptions {
  source: EventSource;
  store: BaselineStore;
  model: ModelConfig;
  range: TimeRange;
  /** Stored under this version. @default the model's version, else 'default' */
  version?: string | null;
  /** Fewer rows than this is refused (a baseline of a handful of rows flags everything). @default 100 */
  minimumRows?: number;
}

/** EXPORTER_ERR_BASELINE_CAPTURE: the range holds too few events, or is empty; a usage error (exit code 2). */
export class CaptureError extends UsageError {
  declare readonly code: 'EXPORTER_ERR_BASELINE_CAPTURE';
  constructor(message: string) {
    super(message, { code: 'EXPORTER_ERR_BASELINE_CAPTURE' });
    this.name = 'CaptureError';
  }
}

/** Column per feature, in event order; a feature absent from an event is a missing value. */
export function toColumns(
  events: readonly InferenceEvent[],
  features: readonly string[],
): Record<string, CellValue[]> {
  const columns: Record<string, CellValue[]> = {};
  for (const f of features) columns[f] = new Array<CellValue>(events.length);
  events.forEach((e, i) => {
    for (const f of features)
      columns[f][i] = Object.prototype.hasOwnProperty.call(e.features, f) ? e.features[f] : null;
  });
  return columns;
}

/** The ground truth of each prediction (latest report wins), null where none arrived. */
export function groundTruthColumn(
  inference: readonly InferenceEvent[],
  feedback: readonly FeedbackEvent[],
): CellValue[] {
  const truth = new Map<string, { at: string; value: string | number | boolean }>();
  for (const f of feedback) {
    const k = `${f.request_id}\u0000${f.row}`;
    const seen = truth.get(k);
    if (!seen || f['@timestamp'] >= seen.at) truth.set(k, { at: f['@timestamp'], value: f.ground_truth });
  }
  return inference.map((e) => truth.get(`${e.request_id}\u0000${e.row}`)?.value ?? null);
}

export async function captureProductionBaseline(options: CaptureBaselineOptions): Promise<StoredBaseline> {
  const { model, range } = options;
  const minimumRows = options.minimumRows ?? 100;
  const from = new Date(range.from).toISOString();
  const to = new Date(range.to).toISOString();
  if (!(range.to > range.from)) throw new CaptureError(`--to (${to}) must be after --from (${from})`);
  const events = await options.source.read({
    model: model.name,
    version: model.version,
    range,
    minimumSamples: minimumRows,
  });
  if (events.inference.length < minimumRows) {
    throw new CaptureError(
      `model ${model.name} has ${events.total} inference events in ${from} – ${to} (${options.source.kind}); a baseline needs at least ${minimumRows}`,
    );
  }
  const features =
    model.features.length > 0
      ? [...model.features]
      : [...new Set(events.inference.flatMap((e) => Object.keys(e.features)))].sort();
  const columns = toColumns(events.inference, features);
  const predictionColumn = features.includes('prediction') ? '__prediction__' : 'prediction';
  columns[predictionColumn] = events.inference.map((e) => e.outputs.label ?? e.outputs.value);
  const truth = groundTruthColumn(events.inference, events.feedback);
  const labelColumn = features.includes('label') ? '__label__' : 'label';
  const hasLabels = truth.some((v) => v !== null);
  if (hasLabels) columns[labelColumn] = truth;
  const profile = buildReferenceProfile(columns, { predictionColumn, ...(hasLabels ? { labelColumn } : {}) });
  const note = events.truncated
    ? `, newest ${events.inference.length} of ${events.total} rows`
    : `, ${events.inference.length} rows`;
  return options.store.put({
    model: model.name,
    version: options.version ?? model.version ?? DEFAULT_MODEL_VERSION,
    source: `production events ${from} – ${to} from ${options.source.kind}${note}`,
    profile,
  });
}
