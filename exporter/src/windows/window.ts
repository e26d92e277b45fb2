/**
 * Window arithmetic, pure: which time range the exporter evaluates at a given moment.
 *
 * - tumbling: back-to-back windows aligned to multiples of `sizeSeconds` since the Unix epoch; at time t the
 *   latest window is the last one that has closed: [floor(t/size)·size − size, floor(t/size)·size).
 * - sliding: a window of `sizeSeconds` that moves by `stepSeconds`; its end is aligned to the step:
 *   [floor(t/step)·step − size, floor(t/step)·step).
 * Aligned ends mean two exporter instances (or a restart) evaluate the same ranges. Ranges are half-open,
 * in epoch milliseconds.
 */
export interface TimeRange {
  /** Inclusive start, epoch ms. */
  from: number;
  /** Exclusive end, epoch ms. */
  to: number;
}

export interface WindowSpec {
  kind: 'tumbling' | 'sliding';
  sizeSeconds: number;
  stepSeconds: number;
}

export function latestWindow(nowMs: number, spec: WindowSpec): TimeRange {
  if (!(spec.sizeSeconds > 0)) throw new RangeError('sizeSeconds must be positive');
  const alignMs = (spec.kind === 'tumbling' ? spec.sizeSeconds : spec.stepSeconds) * 1000;
  if (!(alignMs > 0)) throw new RangeError('stepSeconds must be positive');
  const to = Math.floor(nowMs / alignMs) * alignMs;
  return { from: to - spec.sizeSeconds * 1000, to };
}

/** How far back events must be kept to evaluate the latest window (for streaming sources). */
export function retentionMs(spec: WindowSpec): number {
  const alignMs = (spec.kind === 'tumbling' ? spec.sizeSeconds : spec.stepSeconds) * 1000;
  return spec.sizeSeconds * 1000 + alignMs;
}

export function inRange(atMs: number, range: TimeRange): boolean {
  return atMs >= range.from && atMs < range.to;
}

/** The verdict state of a window: a verdict only with enough rows. */
export type WindowStatus = 'ok' | 'insufficient_data' | 'no_baseline' | 'error';

export function hasEnoughSamples(rows: number, minimumSamples: number): boolean {
  return rows >= minimumSamples;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The width of the time buckets a window is merged from, in seconds: `bucketSeconds` when set (it must divide the
 * size and, for sliding windows, the step), else the largest divisor of both that is at most 60 — one minute for
 * the default one-hour window moving by a minute; 10 s for a 10 s tumbling window. Every window boundary is then a
 * bucket boundary, so a window is exactly a set of whole buckets.
 */
export function bucketSecondsFor(spec: WindowSpec & { bucketSeconds?: number | null }): number {
  if (spec.bucketSeconds) return spec.bucketSeconds;
  const g = gcd(spec.sizeSeconds, spec.kind === 'tumbling' ? spec.sizeSeconds : spec.stepSeconds);
  for (let d = Math.min(60, g); d > 1; d--) if (g % d === 0) return d;
  return 1;
}
