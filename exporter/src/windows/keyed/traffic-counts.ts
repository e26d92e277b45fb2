import { DDSketch } from '@datadog/sketches-js';
import type { InferenceEvent } from '@plumbline/schema';

/** Relative accuracy of the latency sketches: a quantile is within 1% of the true value. */
export const LATENCY_RELATIVE_ACCURACY = 0.01;

/**
 * What a slice's bucket keeps of the traffic itself, beside the folded features: rows, errored rows (an HTTP status
 * of 400 or more, or an `error` the sidecar recorded) and the rows' total latency (`latency_ms.total`) in a
 * DDSketch (mergeable; quantiles within 1%). Reference: Masson, Rim & Lee, "DDSketch", VLDB 2019.
 */
export interface TrafficCounts {
  rows: number;
  errors: number;
  readonly latencyMs: DDSketch;
}

export function createTrafficCounts(): TrafficCounts {
  return { rows: 0, errors: 0, latencyMs: new DDSketch({ relativeAccuracy: LATENCY_RELATIVE_ACCURACY }) };
}

/** True when the row failed: the client got a 4xx/5xx, or the sidecar recorded an error. */
export function isErrorEvent(event: InferenceEvent): boolean {
  return event.http_status >= 400 || event.error !== null;
}

export function foldTraffic(t: TrafficCounts, event: InferenceEvent): void {
  t.rows++;
  if (isErrorEvent(event)) t.errors++;
  const ms = event.latency_ms.total;
  if (Number.isFinite(ms) && ms >= 0) t.latencyMs.accept(ms);
}

/** The traffic figures of a window: its buckets' counts merged. */
export interface TrafficFigures {
  rows: number;
  errors: number;
  /** errors / rows; null without rows. */
  errorRate: number | null;
  /** Latency quantiles of the rows, ms (within 1%); null without rows. */
  latencyMs: { p50: number; p90: number; p99: number } | null;
}

export function trafficFigures(buckets: readonly TrafficCounts[]): TrafficFigures {
  const merged = createTrafficCounts();
  for (const b of buckets) {
    merged.rows += b.rows;
    merged.errors += b.errors;
    if (b.latencyMs.count > 0) merged.latencyMs.merge(b.latencyMs);
  }
  const q = (p: number) => merged.latencyMs.getValueAtQuantile(p);
  return {
    rows: merged.rows,
    errors: merged.errors,
    errorRate: merged.rows > 0 ? merged.errors / merged.rows : null,
    latencyMs: merged.latencyMs.count > 0 ? { p50: q(0.5), p90: q(0.9), p99: q(0.99) } : null,
  };
}
