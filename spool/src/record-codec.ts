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
 * A record made by `spoolRecord()` (the pipeline makes every record it hands the sinks with it, the spool's replay
 * too): it keeps its event's encoded forms in two private fields, declared when it is made. A record of any other
 * making (a test's, a library user's plain object) keeps them in WeakMaps keyed by its event, as every record did
 * before; a WeakMap entry is an ephemeron the collector traces specially and a table to grow, per short-lived event
 * (README, "Capture CPU per event": the capture thread's CPU per event measured both ways).
 * Private fields are invisible to JSON, spreads, `Object.keys`, structuredClone and Jest's equality, so such a
 * record still equals `{ kind, event }`.
 */
class EncodedOnceRecord {
  #json: string | undefined = undefined;
  #bytes: Buffer | undefined = undefined;
  constructor(
    readonly kind: SpoolRecord['kind'],
    readonly event: SpoolRecord['event'],
  ) {}

  static json(record: SpoolRecord): string | undefined {
    return record instanceof EncodedOnceRecord ? record.#json : jsonOfEvent.get(record.event);
  }
  static setJson(record: SpoolRecord, json: string): void {
    if (record instanceof EncodedOnceRecord) record.#json = json;
    else jsonOfEvent.set(record.event, json);
  }
  static bytes(record: SpoolRecord): Buffer | undefined {
    return record instanceof EncodedOnceRecord ? record.#bytes : bytesOfEvent.get(record.event);
  }
  static setBytes(record: SpoolRecord, bytes: Buffer): void {
    if (record instanceof EncodedOnceRecord) record.#bytes = bytes;
    else bytesOfEvent.set(record.event, bytes);
  }
}

const jsonOfEvent = new WeakMap<SpoolRecord['event'], string>();
const bytesOfEvent = new WeakMap<SpoolRecord['event'], Buffer>();

/** An inference event as a record, with room for its encoded forms (see EncodedOnceRecord). */
export function spoolRecord(kind: 'inference', event: InferenceEvent): SpoolRecord;
/** A feedback event as a record, with room for its encoded forms (see EncodedOnceRecord). */
export function spoolRecord(kind: 'feedback', event: FeedbackEvent): SpoolRecord;
export function spoolRecord(kind: SpoolRecord['kind'], event: SpoolRecord['event']): SpoolRecord {
  return new EncodedOnceRecord(kind, event) as SpoolRecord;
}

/**
 * The event as JSON. Computed once per record and shared by every sink and the spool (they all run on the
 * capture thread and receive the same record objects), so an event is serialised once, not once per sink.
 */
export function eventJson(record: SpoolRecord): string {
  let json = EncodedOnceRecord.json(record);
  if (json === undefined) {
    json = JSON.stringify(record.event);
    EncodedOnceRecord.setJson(record, json);
  }
  return json;
}

/**
 * The event's JSON as UTF-8 bytes: `eventJson(record)` encoded once per record, the one copy every sink writes
 * from (the Kafka message value, the Elasticsearch bulk body, the spool payload). Do not modify the buffer.
 */
export function eventBytes(record: SpoolRecord): Buffer {
  let bytes = EncodedOnceRecord.bytes(record);
  if (bytes === undefined) {
    // Keeps only the bytes: the string is garbage at once (unless eventJson was asked for it too).
    bytes = Buffer.from(EncodedOnceRecord.json(record) ?? JSON.stringify(record.event), 'utf8');
    EncodedOnceRecord.setBytes(record, bytes);
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
  const event = EncodedOnceRecord.bytes(record);
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
    EncodedOnceRecord.json(record) ??
    EncodedOnceRecord.bytes(record)?.toString('utf8') ??
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
    return v.ok ? spoolRecord(kind, v.value) : null;
  }
  if (kind === 'feedback') {
    const v = validateFeedbackEvent(event);
    return v.ok ? spoolRecord(kind, v.value) : null;
  }
  return null;
}
