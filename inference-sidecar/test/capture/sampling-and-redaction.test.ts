import pino from 'pino';
import { Registry } from 'prom-client';
import { validateInferenceEvent } from '@plumbline/schema';
import { createCapture } from '../../src/capture/capture';
import type { Exchange } from '../../src/capture/exchange';
import { sha256Hex } from '../../src/capture/redact';
import { parseConfig, type SidecarConfigInput } from '../../src/config';
import { createSidecarMetrics } from '../../src/metrics/sidecar-metrics';
import { testExchange } from '../helpers/exchange';
import { memoryPipeline } from '../helpers/memory-pipeline';

function exchange(
  id: string,
  request: unknown,
  response: unknown,
  path = '/v1/models/users:predict',
): Exchange {
  return testExchange(path, request as object, response as object, {
    requestId: id,
    totalMs: 2.5,
    upstreamMs: 2.25,
  });
}

function setup(config: Partial<SidecarConfigInput>, random = () => 0.5) {
  const registry = new Registry();
  const pipeline = memoryPipeline();
  const capture = createCapture({
    config: parseConfig({ upstream: 'http://127.0.0.1:1', ...config }),
    metrics: createSidecarMetrics(registry),
    pipeline,
    logger: pino({ level: 'silent' }),
    random,
  });
  return { registry, pipeline, capture };
}

describe('capture: events, redaction and sampling', () => {
  it('builds one valid InferenceEvent per row with ids, timestamp and latencies', () => {
    const { capture } = setup({});
    const events = capture.toEvents(
      exchange(
        'r-9',
        {
          instances: [
            [1, 2],
            [3, 4],
          ],
        },
        { predictions: [0, 1] },
      ),
    );
    expect(events).toHaveLength(2);
    for (const e of events) expect(validateInferenceEvent(e)).toMatchObject({ ok: true });
    expect(events[1]).toMatchObject({
      schema_version: 1,
      event_id: 'r-9:1',
      request_id: 'r-9',
      row: 1,
      '@timestamp': '2026-01-02T03:04:05.678Z',
      model: { name: 'users', version: null },
      protocol: 'kserve-v1',
      latency_ms: { total: 2.5, upstream: 2.25 },
    });
  });

  it('drops or hashes configured fields per model, leaving other models alone', () => {
    const { capture } = setup({ models: { users: { redact: { email: 'sha256', ssn: 'drop' } } } });
    const row = { email: 'ada@example.com', ssn: '123-45-6789', age: 36 };
    const [event] = capture.toEvents(exchange('r-1', { instances: [row] }, { predictions: [1] }));
    expect(event.features).toEqual({ email: sha256Hex('ada@example.com'), age: 36 });
    expect(event.features.email).toMatch(/^[0-9a-f]{64}$/);
    const [other] = capture.toEvents(
      exchange('r-2', { instances: [row] }, { predictions: [1] }, '/v1/models/other:predict'),
    );
    expect(other.features).toEqual(row);
  });

  it("applies the '*' entry to models without their own", () => {
    const { capture } = setup({ models: { '*': { redact: { name: 'drop' } } } });
    const [event] = capture.toEvents(
      exchange('r-1', { instances: [{ name: 'Ada', x: 1 }] }, { predictions: [1] }),
    );
    expect(event.features).toEqual({ x: 1 });
  });

  it('keeps or drops a request whole at the sample rate, counting drops; metrics see every request', () => {
    let next = 0;
    const draws = [0.05, 0.5, 0.15, 0.95];
    const { capture, registry } = setup({ models: { users: { sampleRate: 0.2 } } }, () => draws[next++]);
    const kept = draws.map(
      (_, i) =>
        capture.toEvents(exchange(`s-${i}`, { instances: [[1], [2]] }, { predictions: [0, 1] })).length,
    );
    expect(kept).toEqual([2, 0, 2, 0]);
    return registry.metrics().then((text) => {
      expect(text).toMatch(/plumbline_sidecar_events_dropped_total\{sink="capture",reason="sampled_out"\} 4/);
      expect(text).toMatch(/plumbline_sidecar_events_total\{model="users",model_version=""\} 8/);
      expect(text).toMatch(
        /plumbline_sidecar_predictions_total\{model="users",model_version="",class="1"\} 4/,
      );
    });
  });

  it('submits only after the current turn of the event loop (never inside the response write)', async () => {
    const { capture, pipeline } = setup({});
    capture.record(exchange('later', { instances: [[1]] }, { predictions: [1] }));
    expect(pipeline.events).toHaveLength(0);
    await pipeline.waitForEvents(1);
    expect(pipeline.events[0].event_id).toBe('later:0');
  });
});
