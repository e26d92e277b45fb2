// One request of many rows is one submit of as many events (an event per row): a V2 body within captureMaxBytes
// (4 MiB) can carry 200,000 rows of four FP32 features. Appending them with `push(...records)` passed every one as
// an argument and threw RangeError (maximum call stack size) past ~125,000, inside the capture thread's submit.
import { createMemorySink, createPipeline } from '@plumbline/sidecar';
import { makeEvents } from './helpers';

it('a submit of 200,000 events is queued and delivered whole', async () => {
  const memory = createMemorySink({ maxRecords: 300_000 });
  const pipeline = createPipeline({
    sinks: [memory],
    queue: { batchSize: 50_000, maxEvents: 300_000, flushIntervalMs: 60_000 },
  });
  const events = makeEvents(200_000);
  expect(() => pipeline.submit(events)).not.toThrow();
  await pipeline.flush();
  expect(memory.records).toHaveLength(200_000);
  expect(memory.records[199_999].event).toBe(events[199_999]);
  await pipeline.close();
});
