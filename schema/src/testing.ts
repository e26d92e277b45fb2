/**
 * Test fixtures for every workspace that handles inference events (`@plumbline/schema/testing`): one valid event
 * factory, so the schema's own tests, the spool's and the sidecar's build the same event. Not part of the package's
 * main entry; production code never imports it.
 */
import { inferenceEventId, type InferenceEvent } from './inference-event';
import { METRIC_CATALOG, type MetricDescriptor } from './metric-names';

/**
 * A valid v2 inference event, numbered `i`: request `req-${i}` (or `requestId`), row 0, model `model` version '1', a
 * timestamp `i % 1000` ms after 2026-01-01T00:00:00Z, a numeric and a categorical feature, and a setosa prediction.
 */
export function makeEvent(i: number, model = 'iris', requestId = `req-${i}`): InferenceEvent {
  return {
    schema_version: 1,
    event_id: inferenceEventId(requestId, 0),
    request_id: requestId,
    row: 0,
    '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i % 1000)).toISOString(),
    model: { name: model, version: '1' },
    protocol: 'v2',
    parsed: true,
    features: { sepal_length: 5 + (i % 10) / 10, species_hint: 'a' },
    outputs: {
      label: 'setosa',
      value: null,
      probabilities: { setosa: 0.9, versicolor: 0.1 },
      confidence: 0.9,
      invalid: null,
    },
    latency_ms: { total: 1.5, upstream: 1.2 },
    http_status: 200,
    error: null,
  };
}

/** `n` events numbered from `start`: makeEvent(start) … makeEvent(start + n - 1). */
export function makeEvents(n: number, start = 0): InferenceEvent[] {
  return Array.from({ length: n }, (_, i) => makeEvent(start + i));
}

/** The metric families of a Prometheus text exposition: name → type, from its `# TYPE` lines. */
export function metricFamilies(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(name, type);
  return out;
}

/**
 * What is wrong with a service's /metrics text against the catalog: families no descriptor of `emitter` names (or
 * of another type), and the `expected` descriptors that are missing. Empty when the two agree.
 */
export function catalogMismatches(
  text: string,
  emitter: MetricDescriptor['emitter'],
  expected: readonly MetricDescriptor[],
): string[] {
  const families = metricFamilies(text);
  const catalog = new Map(METRIC_CATALOG.filter((d) => d.emitter === emitter).map((d) => [d.name, d]));
  const problems: string[] = [];
  for (const [name, type] of families) {
    const d = catalog.get(name);
    if (!d) problems.push(`${name} is exposed but not in the ${emitter}'s catalog`);
    else if (d.type !== type) problems.push(`${name} is exposed as a ${type}, the catalog says ${d.type}`);
  }
  for (const d of expected) if (!families.has(d.name)) problems.push(`${d.name} is missing`);
  return problems;
}
