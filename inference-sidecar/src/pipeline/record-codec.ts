/** SinkRecord ⇄ spool payload (UTF-8 JSON), with the schema check applied when records come back from disk. */
import { validateFeedbackEvent, validateInferenceEvent } from '@plumbline/schema';
import { eventJson, type SinkRecord } from '../sinks/sink';

/** Extra fields a dead-letter record carries: why the sink refused it. */
export interface DeadLetterInfo {
  reason: string;
  error: string;
}

export function encodeSinkRecord(record: SinkRecord, deadLetter?: DeadLetterInfo): Buffer {
  const tail = deadLetter ? `,"dead_letter":${JSON.stringify(deadLetter)}}` : '}';
  return Buffer.from(`{"kind":${JSON.stringify(record.kind)},"event":${eventJson(record)}${tail}`, 'utf8');
}

/** Parses and validates a spool payload; null when it is not a valid inference or feedback record. */
export function decodeSinkRecord(payload: Buffer): SinkRecord | null {
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
