/**
 * Generated production traffic for `npm run bench:exporter`: one classifier ("fraud", version "3") with 25 features
 * — 20 numerical (normal, log-normal, uniform, bounded scores, counts; 1–3% missing on a third of them, one key
 * sometimes absent) and 5 categorical (3 to 60 categories, skewed, with rare unseen values and missing ones) — its
 * predicted class, probabilities and confidence, and ground truth for a share of the rows. Deterministic per seed.
 * Events are built as the sidecar writes them (schema/src/inference-event.ts); `roundTrip` gives them as a source
 * hands them over (JSON text parsed), for what holds events in memory.
 */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { mulberry32 } from '../src/drift/reservoir';
import type { CellValue } from '../src/stats/missing';

export const MODEL = 'fraud';
export const MODEL_VERSION = '3';
export const CLASSES = ['legit', 'review', 'fraud'] as const;

const COUNTRIES = Array.from({ length: 30 }, (_, i) => `c${String(i).padStart(2, '0')}`);
const MERCHANTS = Array.from({ length: 60 }, (_, i) => `mcc_${5000 + i * 7}`);
const CATEGORICAL = [
  { name: 'country', values: COUNTRIES, zipf: 1.1, missing: 0.01 },
  { name: 'device', values: ['ios', 'android', 'web', 'pos'], zipf: 0.6, missing: 0 },
  {
    name: 'channel',
    values: ['app', 'web', 'phone', 'branch', 'partner', 'batch'],
    zipf: 0.9,
    missing: 0.005,
  },
  { name: 'merchant_category', values: MERCHANTS, zipf: 1.0, missing: 0.02 },
  { name: 'plan', values: ['basic', 'plus', 'premium'], zipf: 0.5, missing: 0 },
] as const;

type Rng = () => number;

/** Cumulative Zipf weights, to draw category i with probability ∝ 1 / (i + 1)^s. */
function zipfCdf(n: number, s: number): Float64Array {
  const w = Float64Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += w[i];
  let acc = 0;
  for (let i = 0; i < n; i++) w[i] = acc += w[i] / sum;
  return w;
}

