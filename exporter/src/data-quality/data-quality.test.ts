import { configError } from '../../test/helpers/config-error';
import {
  columnsOfRows,
  eventsOfRows,
  qualityProfile,
  qualityRows,
  type Row,
} from '../../test/helpers/data-quality-data';
import { parseConfig } from '../config';
import { buildReferenceProfile } from '../drift/in-memory-profile-builder';
import type { CellValue } from '../stats/missing';
import { bucketSchemaFromProfile, type BucketSchema } from '../windows/buckets/bucket-schema';
import { createBucketState, foldEvent } from '../windows/buckets/bucket-state';
import { checkDataQualityFeatures } from './check-features';
import { MAX_CHANCE } from './checks';
import { DataQualityConfigSchema, DEFAULT_DATA_QUALITY_CONFIG, type DataQualityConfigInput } from './config';
import { dataQualityChecks } from './data-quality';
import { tableState } from '../windows/buckets/fold-table';
import { referenceExpectations } from './reference-expectations';

const profile = qualityProfile(2000, 3);
const schema = bucketSchemaFromProfile(profile);
const clean = qualityRows(1000, 44);

function report(rows: readonly Row[], config: DataQualityConfigInput = {}, s: BucketSchema = schema) {
  const state = tableState(s, columnsOfRows(rows), rows.length);
  return dataQualityChecks(state, s, profile, DataQualityConfigSchema.parse(config));
}

