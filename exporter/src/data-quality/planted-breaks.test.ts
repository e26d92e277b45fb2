import type { InferenceEvent } from '@plumbline/schema';
import { eventsOfRows, qualityProfile, qualityRows, type Row } from '../../test/helpers/data-quality-data';
import { bucketSchemaFromProfile } from '../windows/buckets/bucket-schema';
import {
  bucketStartFor,
  createBucketState,
  foldEvent,
  type BucketState,
} from '../windows/buckets/bucket-state';
import { mergeBuckets } from '../windows/buckets/merge-buckets';
import { dataQualityChecks } from './data-quality';
import type { DataQualityReport } from './types';

// Issue #12's planted breaks, each the way a pipeline breaks, through the service's path: events folded into
// one-minute buckets, the buckets merged into a window, the checks computed from the merged state.
const profile = qualityProfile();
const schema = bucketSchemaFromProfile(profile);

function windowReport(rows: readonly Row[]): DataQualityReport {
  const buckets = new Map<number, BucketState>();
  const events: InferenceEvent[] = eventsOfRows(rows);
  for (const e of events) {
    const start = bucketStartFor(Date.parse(e['@timestamp']));
    let b = buckets.get(start);
    if (!b) buckets.set(start, (b = createBucketState(schema, { model: 'm', startMs: start })));
    foldEvent(b, schema, e);
  }
  return dataQualityChecks(mergeBuckets(schema, [...buckets.values()]), schema, profile);
}

const failedOf = (r: DataQualityReport): string[] =>
  r.checks.filter((c) => c.failed).map((c) => `${c.feature}:${c.check}`);

/** Applies `change` to the rows picked by `share` (every row by default), deterministically. */
function broken(seed: number, change: (row: Row, i: number) => Row, share = 1): Row[] {
  return qualityRows(1000, seed).map((row, i) => (((i * 7919) % 1000) / 1000 < share ? change(row, i) : row));
}

describe('planted pipeline breaks: exactly the check that names the break fails', () => {
  const seed = 1001;

  test('clean data: every check applies and none fails', () => {
    const r = windowReport(qualityRows(1000, seed));
    expect(failedOf(r)).toEqual([]);
    expect(r.failed).toBe(0);
    const ids = new Set(r.checks.map((c) => c.check));
    for (const id of ['missing_column', 'type_change', 'missing_share', 'out_of_range_share'])
      expect(ids).toContain(id);
    expect(ids).toContain('unseen_category_share');
    expect(ids).toContain('non_finite_share');
    expect(ids).toContain('constant');
  });

  test('a renamed column (income → income_usd): missing_column for the old name, new_column for the new', () => {
    const rows = broken(seed, ({ income, ...rest }) => ({ ...rest, income_usd: income }));
    const r = windowReport(rows);
    expect(failedOf(r)).toEqual(['income:missing_column', 'income_usd:new_column']);
    expect(r.checks.filter((c) => c.feature === 'income').map((c) => c.check)).toEqual(['missing_column']);
    const carried = rows.filter((row) => row.income_usd !== null).length / rows.length;
    expect(r.checks.find((c) => c.feature === 'income_usd')).toMatchObject({
      value: carried,
      threshold: 0.01,
    });
  });

  test('a join that nulls 30% of a feature: missing_share', () => {
    const r = windowReport(broken(seed, (row) => ({ ...row, income: null }), 0.3));
    expect(failedOf(r)).toEqual(['income:missing_share']);
    const c = r.checks.find((x) => x.check === 'missing_share' && x.feature === 'income')!;
    expect(c.value).toBeGreaterThan(0.3);
    expect(c.threshold).toBeCloseTo(0.05 + 0.05, 1);
  });

  test('centimetres instead of metres: out_of_range_share', () => {
    const r = windowReport(broken(seed, (row) => ({ ...row, height_m: (row.height_m as number) * 100 })));
    expect(failedOf(r)).toEqual(['height_m:out_of_range_share']);
    expect(r.checks.find((c) => c.feature === 'height_m' && c.check === 'out_of_range_share')!.value).toBe(1);
  });

  test('a new category (a plan launched after training): unseen_category_share', () => {
    const r = windowReport(broken(seed, (row) => ({ ...row, plan: 'enterprise' }), 0.15));
    expect(failedOf(r)).toEqual(['plan:unseen_category_share']);
  });

  test('NaN and ±Infinity from a division by zero upstream: non_finite_share', () => {
    // The ride's duration came through as 0 for 8% of the rows: distance / 0 is Infinity (written "Infinity" by
    // the JSON encoder, as non-finite numbers have no JSON literal) and 0 / 0 is NaN.
    const r = windowReport(
      broken(seed, (row, i) => ({ ...row, speed_ratio: i % 4 === 0 ? 'NaN' : 'Infinity' }), 0.08),
    );
    expect(failedOf(r)).toEqual(['speed_ratio:non_finite_share']);
  });

  test('a frozen sensor: constant', () => {
    const r = windowReport(broken(seed, (row) => ({ ...row, temperature: 21.5 })));
    expect(failedOf(r)).toEqual(['temperature:constant']);
  });

  test('a numerical feature that starts carrying text: type_change', () => {
    const r = windowReport(broken(seed, (row) => ({ ...row, age: `${String(row.age)} years` }), 0.2));
    expect(failedOf(r)).toEqual(['age:type_change']);
  });

  test('a categorical feature that becomes numbers: type_change (and, as the numbers are new labels, unseen)', () => {
    const codes: Record<string, number> = { basic: 0, pro: 1, team: 2 };
    const r = windowReport(broken(seed, (row) => ({ ...row, plan: codes[row.plan as string] })));
    expect(failedOf(r)).toEqual(['plan:type_change', 'plan:unseen_category_share']);
  });
});
