/**
 * The spool payload is built from the event's shared bytes (eventBytes), not from a string per record: the bytes
 * must be exactly the string form's — `{"kind":…,"event":<eventJson>}` — for every kind, for text that is not
 * ASCII, and with a dead-letter tail.
 */
import type { FeedbackEvent } from '@plumbline/schema';
import {
  decodeSpoolRecord,
  encodeSpoolRecord,
  eventBytes,
  eventJson,
  spoolRecord,
} from '../src/record-codec';
import type { SpoolRecord } from '../src/record-codec';
import { makeEvent } from './helpers';

const feedback: FeedbackEvent = {
  schema_version: 1,
  event_id: 'req-ü:0:feedback',
  request_id: 'req-ü',
  row: 0,
  '@timestamp': new Date(Date.UTC(2026, 0, 1)).toISOString(),
  model: { name: 'iris', version: '1' },
  ground_truth: 'séto"sa\u2028',
  source: 'api',
};

const stringForm = (record: SpoolRecord, tail = '}'): Buffer =>
  Buffer.from(
    `{"kind":${JSON.stringify(record.kind)},"event":${JSON.stringify(record.event)}${tail}`,
    'utf8',
  );

describe('encodeSpoolRecord', () => {
  const inference = makeEvent(1, 'mödel-✓', 'req-\u{1F600}');
  const records: SpoolRecord[] = [
    { kind: 'inference', event: inference },
    { kind: 'feedback', event: feedback },
  ];

  it('writes the bytes of the string form, for both kinds and text that is not ASCII', () => {
    for (const record of records) {
      expect(encodeSpoolRecord(record).equals(stringForm(record))).toBe(true);
      expect(decodeSpoolRecord(encodeSpoolRecord(record))).toEqual(record);
    }
  });

  it('writes the same bytes from the event bytes another sink already encoded', () => {
    for (const record of records) {
      const shared = { kind: record.kind, event: structuredClone(record.event) } as SpoolRecord;
      eventBytes(shared);
      expect(encodeSpoolRecord(shared).equals(stringForm(record))).toBe(true);
    }
  });

  it('keeps the dead-letter tail', () => {
    const record = records[0];
    const info = { reason: 'rejected', error: 'mapper_parsing_exception: "x"' };
    const payload = encodeSpoolRecord(record, info);
    expect(payload.equals(stringForm(record, `,"dead_letter":${JSON.stringify(info)}}`))).toBe(true);
  });

  it('encodes an event once: eventBytes is the same Buffer each time, the UTF-8 of eventJson', () => {
    const record = records[0];
    const bytes = eventBytes(record);
    expect(eventBytes({ kind: 'inference', event: inference })).toBe(bytes);
    expect(bytes.toString('utf8')).toBe(eventJson(record));
  });

  it('a record made by spoolRecord keeps its bytes out of sight: not in its keys, a spread, a clone or equality', () => {
    const event = makeEvent(3, 'iris', 'req-hidden');
    const before = JSON.stringify(event);
    const record = spoolRecord('inference', event);
    const bytes = eventBytes(record);
    expect(eventBytes(record)).toBe(bytes);
    expect(eventJson(record)).toBe(before);
    expect(bytes.toString('utf8')).toBe(before);
    expect(JSON.stringify(event)).toBe(before);
    expect(Reflect.ownKeys(record)).toEqual(['kind', 'event']);
    expect({ ...record }).toEqual({ kind: 'inference', event });
    expect(record).toEqual({ kind: 'inference', event });
    expect(structuredClone(record)).toEqual({ kind: 'inference', event: JSON.parse(before) });
    expect(encodeSpoolRecord(record).equals(stringForm(record))).toBe(true);
  });

  it('a replayed record (decodeSpoolRecord) is such a record: its bytes are kept once', () => {
    for (const record of records) {
      const decoded = decodeSpoolRecord(encodeSpoolRecord(record));
      if (decoded === null) throw new Error('not decoded');
      const bytes = eventBytes(decoded);
      expect(eventBytes(decoded)).toBe(bytes);
      expect(bytes.equals(Buffer.from(JSON.stringify(record.event), 'utf8'))).toBe(true);
      expect(encodeSpoolRecord(decoded).equals(stringForm(record))).toBe(true);
    }
  });

  it('encodes a frozen event too, the same bytes each time', () => {
    const event = Object.freeze(makeEvent(4, 'iris', 'req-frozen'));
    const record: SpoolRecord = { kind: 'inference', event };
    const bytes = eventBytes(record);
    expect(bytes.equals(Buffer.from(JSON.stringify(event), 'utf8'))).toBe(true);
    expect(eventBytes(record).equals(bytes)).toBe(true);
    expect(eventJson(record)).toBe(JSON.stringify(event));
    expect(encodeSpoolRecord(record).equals(stringForm(record))).toBe(true);
  });
});
