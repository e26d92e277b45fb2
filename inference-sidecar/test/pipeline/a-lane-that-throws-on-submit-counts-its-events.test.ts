// A lane whose submit throws lost that submit's events from its sink, uncounted: the pipeline caught the throw and
// only logged 'submit failed' (200,000 events went that way when push(...records) threw RangeError, fixed in
// ca51624). Now the other lanes still get every event and the failing lane's are counted as
// dropped{reason="submit_error"} with a log line naming the sink, the count and the error.
//
// No sink can make its lane's submit throw (a sink is written later, through safeWrite, which catches), so the
// lane named 'broken' gets a queue whose submit throws what the last incident threw; every other part is real.
import pino from 'pino';
import { Registry } from 'prom-client';
import { SIDECAR_METRICS } from '@plumbline/schema';
import { createMemorySink, createPipeline } from '@plumbline/sidecar';
import type { QueuedSink } from '../../src/pipeline/queue';
import { makeEvents, makeFeedback } from './helpers';

jest.mock('../../src/pipeline/queue', () => {
  const actual = jest.requireActual<typeof import('../../src/pipeline/queue')>('../../src/pipeline/queue');
  return {
    ...actual,
    createQueue: (...args: Parameters<typeof actual.createQueue>): QueuedSink => {
      const queue = actual.createQueue(...args);
      if (args[0].name !== 'broken') return queue;
      return {
        name: queue.name,
        get depth() {
          return queue.depth;
        },
        submit() {
          throw new RangeError('Maximum call stack size exceeded');
        },
        flush: () => queue.flush(),
        close: () => queue.close(),
      };
    },
  };
});

it('a lane whose submit throws: the other lanes get every event, its own are counted as submit_error', async () => {
  const registry = new Registry();
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const before = createMemorySink({ name: 'before' });
  const broken = createMemorySink({ name: 'broken' });
  const after = createMemorySink({ name: 'after' });
  const pipeline = createPipeline({
    sinks: [before, broken, after],
    queue: { batchSize: 100, flushIntervalMs: 60_000 },
    registry,
    logger,
  });
  const events = makeEvents(1000);
  const feedback = Array.from({ length: 10 }, (_, i) => makeFeedback(i));

  expect(() => pipeline.submit(events)).not.toThrow();
  expect(() => pipeline.submitFeedback(feedback)).not.toThrow();
  await pipeline.flush();

  const ids = [...events.map((e) => e.event_id), ...feedback.map((e) => e.event_id)];
  expect(before.records.map((r) => r.event.event_id)).toEqual(ids);
  expect(after.records.map((r) => r.event.event_id)).toEqual(ids);
  expect(broken.records).toHaveLength(0);

  const series = async (name: string) =>
    ((await registry.getSingleMetric(name)?.get())?.values ?? [])
      .filter((v) => v.value !== 0)
      .map((v) => ({ ...v.labels, value: v.value }));
  expect(await series(SIDECAR_METRICS.dropped.name)).toEqual([
    { sink: 'broken', reason: 'submit_error', value: 1010 },
  ]);
  expect(await series(SIDECAR_METRICS.sinkWritten.name)).toEqual([
    { sink: 'before', value: 1010 },
    { sink: 'after', value: 1010 },
  ]);

  const failures = lines.filter((l) => l.level === 50);
  expect(failures.map((l) => [l.sink, l.count, (l.err as { message: string }).message])).toEqual([
    ['broken', 1000, 'Maximum call stack size exceeded'],
    ['broken', 10, 'Maximum call stack size exceeded'],
  ]);
  await pipeline.close();
});
