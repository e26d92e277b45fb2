// A failing source sync: the window is marked `error`, the last good values stay exported, the stage is counted,
// /api/health says degraded (503), and the next window is evaluated normally once the source is back.
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { createExporter } from '../../src/app';
import { parseConfig } from '../../src/config';
import { createMemorySource, SourceError, type EventFollower } from '../../src/sources';
import { inferenceEvent } from '../helpers/events';
import { meanShiftEngine } from '../helpers/fake-drift';
import { seriesValue } from '../helpers/exporter';

it('keeps the last good values, flags the error and recovers', async () => {
  const config = parseConfig({
    models: [{ name: 'iris' }],
    window: { kind: 'tumbling', sizeSeconds: 60, minimumSamples: 5, graceSeconds: 0 },
    host: '127.0.0.1',
    port: 0,
  });
  const clock = { now: Date.parse('2026-01-01T00:01:30Z') };
  let failing = false;
  const exporter = createExporter(config, {
    createSource: (counters) => {
      const memory = createMemorySource(counters);
      for (let i = 0; i < 20; i += 1) {
        memory.push(
          'inference',
          inferenceEvent({
            requestId: `a${i}`,
            at: Date.parse('2026-01-01T00:00:10Z') + i,
            features: { x: 1 },
          }),
        );
        memory.push(
          'inference',
          inferenceEvent({
            requestId: `b${i}`,
            at: Date.parse('2026-01-01T00:01:10Z') + i,
            features: { x: 1 },
          }),
        );
      }
      const source: EventFollower = {
        ...memory,
        sync: () =>
          failing
            ? Promise.reject(
                new SourceError(
                  'EXPORTER_ERR_SOURCE_UNAVAILABLE',
                  'Elasticsearch at http://127.0.0.1:9 unavailable',
                ),
              )
            : memory.sync(),
      };
      return source;
    },
    driftEngine: meanShiftEngine({ iris: { means: { x: 1 }, shift: 1 } }),
    registry: new Registry(),
    now: () => clock.now,
  });
  await exporter.start({ schedule: false });
  await exporter.evaluateOnce();
  const reg = exporter.registry;
  const mv = { model: 'iris', model_version: '1' };
  expect(await seriesValue(reg, 'plumbline_exporter_window_status', { ...mv, status: 'ok' })).toBe(1);

  failing = true;
  clock.now += 60_000;
  expect(await exporter.evaluateOnce()).toEqual([]);
  expect(await seriesValue(reg, 'plumbline_exporter_window_status', { ...mv, status: 'error' })).toBe(1);
  expect(await seriesValue(reg, 'plumbline_exporter_window_status', { ...mv, status: 'ok' })).toBe(0);
  expect(
    await seriesValue(reg, 'plumbline_exporter_evaluation_errors_total', { model: 'iris', stage: 'source' }),
  ).toBe(1);
  expect(await seriesValue(reg, 'plumbline_dataset_drift_share', mv)).toBe(0); // last good value kept
  await new Promise<void>((r) => exporter.server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(exporter.server.address() as AddressInfo).port}`;
  const health = await request(`${url}/api/health`);
  expect(health.statusCode).toBe(503);
  expect(await health.body.json()).toMatchObject({
    status: 'degraded',
    models: [{ model: 'iris', lastError: expect.stringMatching(/unavailable/) }],
  });

  failing = false;
  const [report] = await exporter.evaluateOnce(); // same window retried: it was not evaluated
  expect(report.status).toBe('ok');
  expect(report.samples).toBe(20);
  expect((await request(`${url}/api/health`)).statusCode).toBe(200);
  exporter.server.closeAllConnections();
  await new Promise<void>((r) => exporter.server.close(() => r()));
  await exporter.stop();
});