describe('dataQualityChecks', () => {
  test('the offline fold of a table and the service fold of its events give the same report', () => {
    const rows = clean.map((r, i) => (i % 5 === 0 ? { ...r, income: null, extra: 1 } : r));
    const bucket = createBucketState(schema, {
      model: 'm',
      startMs: Date.UTC(2026, 0, 1),
      widthMs: 3_600_000,
    });
    for (const e of eventsOfRows(rows)) foldEvent(bucket, schema, e);
    expect(dataQualityChecks(bucket, schema, profile)).toEqual(report(rows));
  });

  test('a share check’s threshold is the expected share plus the margin, or 4σ of sampling noise when larger', () => {
    const e = referenceExpectations(profile).get('income')!;
    expect(e.missingShare).toBeGreaterThan(0.03);
    const byMargin = report(clean).checks.find((c) => c.feature === 'income' && c.check === 'missing_share')!;
    expect(byMargin.threshold).toBeCloseTo(e.missingShare + 0.05, 12);
    // 40 rows: 4 · √(p(1 − p)/40) > 0.05, so the noise allowance sets the threshold.
    const small = report(clean.slice(0, 40)).checks.find(
      (c) => c.feature === 'income' && c.check === 'missing_share',
    )!;
    const p = e.missingShare;
    expect(small.threshold).toBeCloseTo(p + 4 * Math.sqrt((p * (1 - p)) / 40), 12);
  });

  test('margins per model and per feature; checks skipped per model and per feature', () => {
    const nulled = clean.map((r, i) => (i % 10 === 0 ? { ...r, income: null } : r)); // ~15% missing
    expect(report(nulled).failed).toBe(1);
    const find = (r: ReturnType<typeof report>, f: string, c: string) =>
      r.checks.find((x) => x.feature === f && x.check === c);
    const loose = report(nulled, { thresholds: { missing_share: 0.2 } });
    expect(loose.failed).toBe(0);
    expect(find(loose, 'income', 'missing_share')!.threshold).toBeGreaterThan(0.2);
    const perFeature = report(nulled, {
      thresholds: { missing_share: 0.2 },
      features: { income: { thresholds: { missing_share: 0.01 } } },
    });
    expect(perFeature.failed).toBe(1);
    expect(find(perFeature, 'distance_km', 'missing_share')!.threshold).toBeCloseTo(0.2, 12);
    const skipped = report(nulled, { features: { income: { skip: ['missing_share'] } } });
    expect(find(skipped, 'income', 'missing_share')).toBeUndefined();
    expect(find(skipped, 'height_m', 'missing_share')).toBeDefined();
    const modelSkip = report(nulled, { skip: ['missing_share', 'constant'] });
    expect(modelSkip.checks.some((c) => c.check === 'missing_share' || c.check === 'constant')).toBe(false);
    expect(modelSkip.failed).toBe(0);
  });

  test('new_column: one entry per name, value = share of rows carrying it, at most maxNewColumns names', () => {
    const rows = clean.map((r, i) => ({
      ...r,
      [`junk${i % 150}`]: 'x',
      ...(i % 200 === 0 ? { rare: 1 } : {}),
    }));
    const r = report(rows);
    const entries = r.checks.filter((c) => c.check === 'new_column');
    expect(entries).toHaveLength(100);
    for (const c of entries) expect(c.value).toBeLessThan(0.01);
    expect(r.failed).toBe(0);
    const few = report(clean.map((row, i) => (i % 200 === 0 ? { ...row, rare: 1 } : row)));
    expect(few.checks.filter((c) => c.check === 'new_column')).toEqual([
      { feature: 'rare', check: 'new_column', value: 0.005, threshold: 0.01, failed: false },
    ]);
    const off = report(rows, { skip: ['new_column'] });
    expect(off.checks.some((c) => c.check === 'new_column')).toBe(false);
  });

  test('constant and missing_column speak only when the reference would rarely do it by chance', () => {
    // vip is "no" 99% of the time: 100 rows of "no" are likely (0.99^100 ≈ 0.37), so no verdict; coupon is
    // missing 95% of the time: 100 missing rows are likely too.
    const r = report(clean.slice(0, 100));
    expect(r.checks.find((c) => c.feature === 'vip' && c.check === 'constant')).toBeUndefined();
    expect(r.checks.find((c) => c.feature === 'coupon' && c.check === 'missing_column')).toBeUndefined();
    expect(r.checks.find((c) => c.feature === 'temperature' && c.check === 'constant')).toMatchObject({
      value: 0,
      threshold: 0,
      failed: false,
    });
    // Past log(MAX_CHANCE) / log(0.95) ≈ 202 rows, a coupon column that is all missing is a finding.
    const rows = Math.ceil(
      Math.log(MAX_CHANCE) / Math.log(referenceExpectations(profile).get('coupon')!.missingShare),
    );
    expect(rows).toBeGreaterThan(150);
    const gone = clean.slice(0, rows + 5).map((row) => ({ ...row, coupon: null }));
    expect(
      report(gone).checks.find((c) => c.feature === 'coupon' && c.check === 'missing_column'),
    ).toMatchObject({
      value: 1,
      failed: true,
    });
  });

  test('an empty window has no checks; a window of another schema is refused', () => {
    expect(report([])).toEqual({ checks: [], failed: 0 });
    const other = bucketSchemaFromProfile(profile, { maxNewColumns: 7 });
    const state = tableState(other, columnsOfRows(clean), clean.length);
    expect(() => dataQualityChecks(state, schema, profile)).toThrow(/schema/);
  });

  test('out_of_range_share counts finite values only, also when the reference range has an infinite end', () => {
    const ref: Record<string, CellValue[]> = {
      x: [...Array.from({ length: 999 }, (_, i) => i / 999), 'inf'],
    };
    const p = buildReferenceProfile(ref);
    const s = bucketSchemaFromProfile(p);
    expect(s.numerical[0].max).toBe(Infinity);
    const cur: Record<string, CellValue[]> = {
      x: [
        ...Array.from({ length: 900 }, (_, i) => i / 900),
        ...Array<CellValue>(50).fill('-inf'),
        ...Array<CellValue>(50).fill(-5),
      ],
    };
    const r = dataQualityChecks(tableState(s, cur, 1000), s, p);
    const range = r.checks.find((c) => c.check === 'out_of_range_share')!;
    expect(range.value).toBeCloseTo(50 / 950, 12);
    const nonFinite = r.checks.find((c) => c.check === 'non_finite_share')!;
    expect(nonFinite.value).toBeCloseTo(0.05, 12);
    expect(nonFinite.threshold).toBeCloseTo(
      0.001 + Math.max(0.01, 4 * Math.sqrt((0.001 * 0.999) / 1000)),
      12,
    );
  });

  test('out_of_range_share over [p01, p99] or [p05, p95] catches a shift that stays inside [min, max]', () => {
    // Heights 1.5 σ higher: ~20% above the reference p99, but few above its max.
    const shifted = clean.map((r) => ({ ...r, height_m: (r.height_m as number) + 1.5 * 0.09 }));
    const range = (config: DataQualityConfigInput) =>
      report(shifted, config).checks.find(
        (c) => c.feature === 'height_m' && c.check === 'out_of_range_share',
      )!;
    const minMax = range({});
    expect(minMax.failed).toBe(false);
    const p99 = range({ range: 'p01-p99' });
    expect(p99.value).toBeGreaterThan(0.15);
    expect(p99.threshold).toBeCloseTo(0.02 + 0.05, 12);
    expect(p99.failed).toBe(true);
    expect(range({ features: { height_m: { range: 'p05-p95' } } })).toMatchObject({ failed: true });
    expect(range({ range: 'p05-p95' }).threshold).toBeCloseTo(0.1 + 0.05, 12);
    // On clean data the quantile ranges stay quiet.
    expect(report(clean, { range: 'p01-p99' }).failed).toBe(0);
    expect(report(clean, { range: 'p05-p95' }).failed).toBe(0);
  });

  test('the defaults are written once, in the config schema', () => {
    expect(DEFAULT_DATA_QUALITY_CONFIG).toEqual({
      thresholds: {
        new_column: 0.01,
        type_change: 0.01,
        missing_share: 0.05,
        out_of_range_share: 0.05,
        unseen_category_share: 0.05,
        non_finite_share: 0.01,
      },
      skip: [],
      range: 'min-max',
      features: {},
    });
  });
});

