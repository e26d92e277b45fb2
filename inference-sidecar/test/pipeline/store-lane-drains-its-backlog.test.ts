// A lane with no spool below it (the local store) takes its whole backlog in each write: while one append is in
// flight the next batch grows, instead of the lane writing `batchSize` at a time and dropping what the request path
// queues meanwhile (300,000 events through the sidecar dropped 92,000 at the store before: tests/e2e/window-300k).
import pino from 'pino';
import { Registry } from 'prom-client';
import { createPipelineMetrics } from '../../src/pipeline/metrics';
import { createQueue } from '../../src/pipeline/queue';
import { SUCCESS, type Sink, type SinkRecord } from '../../src/sinks/sink';
import { makeEvents, metricValue } from './helpers';

/** A sink whose writes wait until the test lets them through. */
function gatedSink(): Sink & { writes: number[]; open(): void } {
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => (release = r));
  const writes: number[] = [];
  return {
    name: 'store',
    writes,
    open() {
      release();
      gate = new Promise<void>((r) => (release = r));
    },
    async write(records: readonly SinkRecord[]) {
      writes.push(records.length);
      await gate;
      return SUCCESS;
    },
    async close() {},
  };
}

const records = (n: number): SinkRecord[] => makeEvents(n).map((event) => ({ kind: 'inference', event }));

it.each([
  // batchSize at a time: the backlog grows by 1,000 a round, passes maxEvents in the second and drops 700 + 1,000.
  [false, [500, 500, 500], 1700],
  // the whole backlog each time: never more than one round's 1,500 waiting.
  [true, [500, 1500, 1500], 0],
])('drainAll %s: writes %j, drops %d', async (drainAll, firstWrites, dropped) => {
  const registry = new Registry();
  const sink = gatedSink();
  const queue = createQueue(
    sink,
    { maxEvents: 1800, batchSize: 500, flushIntervalMs: 60_000, drainAll },
    { metrics: createPipelineMetrics(registry), logger: pino({ level: 'silent' }) },
  );
  queue.submit(records(500)); // a full batch: the first write starts and waits at the gate
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 5; i++) queue.submit(records(300)); // the request path goes on while the write waits
    sink.open();
    await new Promise((r) => setImmediate(r));
  }
  sink.open();
  const flushed = queue.flush();
  for (let i = 0; i < 20; i++) {
    sink.open();
    await new Promise((r) => setImmediate(r));
  }
  await flushed;
  expect(sink.writes.slice(0, 3)).toEqual(firstWrites);
  expect(sink.writes.reduce((a, b) => a + b, 0)).toBe(500 + 4500 - dropped);
  expect(
    (await metricValue(registry, 'plumbline_sidecar_events_dropped_total', {
      sink: 'store',
      reason: 'queue_full',
    })) ?? 0,
  ).toBe(dropped);
});

it('takes a submit of more records than maxEvents whole (a request of many rows), and drops whole submits once full', async () => {
  const registry = new Registry();
  const sink = gatedSink();
  const queue = createQueue(
    sink,
    { maxEvents: 1000, batchSize: 500, flushIntervalMs: 60_000, drainAll: true },
    { metrics: createPipelineMetrics(registry), logger: pino({ level: 'silent' }) },
  );
  queue.submit(records(500)); // the first append starts and waits at the gate
  queue.submit(records(2500)); // more than maxEvents at once, while the queue was empty: kept whole
  queue.submit(records(10)); // the queue holds 2,500 ≥ maxEvents: this one is dropped whole
  expect(queue.depth).toBe(2500);
  const flushed = queue.flush();
  for (let i = 0; i < 20; i++) {
    sink.open();
    await new Promise((r) => setImmediate(r));
  }
  await flushed;
  expect(sink.writes).toEqual([500, 2500]);
  expect(
    await metricValue(registry, 'plumbline_sidecar_events_dropped_total', {
      sink: 'store',
      reason: 'queue_full',
    }),
  ).toBe(10);
});
