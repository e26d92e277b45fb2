/**
 * The inference event: one row of one model call, as the sidecar captured it.
 *
 * One HTTP request with a batch of N rows becomes N events that share `request_id` and differ in `row`.
 * `event_id` is `${request_id}:${row}` — unique and stable, so it is the Elasticsearch `_id` and a replay
 * from the spool never duplicates a document.
 */
import { z } from 'zod';

export const SCHEMA_VERSION = 1;

export const PROTOCOLS = ['v2', 'kserve-v1', 'tfserving', 'mlflow', 'seldon', 'generic', 'unknown'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** A feature value as it arrived: number, string, boolean or missing. */
export const FeatureValueSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);
export type FeatureValue = z.infer<typeof FeatureValueSchema>;

export const ModelRefSchema = z.object({
  name: z.string().min(1),
  /**
   * The model version that answered: from the path (V2, KServe V1, TF Serving `/versions/{v}`), else the body
   * (V2 `model_version`), else the sidecar's `versionHeader` (`x-model-version`; the response's, else the
   * request's), else `models.<m>.version` in the sidecar's config; null when nothing names one. A shadow event's is
   * the challenger's (its response header or body, else `shadow.version` in config).
   */
  version: z.string().nullable().default(null),
});
export type ModelRef = z.infer<typeof ModelRefSchema>;

/** `primary`: what the client got; `shadow`: a challenger's answer to a copy of the request (never seen by the client). */
export const EVENT_ROLES = ['primary', 'shadow'] as const;
export type EventRole = (typeof EVENT_ROLES)[number];

/** The primary row a shadow event answers: compare their outputs for agreement. */
export const ShadowOfSchema = z.object({
  request_id: z.string().min(1),
  row: z.number().int().min(0),
});
export type ShadowOf = z.infer<typeof ShadowOfSchema>;

export const OutputsSchema = z.object({
  /** Predicted class for classifiers. */
  label: z.string().nullable().default(null),
  /** Predicted value for regressors; NaN/Inf are carried as null with `invalid` set. */
  value: z.number().nullable().default(null),
  /** Class → probability, when the model returns probabilities. */
  probabilities: z.record(z.string(), z.number()).nullable().default(null),
  /** max(probabilities), or null. */
  confidence: z.number().min(0).max(1).nullable().default(null),
  /** Set when an output was NaN, ±Inf or null. */
  invalid: z.enum(['nan', 'inf', 'null']).nullable().default(null),
});
export type Outputs = z.infer<typeof OutputsSchema>;

export const InferenceEventSchema = z.object({
  schema_version: z.literal(SCHEMA_VERSION),
  event_id: z.string().min(1),
  request_id: z.string().min(1),
  /** Row index within the request's batch, from 0. */
  row: z.number().int().min(0),
  /** ISO-8601 time the request reached the sidecar. */
  '@timestamp': z.iso.datetime({ offset: true }),
  model: ModelRefSchema,
  /**
   * Whose answer this is; absent reads as `primary` (events written before shadow traffic existed have none). A
   * shadow event's `request_id` is the primary's with `:shadow` appended (so `event_id`s and feedback joins never
   * mix the two); `shadow_of` names the primary row it answers. Anything that sums client traffic skips shadows.
   */
  role: z.enum(EVENT_ROLES).optional(),
  /** Shadow events only: the primary's request id and row this event is the challenger's answer to. */
  shadow_of: ShadowOfSchema.optional(),
  protocol: z.enum(PROTOCOLS),
  /** False when the adapter could not read the body: features/outputs are then empty. */
  parsed: z.boolean(),
  features: z.record(z.string(), FeatureValueSchema),
  outputs: OutputsSchema,
  latency_ms: z.object({
    /** Request received → response fully written, as the client saw it (minus the network). */
    total: z.number().min(0),
    /** Time spent waiting on the model server. */
    upstream: z.number().min(0),
  }),
  http_status: z.number().int(),
  error: z.string().nullable().default(null),
});
export type InferenceEvent = z.infer<typeof InferenceEventSchema>;

export function inferenceEventId(requestId: string, row: number): string {
  return `${requestId}:${row}`;
}
