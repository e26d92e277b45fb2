/**
 * LocalHistogram (src/metrics/local-histogram.ts) exports exactly what prom-client's Histogram exports for the same
 * observations — Prometheus text and JSON — so swapping it in for the capture thread's histograms changes no series.
 */
import { createMetric, SIDECAR_METRICS } from '@plumbline/schema';
import { Registry } from 'prom-client';
import { LocalHistogram } from '../../src/metrics/local-histogram';

const DURATION = SIDECAR_METRICS.requestDuration;
const BYTES = SIDECAR_METRICS.payloadBytes;

/** Seconds on, between and past the catalog's bounds, bytes of every size, and a model name that needs escaping. */
const OBSERVATIONS: [descriptor: 'duration' | 'bytes', labels: string[], value: number][] = [
  ['duration', ['iris', '', 'v2'], 0.0004],
  ['duration', ['iris', '', 'v2'], 0.005],
  ['duration', ['iris', '', 'v2'], 0.0123],
  ['duration', ['iris', '3', 'v2'], 42],
  ['duration', ['we"ird\\name', '', 'kserve-v1'], 0.25],
  ['bytes', ['iris', '', 'request'], 97],
  ['bytes', ['iris', '', 'response'], 3_000_000],
  ['bytes', ['iris', '', 'request'], 0],
];

function both(): {
  reference: Registry;
  local: Registry;
  observe: (kind: 'duration' | 'bytes', labels: string[], value: number) => void;
} {
  const reference = new Registry();
  const local = new Registry();
  const refs = { duration: createMetric(reference, DURATION), bytes: createMetric(reference, BYTES) };
  const locals = { duration: new LocalHistogram(local, DURATION), bytes: new LocalHistogram(local, BYTES) };
  return {
    reference,
    local,
    observe: (kind, labels, value) => {
      refs[kind].labels(...labels).observe(value);
      locals[kind].series(...labels)(value);
    },
  };
}

describe('LocalHistogram', () => {
  it('exports the same Prometheus text and JSON as prom-client’s Histogram for the same observations', async () => {
    const { reference, local, observe } = both();
    for (const [kind, labels, value] of OBSERVATIONS) observe(kind, labels, value);
    const text = await reference.metrics();
    expect(text).toContain('plumbline_sidecar_request_duration_seconds_bucket{le="0.005",model="iris"');
    expect(await local.metrics()).toBe(text);
    expect(await local.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON());
  });

  it('exports nothing for a series not observed, and starts again from zero after a reset', async () => {
    const { reference, local, observe } = both();
    const unobserved = new Registry();
    new LocalHistogram(unobserved, DURATION).series('iris', '', 'v2');
    const unobservedReference = new Registry();
    createMetric(unobservedReference, DURATION).labels('iris', '', 'v2');
    expect(await unobserved.metrics()).toBe(await unobservedReference.metrics());
    expect(await unobserved.metrics()).not.toContain('_bucket');
    for (const [kind, labels, value] of OBSERVATIONS) observe(kind, labels, value);
    reference.resetMetrics();
    local.resetMetrics();
    expect(await local.metrics()).toBe(await reference.metrics());
    observe('duration', ['iris', '', 'v2'], 0.002);
    expect(await local.metrics()).toBe(await reference.metrics());
  });

  it('does not observe a value that is not a finite number (prom-client throws, which lost a capture)', async () => {
    const registry = new Registry();
    const observe = new LocalHistogram(registry, SIDECAR_METRICS.featureValue).series('iris', '', 'x');
    observe(Number.NaN);
    observe(Number.POSITIVE_INFINITY);
    observe(1.5);
    const text = await registry.metrics();
    expect(text).toContain(
      'plumbline_sidecar_feature_value_count{model="iris",model_version="",feature="x"} 1',
    );
    expect(text).toContain(
      'plumbline_sidecar_feature_value_sum{model="iris",model_version="",feature="x"} 1.5',
    );
  });
});