describe('models[].dataQuality in the exporter config', () => {
  test('defaults when absent, overrides merged over the defaults', () => {
    const config = parseConfig({
      models: [{ name: 'm' }, { name: 'n', dataQuality: { thresholds: { missing_share: 0.1 } } }],
    });
    expect(config.models[0].dataQuality).toEqual(DEFAULT_DATA_QUALITY_CONFIG);
    expect(config.models[1].dataQuality.thresholds).toEqual({
      ...DEFAULT_DATA_QUALITY_CONFIG.thresholds,
      missing_share: 0.1,
    });
  });

  test.each([
    [{ thresholds: { missing_sharee: 0.1 } }, 'models.0.dataQuality.thresholds.missing_sharee'],
    [{ thresholds: { missing_share: 2 } }, 'models.0.dataQuality.thresholds.missing_share'],
    [{ skip: ['constants'] }, 'models.0.dataQuality.skip.0'],
    [
      { features: { income: { thresholds: { new_column: 0.5 } } } },
      'models.0.dataQuality.features.income.thresholds.new_column',
    ],
  ])('%j is an error naming %s', (dataQuality, key) => {
    const err = configError(() => parseConfig({ models: [{ name: 'm', dataQuality }] }));
    expect(err.key).toBe(key);
    expect(err.message).toContain(key);
  });

  test('a per-feature setting for a feature the baseline does not have is an error naming the key', () => {
    const config = parseConfig({
      models: [{ name: 'm', dataQuality: { features: { incme: { skip: ['constant'] } } } }],
    });
    const err = configError(() =>
      checkDataQualityFeatures(config.models[0].dataQuality, profile, 'models.0.dataQuality', 'm'),
    );
    expect(err.key).toBe('models.0.dataQuality.features.incme');
    expect(err.message).toMatch(
      /^invalid config key models\.0\.dataQuality\.features\.incme: the baseline of m has no feature "incme" \(it has: distance_km, height_m/,
    );
    const ok = parseConfig({ models: [{ name: 'm', dataQuality: { features: { income: {} } } }] });
    expect(() =>
      checkDataQualityFeatures(ok.models[0].dataQuality, profile, 'models.0.dataQuality'),
    ).not.toThrow();
  });
});
