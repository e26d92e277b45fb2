/**
 * POST /feedback bodies → FeedbackEvent[]: a single object or an array (up to MAX_FEEDBACK_BATCH), each with a
 * request id, an optional row (default 0), the actual label or value, and optionally the model, a source and a
 * timestamp. Pure: returns events or an error naming the field (`[3].ground_truth: …`).
 */
import {
  feedbackEventId,
  REVIEW_ACTIONS,
  SCHEMA_VERSION,
  validateFeedbackEvent,
  type FeedbackEvent,
} from '@plumbline/schema';
import { z } from 'zod';

export const MAX_FEEDBACK_BATCH = 10_000;

const FeedbackItemSchema = z.strictObject({
  request_id: z.string().min(1).max(200),
  row: z.number().int().min(0).default(0),
  /** The actual label (string/boolean/integer class) or value (regression). `actual` is accepted as an alias. */
  ground_truth: z.union([z.string(), z.number(), z.boolean()]).optional(),
  actual: z.union([z.string(), z.number(), z.boolean()]).optional(),
  model: z
    .union([
      z.string().min(1),
      z.strictObject({ name: z.string().min(1), version: z.string().nullable().optional() }),
    ])
    .optional(),
  source: z.string().min(1).max(100).optional(),
  /** A review's action and reviewer: what the exporter's review API forwards (schema/src/label-precedence.ts). */
  action: z.enum(REVIEW_ACTIONS).optional(),
  reviewer: z.string().min(1).max(200).optional(),
  /** The event id, for a review (`reviewEventId`); else `${request_id}:${row}:feedback`. */
  event_id: z.string().min(1).max(300).optional(),
  '@timestamp': z.iso.datetime({ offset: true }).optional(),
});

export type FeedbackParse = { ok: true; events: FeedbackEvent[] } | { ok: false; error: string };

export function parseFeedback(body: unknown, now: () => Date = () => new Date()): FeedbackParse {
  const single = !Array.isArray(body);
  const items: unknown[] = single ? [body] : (body as unknown[]);
  if (items.length === 0) return { ok: false, error: '(root): empty batch' };
  if (items.length > MAX_FEEDBACK_BATCH) {
    return {
      ok: false,
      error: `(root): batch of ${items.length} is over the limit of ${MAX_FEEDBACK_BATCH}`,
    };
  }
  const timestamp = now().toISOString();
  const events: FeedbackEvent[] = [];
  for (let i = 0; i < items.length; i++) {
    const at = single ? '' : `[${i}].`;
    const parsed = FeedbackItemSchema.safeParse(items[i]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const keys = (issue as { keys?: string[] }).keys;
      const field =
        issue.code === 'unrecognized_keys' && keys?.length
          ? keys[0]
          : issue.path.length
            ? issue.path.join('.')
            : '(root)';
      const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
      return { ok: false, error: `${at}${field}: ${message}` };
    }
    const item = parsed.data;
    const truth = item.ground_truth ?? item.actual;
    if (truth === undefined)
      return { ok: false, error: `${at}ground_truth: required (the actual label or value)` };
    if (typeof truth === 'number' && !Number.isFinite(truth))
      return { ok: false, error: `${at}ground_truth: must be finite` };
    const model =
      item.model === undefined
        ? null
        : typeof item.model === 'string'
          ? { name: item.model, version: null }
          : { name: item.model.name, version: item.model.version ?? null };
    const candidate = {
      schema_version: SCHEMA_VERSION,
      event_id: item.event_id ?? feedbackEventId(item.request_id, item.row),
      request_id: item.request_id,
      row: item.row,
      '@timestamp': item['@timestamp'] ?? timestamp,
      model,
      ground_truth: truth,
      source: item.source ?? 'api',
      action: item.action ?? null,
      reviewer: item.reviewer ?? null,
    };
    const valid = validateFeedbackEvent(candidate);
    if (!valid.ok) return { ok: false, error: `${at}${valid.error}` };
    events.push(valid.value);
  }
  return { ok: true, events };
}
