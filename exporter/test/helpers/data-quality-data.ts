/**
 * Realistic rows for the data-quality tests (exporter/src/data-quality): a ride-hailing model's features with the
 * shapes production data has — a skewed distance, a height in metres, an income that a join leaves missing 5% of
 * the time, plans and a long tail of countries, a ratio computed upstream, a temperature sensor, device codes that
 * are strings of digits, a sparse coupon column and a rare flag. Deterministic for a seed.
 */
import type { FeatureValue, InferenceEvent } from '@plumbline/schema';
import { buildReferenceProfile } from '../../src/drift/in-memory-profile-builder';
import type { ReferenceProfile } from '../../src/drift/profile-types';
import { mulberry32 } from '../../src/drift/reservoir';
import type { CellValue } from '../../src/stats/missing';
import { T0 } from './bucket-events';

export type Row = Record<string, FeatureValue>;

/** The feature columns, in profile order. */
export const QUALITY_FEATURES = [
  'distance_km',
  'height_m',
  'income',
  'plan',
  'country',
  'speed_ratio',
  'temperature',
  'device_code',
  'coupon',
  'vip',
  'age',
] as const;

const COUNTRIES = Array.from({ length: 60 }, (_, i) => `c${String(i).padStart(2, '0')}`);

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

const ZIPF = COUNTRIES.map((_, i) => 1 / Math.pow(i + 1, 1.1));
const ZIPF_TOTAL = ZIPF.reduce((a, b) => a + b, 0);

/** Zipf(1.1) over the 60 countries: a few large, a long tail of rare ones. */
function country(r: () => number): string {
  let u = r() * ZIPF_TOTAL;
  for (let i = 0; i < ZIPF.length; i++) if ((u -= ZIPF[i]) <= 0) return COUNTRIES[i];
  return COUNTRIES[COUNTRIES.length - 1];
}

/** `n` clean rows. */
export function qualityRows(n: number, seed: number): Row[] {
  const r = mulberry32(seed);
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const distance = Math.exp(1 + 0.8 * normal(r));
    const minutes = Math.max(2, distance * (2 + r()) + 3 * normal(r));
    const p = r();
    rows.push({
      distance_km: Math.round(distance * 1000) / 1000,
      height_m: Math.round((1.7 + 0.09 * normal(r)) * 100) / 100,
      income: r() < 0.05 ? null : Math.round(30_000 * Math.exp(0.5 * normal(r))),
      plan: p < 0.6 ? 'basic' : p < 0.9 ? 'pro' : 'team',
      country: country(r),
      speed_ratio: Math.round((distance / minutes) * 1e4) / 1e4,
      temperature: Math.round((18 + 6 * normal(r)) * 10) / 10,
      device_code: ['10', '20', '30', '40'][Math.floor(r() * 4)],
      coupon: r() < 0.95 ? null : `SAVE${Math.floor(r() * 5)}`,
      vip: r() < 0.01 ? 'yes' : 'no',
      age: Math.floor(18 + 50 * r()),
    });
  }
  return rows;
}

export function columnsOfRows(rows: readonly Row[]): Record<string, CellValue[]> {
  const names = new Set(rows.flatMap((row) => Object.keys(row)));
  const out: Record<string, CellValue[]> = {};
  for (const name of names)
    out[name] = rows.map((row) => (Object.prototype.hasOwnProperty.call(row, name) ? row[name] : null));
  return out;
}

/** The reference profile of `n` clean rows (device codes forced categorical: they are labels). */
export function qualityProfile(n = 5000, seed = 1): ReferenceProfile {
  return buildReferenceProfile(columnsOfRows(qualityRows(n, seed)), {
    columnTypes: { device_code: 'categorical', coupon: 'categorical', vip: 'categorical' },
  });
}

/** The rows as the sidecar's events of model `m`, spread evenly over `spanMs` from T0. */
export function eventsOfRows(rows: readonly Row[], spanMs = 600_000): InferenceEvent[] {
  return rows.map((features, i) => ({
    schema_version: 1,
    event_id: `q${i}:0`,
    request_id: `q${i}`,
    row: 0,
    '@timestamp': new Date(T0 + Math.floor((i * spanMs) / rows.length)).toISOString(),
    model: { name: 'm', version: '1' },
    protocol: 'v2',
    parsed: true,
    features,
    outputs: { label: 'a', value: null, probabilities: null, confidence: 0.9, invalid: null },
    latency_ms: { total: 1, upstream: 1 },
    http_status: 200,
    error: null,
  }));
}
