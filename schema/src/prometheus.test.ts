import { Gauge, Registry, Summary } from 'prom-client';
import { createMetric, createMetrics, EXPORTER_METRICS, getOrCreateMetric, SIDECAR_METRICS } from './index';

describe('createMetrics', () => {
  it('registers catalog metrics on the given registry only', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, SIDECAR_METRICS);
    metrics.requests.inc({ model: 'iris', model_version: '1', protocol: 'v2', status: '200' });
    metrics.requestDuration.observe({ model: 'iris', model_version: '1', protocol: 'v2' }, 0.002);
    const text = await registry.metrics();
    expect(text).toContain(
      'plumbline_sidecar_requests_total{model="iris",model_version="1",protocol="v2",status="200"} 1',
    );
    expect(text).toContain(
      'plumbline_sidecar_request_duration_seconds_bucket{le="0.0025",model="iris",model_version="1",protocol="v2"} 1',
    );
    expect(() => metrics.requests.inc({ payload: 'x' } as never)).toThrow();
  });
});

describe('getOrCreateMetric', () => {
  it('creates the metric on first use and returns the same one afterwards', async () => {
    const registry = new Registry();
    const first = getOrCreateMetric(registry, SIDECAR_METRICS.dropped);
    const second = getOrCreateMetric(registry, SIDECAR_METRICS.dropped);
    expect(second).toBe(first);
    expect(registry.getMetricsAsArray()).toHaveLength(1);
    second.inc({ sink: 'capture', reason: 'sampled_out' }, 2);
    expect(await registry.metrics()).toContain(
      'plumbline_sidecar_events_dropped_total{sink="capture",reason="sampled_out"} 2',
    );
  });

  it('reuses a metric that createMetric registered first', () => {
    const registry = new Registry();
    const created = createMetric(registry, EXPORTER_METRICS.retrainRequests);
    expect(getOrCreateMetric(registry, EXPORTER_METRICS.retrainRequests)).toBe(created);
  });

  it('fails, naming the metric and both types, when the registered metric is of another type', () => {
    const registry = new Registry();
    const counter = SIDECAR_METRICS.dropped;
    new Gauge({ name: counter.name, help: 'not from the catalog', registers: [registry] });
    expect(() => getOrCreateMetric(registry, counter)).toThrow(
      new TypeError(
        `metric ${counter.name} is already registered on this registry as a gauge metric, ` +
          'but the catalog declares a counter',
      ),
    );
    const histogram = SIDECAR_METRICS.requestDuration;
    new Summary({ name: histogram.name, help: 'not from the catalog', registers: [registry] });
    expect(() => getOrCreateMetric(registry, histogram)).toThrow(
      /as a summary metric, but the catalog declares a histogram/,
    );
  });
});
