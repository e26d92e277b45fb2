/**
 * Creates prom-client metrics from catalog descriptors on an injected Registry (never the global one), so a
 * service can only emit what the catalog lists, with the catalog's labels and buckets. getOrCreateMetric is the
 * one way for two modules that share a Registry to share a metric (whichever comes first registers it).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Summary, type Registry } from 'prom-client';
import {
  PROCESS_METRICS_DROPPED,
  PROCESS_METRICS_OPTIONS,
  PROCESS_METRICS_PREFIX,
  type MetricDescriptor,
} from './metric-names';

export type MetricFor<D extends MetricDescriptor> = D['type'] extends 'counter'
  ? Counter<string>
  : D['type'] extends 'gauge'
    ? Gauge<string>
    : Histogram<string>;

export function createMetric<D extends MetricDescriptor>(registry: Registry, descriptor: D): MetricFor<D> {
  const base = {
    name: descriptor.name,
    help: descriptor.help,
    labelNames: [...descriptor.labels],
    registers: [registry],
  };
  switch (descriptor.type) {
    case 'counter':
      return new Counter(base) as MetricFor<D>;
    case 'gauge':
      return new Gauge(base) as MetricFor<D>;
    case 'histogram':
      return new Histogram({ ...base, buckets: [...(descriptor.buckets ?? [])] }) as MetricFor<D>;
  }
}

/** What kind of prom-client metric `metric` is, named as a catalog `type` is. */
function kindOf(metric: unknown): string {
  if (metric instanceof Counter) return 'counter';
  if (metric instanceof Gauge) return 'gauge';
  if (metric instanceof Histogram) return 'histogram';
  if (metric instanceof Summary) return 'summary';
  return 'unknown';
}

/**
 * The metric named `descriptor.name` on `registry`: the one already registered (by another module sharing the
 * registry), or a new one from the descriptor. Throws a TypeError if the registered one is not of the
 * descriptor's type (e.g. a gauge where the catalog declares a counter), rather than returning a metric that
 * lacks the methods its type promises.
 *
 * @example
 * const dropped = getOrCreateMetric(registry, SIDECAR_METRICS.dropped); // Counter<string>
 */
export function getOrCreateMetric<D extends MetricDescriptor>(
  registry: Registry,
  descriptor: D,
): MetricFor<D> {
  const existing = registry.getSingleMetric(descriptor.name);
  if (existing === undefined) return createMetric(registry, descriptor);
  const kind = kindOf(existing);
  if (kind !== descriptor.type) {
    throw new TypeError(
      `metric ${descriptor.name} is already registered on this registry as a ${kind} metric, ` +
        `but the catalog declares a ${descriptor.type}`,
    );
  }
  return existing as MetricFor<D>;
}

/** All metrics of a catalog section at once: `createMetrics(registry, SIDECAR_METRICS).requests.inc(...)`. */
export function createMetrics<T extends Record<string, MetricDescriptor>>(
  registry: Registry,
  section: T,
): { [K in keyof T]: MetricFor<T[K]> } {
  const out = {} as { [K in keyof T]: MetricFor<T[K]> };
  for (const key of Object.keys(section) as (keyof T)[]) out[key] = createMetric(registry, section[key]);
  return out;
}

/**
 * Registers prom-client's default metrics (CPU, memory, event-loop delay, GC, heap, handles) on `registry` under
 * the emitter's catalog prefix (SIDECAR_PROCESS_METRICS / EXPORTER_PROCESS_METRICS), with the catalog's options,
 * minus the `_total`-named gauges promtool rejects (PROCESS_METRICS_DROPPED).
 *
 * Call it once per registry, on the thread whose event loop and heap the metrics should describe: prom-client
 * starts an event-loop delay monitor and a GC observer for the life of the thread, and neither can be stopped.
 *
 * @example
 * collectProcessMetrics(registry, 'exporter'); // plumbline_exporter_process_cpu_seconds_total, …
 */
export function collectProcessMetrics(registry: Registry, emitter: 'sidecar' | 'exporter'): void {
  const prefix = PROCESS_METRICS_PREFIX[emitter];
  collectDefaultMetrics({
    register: registry,
    prefix,
    eventLoopMonitoringPrecision: PROCESS_METRICS_OPTIONS.eventLoopMonitoringPrecision,
    gcDurationBuckets: [...PROCESS_METRICS_OPTIONS.gcDurationBuckets],
  });
  for (const name of PROCESS_METRICS_DROPPED) registry.removeSingleMetric(`${prefix}${name}`);
}
