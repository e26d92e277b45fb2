/**
 * The payload of a spool record: one inference or feedback event as UTF-8 JSON,
 * `{ "kind": "inference" | "feedback", "event": {...} }` (plus `"dead_letter": { reason, error }` in dead-letter
 * streams), with the schema check applied when records come back from disk.
 */
import {
  validateFeedbackEvent,
  validateInferenceEvent,
  type FeedbackEvent,
  type InferenceEvent,
} from '@plumbline/schema';

/** One event tagged with its kind: what a spool record holds (the sidecar's sinks are handed the same type). */
export type SpoolRecord =
  | { readonly kind: 'inference'; readonly event: InferenceEvent }
  | { readonly kind: 'feedback'; readonly event: FeedbackEvent };

/** Extra fields a dead-letter record carries: why the sink refused it. */
export interface DeadLetterInfo {
  reason: string;
  error: string;
}

/**
 * Where an event keeps its encoded forms: two non-enumerable symbol-keyed properties on the event object itself,
 * invisible to JSON, spreads, `Object.keys`, structuredClone and Jest's equality. They were WeakMaps keyed by the
 * event; a WeakMap entry is an ephemeron that V8's collector must trace specially, for each of the short-lived
 * events, which cost the capture thread more GC time than the serialising they saved (bench:sinks). A frozen or
 * sealed event (not extensible) is encoded again on each use instead.
 */
const JSON_OF_EVENT = Symbol('plumbline.eventJson');
const BYTES_OF_EVENT = Symbol('plumbline.eventBytes');

interface EncodedForms {
  [JSON_OF_EVENT]?: string;
  [BYTES_OF_EVENT]?: Buffer;
}

function cached<K extends typeof JSON_OF_EVENT | typeof BYTES_OF_EVENT>(
  event: SpoolRecord['event'],
  key: K,
): EncodedForms[K] {
  return (event as EncodedForms)[key];
}

function keep(event: SpoolRecord['event'], key: symbol, value: string | Buffer): void {
  if (Object.isExtensible(event)) Object.defineProperty(event, key, { value, writable: true });
}

/**
 * The event as JSON. Computed once per event and shared by every sink and the spool (they all run on the
 * capture thread and receive the same event objects), so an event is serialised once, not once per sink.
 */
export function eventJson(record: SpoolRecord): string {
  let json = cached(record.event, JSON_OF_EVENT);
  if (json === undefined) {
    json = JSON.stringify(record.event);
    keep(record.event, JSON_OF_EVENT, json);
  }
  return json;
}

/**
 * The event's JSON as UTF-8 bytes: `eventJson(record)` encoded once per event, the one copy every sink writes from
 * (the Kafka message value, the Elasticsearch bulk body, the spool payload). Do not modify the buffer.
 */
export function eventBytes(record: SpoolRecord): Buffer {
  let bytes = cached(record.event, BYTES_OF_EVENT);
  if (bytes === undefined) {
    // Keeps only the bytes: the string is garbage at once (unless eventJson was asked for it too).
    bytes = Buffer.from(cached(record.event, JSON_OF_EVENT) ?? JSON.stringify(record.event), 'utf8');
    keep(record.event, BYTES_OF_EVENT, bytes);
  }
  return bytes;
}

const KIND_OPEN = {
  inference: '{"kind":"inference","event":',
  feedback: '{"kind":"feedback","event":',
} as const;
const KIND_PREFIX = {
  inference: Buffer.from(KIND_OPEN.inference, 'utf8'),
  feedback: Buffer.from(KIND_OPEN.feedback, 'utf8'),
} as const;
const CLOSE_BRACE = 0x7d;

export function encodeSpoolRecord(record: SpoolRecord, deadLetter?: DeadLetterInfo): Buffer {
  if (deadLetter) {
    const tail = `,"dead_letter":${JSON.stringify(deadLetter)}}`;
    return Buffer.from(`{"kind":${JSON.stringify(record.kind)},"event":${jsonOf(record)}${tail}`, 'utf8');
  }
  const event = cached(record.event, BYTES_OF_EVENT);
  // The spool alone (the embedded store as the only sink): nothing shares the event's bytes, so none are kept.
  if (event === undefined) return Buffer.from(`${KIND_OPEN[record.kind]}${jsonOf(record)}}`, 'utf8');
  // Another sink encoded the event already: the same bytes as the string form, copied once behind the prefix.
  const prefix = KIND_PREFIX[record.kind];
  const out = Buffer.allocUnsafe(prefix.length + event.length + 1);
  prefix.copy(out, 0);
  event.copy(out, prefix.length);
  out[out.length - 1] = CLOSE_BRACE;
  return out;
}

/** The event's JSON, from whichever form is already cached, else serialised (and not kept). */
function jsonOf(record: SpoolRecord): string {
  return (
    cached(record.event, JSON_OF_EVENT) ??
    cached(record.event, BYTES_OF_EVENT)?.toString('utf8') ??
    JSON.stringify(record.event)
  );
}

/** Parses and validates a spool payload; null when it is not a valid inference or feedback record. */
export function decodeSpoolRecord(payload: Buffer): SpoolRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { kind, event } = parsed as { kind?: unknown; event?: unknown };
  if (kind === 'inference') {
    const v = validateInferenceEvent(event);
    return v.ok ? { kind, event: v.value } : null;
  }
  if (kind === 'feedback') {
    const v = validateFeedbackEvent(event);
    return v.ok ? { kind, event: v.value } : null;
  }
  return null;
}
