/**
 * The JSON every sink writes is the event's own key order: a primary's event names its role and has no
 * `shadow_of` key at all; a shadow's event has `shadow_of` right after `role`. (The events were built with the role
 * fields spread into one literal; two literals now, with the same order.)
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { createCapture } from '../../src/capture/capture';
import { parseConfig } from '../../src/config';
import { createSidecarMetrics } from '../../src/metrics/sidecar-metrics';
import { testExchange } from '../helpers/exchange';
import { memoryPipeline } from '../helpers/memory-pipeline';

const PATH = '/v2/models/iris/infer';
const REQUEST = {
  inputs: [
    { name: 'input', shape: [2, 4], datatype: 'FP32', data: [5.8, 2.7, 5.1, 1.9, 5.1, 3.5, 1.4, 0.2] },
  ],
};
const RESPONSE = { outputs: [{ name: 'label', shape: [2], datatype: 'INT64', data: [2, 0] }] };
const KEYS_BEFORE_ROLE = ['schema_version', 'event_id', 'request_id', 'row', '@timestamp', 'model', 'role'];
const KEYS_AFTER_ROLE = ['protocol', 'parsed', 'features', 'outputs', 'latency_ms', 'http_status', 'error'];

function capture() {
  return createCapture({
    config: parseConfig({
      upstream: 'http://127.0.0.1:1',
      shadow: { url: 'http://127.0.0.1:2' },
      models: { iris: { features: ['a', 'b', 'c', 'd'], classes: ['setosa', 'versicolor', 'virginica'] } },
    }),
    metrics: createSidecarMetrics(new Registry()),
    pipeline: memoryPipeline(),
    logger: pino({ level: 'silent' }),
  });
}

describe('an event’s JSON keeps its key order', () => {
  it('a primary’s rows: role, then protocol; no shadow_of key', () => {
    const events = capture().toEvents(testExchange(PATH, REQUEST, RESPONSE, { requestId: 'p-1' }));
    expect(events).toHaveLength(2);
    for (const [i, event] of events.entries()) {
      expect(Object.keys(event)).toEqual([...KEYS_BEFORE_ROLE, ...KEYS_AFTER_ROLE]);
      expect('shadow_of' in event).toBe(false);
      expect(event).toMatchObject({ row: i, role: 'primary', parsed: true, error: null });
    }
  });

  it('a shadow’s rows: shadow_of (the primary’s request and row) right after role', () => {
    const events = capture().toEvents(
      testExchange(PATH, REQUEST, RESPONSE, { requestId: 'p-1', shadowOf: 'p-1' }),
    );
    expect(events).toHaveLength(2);
    for (const [i, event] of events.entries()) {
      expect(Object.keys(event)).toEqual([...KEYS_BEFORE_ROLE, 'shadow_of', ...KEYS_AFTER_ROLE]);
      expect(event.shadow_of).toEqual({ request_id: 'p-1', row: i });
      expect(event.role).toBe('shadow');
    }
  });

  it('an unparsed answer’s one event has the same order', () => {
    const [primary] = capture().toEvents(testExchange(PATH, REQUEST, 'not json', { requestId: 'p-2' }));
    expect(Object.keys(primary)).toEqual([...KEYS_BEFORE_ROLE, ...KEYS_AFTER_ROLE]);
    expect(primary).toMatchObject({ parsed: false, features: {} });
    const [shadow] = capture().toEvents(
      testExchange(PATH, REQUEST, 'not json', { requestId: 'p-2', shadowOf: 'p-2' }),
    );
    expect(Object.keys(shadow)).toEqual([...KEYS_BEFORE_ROLE, 'shadow_of', ...KEYS_AFTER_ROLE]);
    expect(shadow.shadow_of).toEqual({ request_id: 'p-2', row: 0 });
  });
});
