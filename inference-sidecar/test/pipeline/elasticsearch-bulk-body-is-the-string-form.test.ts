/**
 * The Elasticsearch sink builds its `_bulk` body as one Buffer from the events' shared bytes (bulkBody); it must be
 * byte for byte the NDJSON the sink used to build as a string: an action line with the index and `_id`, then the
 * event's JSON, per record — with text that is not ASCII in the ids and in the events.
 */
import { eventJson } from '@plumbline/spool';
import { bulkBody } from '../../src/sinks/elasticsearch';
import type { SinkRecord } from '../../src/sinks/sink';
import { makeEvent, makeFeedback } from './helpers';

describe('the Elasticsearch bulk body', () => {
  it('is the bytes of the NDJSON string, action line then event, per record', () => {
    const records: SinkRecord[] = [
      { kind: 'inference', event: makeEvent(1, 'iris', 'req-"1"') },
      { kind: 'inference', event: makeEvent(2, 'mödel-✓', 'req-\u{1F600}') },
      { kind: 'feedback', event: { ...makeFeedback(3), ground_truth: 'séto\u2028sa' } },
    ];
    const indices = { inference: 'plumbline-inference', feedback: 'plumbline-fëedback' };
    const prefix = (index: string) => `{"index":{"_index":${JSON.stringify(index)},"_id":`;
    let expected = '';
    for (const record of records)
      expected += `${prefix(indices[record.kind])}${JSON.stringify(record.event.event_id)}}}\n${eventJson(record)}\n`;
    const body = bulkBody(records, (record) => Buffer.from(prefix(indices[record.kind]), 'utf8'));
    expect(body.toString('utf8')).toBe(expected);
    expect(body.equals(Buffer.from(expected, 'utf8'))).toBe(true);
  });

  it('is empty for no records', () => {
    expect(bulkBody([], () => Buffer.alloc(0))).toHaveLength(0);
  });
});
