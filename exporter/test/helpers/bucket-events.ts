/**
 * Inference events and a reference profile for the window-bucket tests (exporter/src/windows/buckets): a
 * numerical feature with every kind of awkward value, one with a large offset, a categorical one with unseen
 * values, and a classifier's output as the prediction column. Deterministic for a seed.
 */
import type { FeatureValue, InferenceEvent } from '@plumbline/schema';
import { buildReferenceProfile } from '../../src/drift/in-memory-profile-builder';
import type { ReferenceProfile } from '../../src/drift/profile-types';
import { mulberry32 } from '../../src/drift/reservoir';
import type { CellValue } from '../../src/stats/missing';
import type { BucketSchema } from '../../src/windows/buckets/bucket-schema';
import {
  bucketStartFor,
  createBucketState,
  foldEvent,
  type BucketState,
} from '../../src/windows/buckets/bucket-state';
import {
  mergeBuckets,
  type MergeBucketsOptions,
  type WindowState,
} from '../../src/windows/buckets/merge-buckets';

export const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

/** mulberry32 (the reservoir's generator): a small seeded generator for test data. */
export const testRandom = mulberry32;

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

export interface StreamOptions {
  readonly seed: number;
  /** Shift of x's mean (drift), in its standard deviations. @default 0 */
  readonly shift?: number;
  /** Events are spread evenly over this many ms from T0. @default 600000 (ten minutes) */
  readonly spanMs?: number;
  /** Include awkward values (missing in every form, strings, booleans, ±Infinity, numbers in `color`). */
  readonly awkward?: boolean;
  readonly model?: string;
}

/** `n` events of model `m` (default), spread over `spanMs` from T0. */
export function makeStream(n: number, options: StreamOptions): InferenceEvent[] {
  const r = testRandom(options.seed);
  const span = options.spanMs ?? 600_000;
  const awkward = options.awkward ?? true;
  const events: InferenceEvent[] = [];
  for (let i = 0; i < n; i++) {
    const features: Record<string, FeatureValue> = {};
    const u = r();
    let x: FeatureValue = 10 + 2 * (normal(r) + (options.shift ?? 0));
    if (awkward) {
      if (u < 0.02) x = null;
      else if (u < 0.03) x = '';
      else if (u < 0.04) x = Number.NaN;
      else if (u < 0.045) x = 'NaN';
      else if (u < 0.055) x = String(Math.round(x * 100) / 100);
      else if (u < 0.06) x = 'abc';
      else if (u < 0.065) x = true;
      else if (u < 0.068) x = Number.POSITIVE_INFINITY;
      else if (u < 0.07) x = Number.NEGATIVE_INFINITY;
    }
    if (!(awkward && u >= 0.07 && u < 0.08)) features.x = x; // else the key is absent
    features.y = 1e6 + normal(r) * (awkward ? 1 : 3);
    const c = r();
    let color: FeatureValue =
      c < 0.4
        ? 'red'
        : c < 0.7
          ? 'green'
          : c < 0.9
            ? 'blue'
            : c < 0.95
              ? 'purple'
              : `u${Math.floor(r() * 30)}`;
    if (awkward && c > 0.99) color = Math.floor(r() * 3);
    if (awkward && r() < 0.03) color = null;
    features.color = color;
    const p = r();
    const label = p < 0.5 ? 'a' : p < 0.8 ? 'b' : p < 0.98 ? 'c' : null;
    const conf = label === null ? null : Math.round((0.34 + 0.66 * r()) * 1000) / 1000;
    events.push({
      schema_version: 1,
      event_id: `r${options.seed}-${i}:0`,
      request_id: `r${options.seed}-${i}`,
      row: 0,
      '@timestamp': new Date(T0 + Math.floor((i * span) / n)).toISOString(),
      model: { name: options.model ?? 'm', version: r() < 0.9 ? '1' : '2' },
      protocol: 'v2',
      parsed: true,
      features,
      outputs: {
        label,
        value: null,
        probabilities: null,
        confidence: conf,
        invalid: label === null ? 'null' : null,
      },
      latency_ms: { total: 1, upstream: 1 },
      http_status: 200,
      error: null,
    });
  }
  return events;
}

