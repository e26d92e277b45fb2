/** Builds schema-valid events for tests (validated, so a test can never seed something the schema rejects). */
import {
  feedbackEventId,
  inferenceEventId,
  validateFeedbackEvent,
  validateInferenceEvent,
  type FeatureValue,
  type FeedbackEvent,
  type InferenceEvent,
  type Validation,
} from '@plumbline/schema';

/** Which request row an event is about, and when (epoch milliseconds). */
interface EventSpec {
  requestId: string;
  row?: number;
  at: number;
}

/** The fields both kinds of event start with: schema version, id, request, row, timestamp. */
function envelope(spec: EventSpec, eventId: (requestId: string, row: number) => string) {
  const row = spec.row ?? 0;
  return {
    schema_version: 1 as const,
    event_id: eventId(spec.requestId, row),
    request_id: spec.requestId,
    row,
    '@timestamp': new Date(spec.at).toISOString(),
  };
}

function valid<T>(result: Validation<T>, what: string): T {
  if (!result.ok) throw new Error(`test ${what} is invalid: ${result.error}`);
  return result.value;
}

export interface InferenceSpec extends EventSpec {
  model?: string;
  version?: string | null;
  features?: Record<string, FeatureValue>;
  label?: string | null;
  value?: number | null;
  confidence?: number | null;
  /** Class → probability. @default null */
  probabilities?: Record<string, number> | null;
}

export function inferenceEvent(spec: InferenceSpec): InferenceEvent {
  const result = validateInferenceEvent({
    ...envelope(spec, inferenceEventId),
    model: { name: spec.model ?? 'iris', version: spec.version === undefined ? '1' : spec.version },
    protocol: 'v2',
    parsed: true,
    features: spec.features ?? {},
    outputs: {
      label: spec.label ?? null,
      value: spec.value ?? null,
      probabilities: spec.probabilities ?? null,
      confidence: spec.confidence ?? null,
      invalid: null,
    },
    latency_ms: { total: 1, upstream: 0.5 },
    http_status: 200,
    error: null,
  });
  return valid(result, 'event');
}

export interface FeedbackSpec extends EventSpec {
  truth: string | number | boolean;
  model?: string;
}

export function feedbackEvent(spec: FeedbackSpec): FeedbackEvent {
  const result = validateFeedbackEvent({
    ...envelope(spec, feedbackEventId),
    model: { name: spec.model ?? 'iris', version: null },
    ground_truth: spec.truth,
    source: 'test',
  });
  return valid(result, 'feedback');
}