function draw(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (u <= cdf[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function normal(r: Rng): number {
  const u = 1 - r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/** The 20 numerical features: a draw each (null = missing), `shift` moves some of them (production drift). */
const NUMERICAL: readonly { name: string; missing: number; draw: (r: Rng, shift: number) => number }[] = [
  {
    name: 'amount',
    missing: 0,
    draw: (r, s) => Math.round(Math.exp(3.5 + s * 0.3 + 1.1 * normal(r)) * 100) / 100,
  },
  { name: 'account_age_days', missing: 0, draw: (r) => Math.floor(-Math.log(1 - r()) * 700) },
  { name: 'txn_count_24h', missing: 0, draw: (r) => Math.floor(-Math.log(1 - r()) * 3) },
  { name: 'txn_count_7d', missing: 0.01, draw: (r) => Math.floor(-Math.log(1 - r()) * 14) },
  { name: 'avg_amount_30d', missing: 0.03, draw: (r) => Math.exp(3.4 + 0.9 * normal(r)) },
  { name: 'distance_km', missing: 0.02, draw: (r, s) => Math.abs(normal(r)) * (40 + s * 15) },
  { name: 'hour_of_day', missing: 0, draw: (r) => Math.floor(r() * 24) },
  {
    name: 'risk_score',
    missing: 0,
    draw: (r, s) => Math.min(1, Math.max(0, 0.2 + s * 0.05 + 0.12 * normal(r))),
  },
  { name: 'ip_reputation', missing: 0.01, draw: (r) => r() ** 2 },
  { name: 'email_age_days', missing: 0.02, draw: (r) => Math.floor(-Math.log(1 - r()) * 1200) },
  { name: 'failed_logins_7d', missing: 0, draw: (r) => (r() < 0.9 ? 0 : Math.floor(r() * 6)) },
  { name: 'balance', missing: 0, draw: (r) => Math.round((2000 + 1500 * normal(r)) * 100) / 100 },
  { name: 'credit_limit', missing: 0.01, draw: (r) => 500 * (1 + Math.floor(r() * 40)) },
  { name: 'utilisation', missing: 0, draw: (r) => r() },
  { name: 'session_seconds', missing: 0, draw: (r) => Math.exp(4 + 0.8 * normal(r)) },
  { name: 'pages_viewed', missing: 0.03, draw: (r) => 1 + Math.floor(-Math.log(1 - r()) * 5) },
  { name: 'device_trust', missing: 0, draw: (r, s) => 0.7 - s * 0.1 + 0.15 * normal(r) },
  { name: 'velocity_ratio', missing: 0, draw: (r) => Math.exp(0.3 * normal(r)) },
  { name: 'merchant_risk', missing: 0.02, draw: (r) => r() * r() },
  { name: 'geo_mismatch', missing: 0, draw: (r) => (r() < 0.07 ? 1 : 0) },
];

export const NUMERICAL_FEATURES = NUMERICAL.map((f) => f.name);
export const CATEGORICAL_FEATURES = CATEGORICAL.map((f) => f.name);
export const FEATURES = [...NUMERICAL_FEATURES, ...CATEGORICAL_FEATURES];

export interface TrafficOptions {
  /** @default 1 */
  seed?: number;
  /** Drift of the current traffic against the reference (0: none). @default 0.3 */
  shift?: number;
}

/** One row: features (an absent key is possible for `session_seconds`) and the model's output. */
interface Row {
  features: InferenceEvent['features'];
  label: string;
  probabilities: Record<string, number>;
  confidence: number;
  truth: string;
}

function makeRow(r: Rng, shift: number, cdfs: readonly Float64Array[]): Row {
  const features: InferenceEvent['features'] = {};
  let logit = -3 + shift * 0.2;
  for (const f of NUMERICAL) {
    if (f.name === 'session_seconds' && r() < 0.01) continue; // the key is absent: missing too
    const x = f.missing > 0 && r() < f.missing ? null : f.draw(r, shift);
    features[f.name] = x;
    if (f.name === 'risk_score' && x !== null) logit += 6 * x;
    if (f.name === 'geo_mismatch' && x === 1) logit += 1.2;
  }
  CATEGORICAL.forEach((c, i) => {
    const u = r();
    if (c.missing > 0 && u < c.missing) features[c.name] = null;
    else if (u > 0.9995)
      features[c.name] = `new_${Math.floor(r() * 200)}`; // unseen in the reference
    else features[c.name] = c.values[draw(cdfs[i], r())];
  });
  const pFraud = 1 / (1 + Math.exp(-logit));
  const pReview = (1 - pFraud) * (0.05 + 0.1 * r());
  const probabilities = { legit: 1 - pFraud - pReview, review: pReview, fraud: pFraud };
  let label: string = 'legit';
  if (pReview > probabilities[label as 'legit']) label = 'review';
  if (pFraud > probabilities[label as 'legit' | 'review']) label = 'fraud';
  const u = r();
  const truth = u < pFraud ? 'fraud' : u < pFraud + pReview ? 'review' : 'legit';
  return {
    features,
    label,
    probabilities,
    confidence: Math.max(pFraud, pReview, 1 - pFraud - pReview),
    truth,
  };
}

/** Reference columns (what `plumbline baseline import` reads): features and the `prediction` column. */
export function referenceColumns(rows: number, seed = 7): Record<string, CellValue[]> {
  const r = mulberry32(seed);
  const cdfs = CATEGORICAL.map((c) => zipfCdf(c.values.length, c.zipf));
  const columns: Record<string, CellValue[]> = { prediction: [] };
  for (const f of FEATURES) columns[f] = [];
  for (let i = 0; i < rows; i++) {
    const row = makeRow(r, 0, cdfs);
    for (const f of FEATURES) columns[f].push(Object.hasOwn(row.features, f) ? row.features[f] : null);
    columns.prediction.push(row.label);
  }
  return columns;
}

/**
 * A stream of inference events at `ratePerSecond`, evenly spaced from `fromMs`, and the ground truth of a share
 * `labelledShare` of them (sent `labelDelayMs` after its prediction; same request and row).
 */
export class TrafficGenerator {
  private readonly r: Rng;
  private readonly shift: number;
  private readonly cdfs = CATEGORICAL.map((c) => zipfCdf(c.values.length, c.zipf));
  private request = '';
  private rowsLeft = 0;
  private row = 0;
  private serial = 0;

  constructor(options: TrafficOptions = {}) {
    this.r = mulberry32(options.seed ?? 1);
    this.shift = options.shift ?? 0.3;
  }

  /** The next event, at `atMs`; with its ground truth when the row is labelled (`labelledShare`). */
  next(atMs: number, labelledShare: number, labelDelayMs: number): [InferenceEvent, FeedbackEvent | null] {
    if (this.rowsLeft === 0) {
      // Requests of 1 to 4 rows; ids like the sidecar's (32 hex digits).
      this.serial++;
      this.request = `${(this.r() * 2 ** 32).toString(16).padStart(8, '0')}${this.serial.toString(16).padStart(24, '0')}`;
      this.rowsLeft = 1 + Math.floor(this.r() * 4);
      this.row = 0;
    }
    const row = this.row++;
    this.rowsLeft--;
    const d = makeRow(this.r, this.shift, this.cdfs);
    const event: InferenceEvent = {
      schema_version: 1,
      event_id: `${this.request}:${row}`,
      request_id: this.request,
      row,
      '@timestamp': new Date(atMs).toISOString(),
      model: { name: MODEL, version: MODEL_VERSION },
      protocol: 'v2',
      parsed: true,
      features: d.features,
      outputs: {
        label: d.label,
        value: null,
        probabilities: d.probabilities,
        confidence: d.confidence,
        invalid: null,
      },
      latency_ms: { total: 3 + this.r() * 10, upstream: 2 + this.r() * 8 },
      http_status: 200,
      error: null,
    };
    if (!(this.r() < labelledShare)) return [event, null];
    const feedback: FeedbackEvent = {
      schema_version: 1,
      event_id: `${this.request}:${row}:feedback`,
      request_id: this.request,
      row,
      '@timestamp': new Date(atMs + labelDelayMs).toISOString(),
      model: { name: MODEL, version: MODEL_VERSION },
      ground_truth: d.truth,
      source: 'review-queue',
    };
    return [event, feedback];
  }
}

/** An event as a source hands it over: its JSON text (a Kafka message, a spool entry, an Elasticsearch hit) parsed. */
export function roundTrip<T>(event: T): unknown {
  return JSON.parse(JSON.stringify(event)) as unknown;
}