/** The columns the service's evaluateWindow gives the detector: features, and the prediction column. */
export function columnsOf(events: readonly InferenceEvent[]): Record<string, CellValue[]> {
  const col = (name: string): CellValue[] =>
    events.map((e) => (Object.prototype.hasOwnProperty.call(e.features, name) ? e.features[name] : null));
  return {
    x: col('x'),
    y: col('y'),
    color: col('color'),
    pred: events.map((e) => e.outputs.label ?? e.outputs.value),
  };
}

/** A reference profile of clean data like the stream's (`pred` is the prediction column). */
export function makeProfile(n = 3000, seed = 7): ReferenceProfile {
  const events = makeStream(n, { seed, awkward: false });
  const columns = columnsOf(events);
  // The reference never saw 'purple' nor the u* values: make them unseen.
  columns.color = columns.color.map((c) => (c === 'purple' || String(c).startsWith('u') ? 'red' : c));
  return buildReferenceProfile(columns, { predictionColumn: 'pred', columnTypes: { color: 'categorical' } });
}

/** The window of `events` (one model): each folded into its one-minute bucket, the buckets merged. */
export function windowOf(
  events: readonly InferenceEvent[],
  schema: BucketSchema,
  options: MergeBucketsOptions = {},
): WindowState {
  const buckets = new Map<number, BucketState>();
  for (const e of events) {
    const start = bucketStartFor(Date.parse(e['@timestamp']));
    let b = buckets.get(start);
    if (!b) buckets.set(start, (b = createBucketState(schema, { model: e.model.name, startMs: start })));
    foldEvent(b, schema, e);
  }
  return mergeBuckets(schema, [...buckets.values()], options);
}

/**
 * A regression model's events: `a` numerical with +Infinity only (no −Infinity) and strings, `b` categorical with
 * unseen values and numbers, `c` a feature the window never sees, and the numerical prediction `outputs.value`.
 */
export function makeRegressionStream(n: number, seed: number, shift = 0): InferenceEvent[] {
  const r = testRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const u = r();
    let a: FeatureValue = 3 * r() + shift;
    if (u < 0.02) a = Number.POSITIVE_INFINITY;
    else if (u < 0.05) a = null;
    else if (u < 0.07) a = 'n/a';
    else if (u < 0.1) a = String(a);
    const v = r();
    const b: FeatureValue = v < 0.5 ? 'x' : v < 0.9 ? 'y' : v < 0.95 ? `new${Math.floor(r() * 5)}` : 7;
    return {
      schema_version: 1,
      event_id: `g${seed}-${i}:0`,
      request_id: `g${seed}-${i}`,
      row: 0,
      '@timestamp': new Date(T0 + Math.floor((i * 240_000) / n)).toISOString(),
      model: { name: 'reg', version: '1' },
      protocol: 'v2',
      parsed: true,
      features: { a, b },
      outputs: { label: null, value: 10 * r() + shift, probabilities: null, confidence: null, invalid: null },
      latency_ms: { total: 1, upstream: 1 },
      http_status: 200,
      error: null,
    };
  });
}

/** makeRegressionStream's reference: clean `a`, `b` of x and y only, `c`, the prediction `pred`, the label `truth`. */
export function makeRegressionProfile(): ReferenceProfile {
  const r = testRandom(99);
  const rows = 2000;
  const col = (f: () => CellValue) => Array.from({ length: rows }, f);
  return buildReferenceProfile(
    {
      a: col(() => 3 * r()),
      b: col(() => (r() < 0.55 ? 'x' : 'y')),
      c: col(() => r()),
      pred: col(() => 10 * r()),
      truth: col(() => 10 * r()),
    },
    { predictionColumn: 'pred', labelColumn: 'truth', columnTypes: { b: 'categorical' } },
  );
}

/** The columns the service builds from regression events (no label column: the window has no feedback). */
export function regressionColumnsOf(events: readonly InferenceEvent[]): Record<string, CellValue[]> {
  const col = (name: string) =>
    events.map((e) => (Object.prototype.hasOwnProperty.call(e.features, name) ? e.features[name] : null));
  return { a: col('a'), b: col('b'), c: col('c'), pred: events.map((e) => e.outputs.value) };
}
