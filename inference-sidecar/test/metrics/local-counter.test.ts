/**
 * LocalCounter (src/metrics/local-counter.ts) exports exactly what prom-client's Counter exports for the same
 * increments — Prometheus text and JSON, series in the same order — so swapping it in for the capture thread's
 * counters changes no series.
 */
import { createMetric, SIDECAR_METRICS } from '@plumbline/schema';
import { Registry } from 'prom-client';
import { LocalCounter } from '../../src/metrics/local-counter';

const REQUESTS = SIDECAR_METRICS.requests;
const EVENTS = SIDECAR_METRICS.events;

/** Increments of 1, of n, of 0 (a series all the same), a version label and a model name that needs escaping. */
const INCREMENTS: [descriptor: 'requests' | 'events', labels: string[], by: number | undefined][] = [
  ['requests', ['iris', '', 'v2', '200'], undefined],
  ['events', ['iris', ''], 0],
  ['requests', ['we"ird\\name', '3', 'kserve-v1', '502'], undefined],
  ['requests', ['iris', '', 'v2', '200'], 1],
  ['events', ['iris', '3'], 4],
  ['events', ['iris', ''], 2.5],
];

function both(): {
  reference: Registry;
  local: Registry;
  inc: (kind: 'requests' | 'events', labels: string[], by: number | undefined) => void;
} {
  const reference = new Registry();
  const local = new Registry();
  const refs = { requests: createMetric(reference, REQUESTS), events: createMetric(reference, EVENTS) };
  const locals = { requests: new LocalCounter(local, REQUESTS), events: new LocalCounter(local, EVENTS) };
  return {
    reference,
    local,
    inc: (kind, labels, by) => {
      refs[kind].labels(...labels).inc(by);
      locals[kind].series(...labels)(by);
    },
  };
}

describe('LocalCounter', () => {
  it('exports the same Prometheus text and JSON as prom-client’s Counter for the same increments', async () => {
    const { reference, local, inc } = both();
    for (const [kind, labels, by] of INCREMENTS) inc(kind, labels, by);
    const text = await reference.metrics();
    expect(text).toContain(
      'plumbline_sidecar_requests_total{model="iris",model_version="",protocol="v2",status="200"} 2',
    );
    expect(text).toContain('plumbline_sidecar_events_total{model="iris",model_version=""} 2.5');
    expect(await local.metrics()).toBe(text);
    expect(await local.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON());
  });

  it('exports nothing for a series not incremented, and starts again from zero after a reset', async () => {
    const { reference, local, inc } = both();
    const unincremented = new Registry();
    new LocalCounter(unincremented, REQUESTS).series('iris', '', 'v2', '200');
    const unincrementedReference = new Registry();
    createMetric(unincrementedReference, REQUESTS).labels('iris', '', 'v2', '200');
    expect(await unincremented.metrics()).toBe(await unincrementedReference.metrics());

    for (const [kind, labels, by] of INCREMENTS) inc(kind, labels, by);
    reference.resetMetrics();
    local.resetMetrics();
    expect(await local.metrics()).toBe(await reference.metrics());
    inc('events', ['iris', '3'], 1);
    inc('requests', ['iris', '', 'v2', '200'], undefined);
    expect(await local.metrics()).toBe(await reference.metrics());
    expect(await local.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON());
  });

  it('refuses what prom-client refuses: a decrease, a value that is not a finite number, a wrong label count', () => {
    const counter = new LocalCounter(new Registry(), EVENTS);
    const inc = counter.series('iris', '');
    expect(() => inc(-1)).toThrow(/not possible to decrease/);
    expect(() => inc(Number.NaN)).toThrow(/not a valid number/);
    expect(() => counter.series('iris')).toThrow(/2 label values expected, got 1/);
  });
});
