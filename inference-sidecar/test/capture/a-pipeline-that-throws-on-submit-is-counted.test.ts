// Capture hands each turn's events to the pipeline's submit, which never throws (a lane that does is counted per
// sink). A pipeline that broke that promise threw out of capture's drain, a setImmediate callback: the turn's events
// were lost uncounted and the exception was uncaught, taking the capture thread (and every event queued in it) down.
// Now they are counted as dropped{sink="capture",reason="submit_error"} and logged, and capture goes on.
// The pipeline here is a fake that throws (pure logic: no real pipeline throws any more); capture and metrics are real.
import pino from 'pino';
import { Registry } from 'prom-client';
import { SIDECAR_METRICS } from '@plumbline/schema';
import { createCapture, type EventPipeline } from '../../src/capture/capture';
import { parseConfig } from '../../src/config';
import { createSidecarMetrics } from '../../src/metrics/sidecar-metrics';
import { testExchange } from '../helpers/exchange';

it('events the pipeline throws on are counted as dropped{sink="capture",reason="submit_error"}', async () => {
  const registry = new Registry();
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  let calls = 0;
  const pipeline: EventPipeline = {
    submit() {
      calls++;
      throw new Error('pipeline bug');
    },
    submitFeedback() {},
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const capture = createCapture({
    config: parseConfig({ upstream: 'http://127.0.0.1:1' }),
    metrics: createSidecarMetrics(registry),
    pipeline,
    logger,
  });
  const rows = {
    instances: [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
  };
  capture.record(testExchange('/v1/models/m:predict', rows, { predictions: [0, 1, 0] }, { requestId: 'a' }));
  capture.record(testExchange('/v1/models/m:predict', rows, { predictions: [1, 1, 0] }, { requestId: 'b' }));

  expect(() => capture.drain()).not.toThrow();
  expect(calls).toBe(1);

  const dropped = ((await registry.getSingleMetric(SIDECAR_METRICS.dropped.name)?.get())?.values ?? [])
    .filter((v) => v.value !== 0)
    .map((v) => ({ ...v.labels, value: v.value }));
  expect(dropped).toEqual([{ sink: 'capture', reason: 'submit_error', value: 6 }]);
  const failures = lines.filter((l) => l.level === 50);
  expect(failures.map((l) => [l.count, (l.err as { message: string }).message])).toEqual([
    [6, 'pipeline bug'],
  ]);

  // Capture goes on: the next turn is submitted again.
  capture.record(testExchange('/v1/models/m:predict', rows, { predictions: [0, 0, 0] }, { requestId: 'c' }));
  await new Promise((resolve) => setImmediate(resolve));
  expect(calls).toBe(2);
});
