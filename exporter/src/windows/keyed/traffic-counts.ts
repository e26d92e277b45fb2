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

/**
 * A bucket's traffic as JSON (checkpoints): the counts and the latency sketch's bins as [key, count] pairs of its
 * positive and negative stores, with its zero count, sum, min and max. Restored bin by bin, so the quantiles of a
 * restored sketch (and of its merges) are exactly those of the original.
 */
export interface TrafficCountsJson {
  rows: number;
  errors: number;
  latencyMs: {
    count: number;
    zeroCount: number;
    sum: number;
    /** Null when the sketch is empty (±Infinity). */
    min: number | null;
    max: number | null;
    positive: [number, number][];
    negative: [number, number][];
  };
}

function storeBins(store: DDSketch['store']): [number, number][] {
  const out: [number, number][] = [];
  store.bins.forEach((n, i) => {
    if (n > 0) out.push([i + store.offset, n]);
  });
  return out;
}

export function trafficToJson(t: TrafficCounts): TrafficCountsJson {
  const s = t.latencyMs;
  return {
    rows: t.rows,
    errors: t.errors,
    latencyMs: {
      count: s.count,
      zeroCount: s.zeroCount,
      sum: s.sum,
      min: Number.isFinite(s.min) ? s.min : null,
      max: Number.isFinite(s.max) ? s.max : null,
      positive: storeBins(s.store),
      negative: storeBins(s.negativeStore),
    },
  };
}

/** The counts trafficToJson wrote; throws on a document that is not one. */
export function trafficFromJson(json: unknown): TrafficCounts {
  const j = json as TrafficCountsJson;
  const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  const isBins = (x: unknown): x is [number, number][] =>
    Array.isArray(x) &&
    x.every((b) => Array.isArray(b) && b.length === 2 && Number.isInteger(b[0]) && isCount(b[1]) && b[1] > 0);
  const l = j?.latencyMs;
  if (
    typeof j !== 'object' ||
    !isCount(j.rows) ||
    !isCount(j.errors) ||
    typeof l !== 'object' ||
    l === null ||
    !isCount(l.count) ||
    !isCount(l.zeroCount) ||
    typeof l.sum !== 'number' ||
    !isBins(l.positive) ||
    !isBins(l.negative)
  )
    throw new Error('not the traffic counts of a bucket');
  const t = createTrafficCounts();
  t.rows = j.rows;
  t.errors = j.errors;
  const s = t.latencyMs;
  for (const [key, n] of l.positive) s.store.add(key, n);
  for (const [key, n] of l.negative) s.negativeStore.add(key, n);
  s.zeroCount = l.zeroCount;
  s.count = l.count;
  s.sum = l.sum;
  s.min = l.min ?? Infinity;
  s.max = l.max ?? -Infinity;
  return t;
}
