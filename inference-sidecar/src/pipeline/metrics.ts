/**
 * The pipeline's Prometheus metrics, from the catalog (schema/src/metric-names.ts) on the injected Registry.
 * Get-or-create (getOrCreateMetric): capture creates the other SIDECAR_METRICS on the same Registry, and either
 * may come first.
 */
import { Registry, type Counter, type Gauge } from 'prom-client';
import { getOrCreateMetric, SIDECAR_METRICS } from '@plumbline/schema';

export interface PipelineMetrics {
  queueDepth: Gauge<string>;
  written: Counter<string>;
  spooled: Counter<string>;
  replayed: Counter<string>;
  dropped: Counter<string>;
  spoolBytes: Gauge<string>;
}

export function createPipelineMetrics(registry: Registry = new Registry()): PipelineMetrics {
  return {
    queueDepth: getOrCreateMetric(registry, SIDECAR_METRICS.sinkQueueDepth),
    written: getOrCreateMetric(registry, SIDECAR_METRICS.sinkWritten),
    spooled: getOrCreateMetric(registry, SIDECAR_METRICS.spooled),
    replayed: getOrCreateMetric(registry, SIDECAR_METRICS.replayed),
    dropped: getOrCreateMetric(registry, SIDECAR_METRICS.dropped),
    spoolBytes: getOrCreateMetric(registry, SIDECAR_METRICS.spoolBytes),
  };
}

/** Reasons of dropped{reason}: kept in one place so docs and code agree. */
export const DROP_REASONS = {
  /** Not captured by the model's sampling rate (sink="capture"; by design, not a loss). */
  sampledOut: 'sampled_out',
  /** Exchanges the proxy thread could not hand to the capture thread (sink="capture"; the requests were proxied). */
  captureBacklog: 'capture_backlog',
  /** The spool was at its size bound: the oldest segment went (or a batch bigger than the bound was refused). */
  spoolFull: 'spool_full',
  /** The in-memory queue was full and there is no spool to spill to. */
  queueFull: 'queue_full',
  /** The backend refused the record for good (mapping error, invalid document). Kept in the dead-letter stream. */
  rejected: 'rejected',
  /** Larger than the backend accepts (Kafka message.max.bytes). Kept in the dead-letter stream. */
  oversize: 'oversize',
  /** The spool could not be written (disk error) while the sink was down. */
  spoolError: 'spool_error',
  /** submit() after close(). */
  closed: 'closed',
  /** A sink's lane threw when handed the events (a bug: the log line `submit to the sink failed` has the error). */
  submitError: 'submit_error',
  /** Past the retention age while still waiting in the spool for its sink (retention.maxAgeSeconds). */
  expired: 'expired',
} as const;
