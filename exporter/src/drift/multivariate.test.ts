import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InferenceEvent } from '@plumbline/schema';
import {
  correlationFlipColumns,
  correlationFlipCsv,
  correlationFlipData,
  FLIP_COLUMNS,
  type FlipSpec,
} from '../../test/helpers/correlation-flip';
import { profileFile } from '../baseline/profile-file';
import {
  bucketSchemaFromProfile,
  bucketStartFor,
  createBucketState,
  foldEvent,
  mergeBuckets,
} from '../windows/buckets';
import { createDriftDetector } from './detector';
import { buildReferenceProfile } from './in-memory-profile-builder';
import {
  fitMultivariateReference,
  multivariateDrift,
  multivariatePartOf,
  multivariateThresholds,
  rowsOfTable,
  rowsOfWindowSample,
  type MultivariateDrift,
  type MultivariateOutcome,
  type MultivariateRows,
} from './multivariate';
import type { MultivariateReference, ReferenceProfile } from './profile-types';
import { ReferenceProfileBuilder } from './streaming-profile-builder';

const REFERENCE: FlipSpec = { seed: 20261201, rows: 10000, rho: 0.9 };
const reference = correlationFlipColumns(REFERENCE);
const profile = buildReferenceProfile(reference);
const part = multivariatePartOf(profile) as MultivariateReference;

function figures(o: MultivariateOutcome): MultivariateDrift {
  if ('skipped' in o) throw new Error(`skipped: ${o.skipped}`);
  return o;
}

const rowsOf = (spec: FlipSpec): MultivariateRows => {
  const d = correlationFlipData(spec);
  return { size: spec.rows, columns: new Map(FLIP_COLUMNS.map((c) => [c, d[c]])) };
};

describe('multivariate drift catches what per-feature tests cannot', () => {
  test("a correlation flip with unchanged marginals: every feature's KS is quiet, multivariate drift fires", () => {
    const flip = correlationFlipColumns({ seed: 7, rows: 2000, rho: -0.9 });
    const report = createDriftDetector(profile, { stattest: 'ks' }).evaluate(flip);
    for (const f of report.features) {
      const ks = f.tests.find((t) => t.name === 'ks')!;
      expect([f.name, ks.drift]).toEqual([f.name, false]);
    }
    expect(report.dataset.drift).toBe(false);
    const r = figures(multivariateDrift(part, rowsTable(flip)));
    expect(r.drift).toBe(true);
    expect(r.currentError).toBeGreaterThan(r.upper);
    expect(r).toMatchObject({ method: 'pca-reconstruction', components: 2, rows: 2000 });
  });

  test('the flip fires for every seed, also on windows of 200 rows', () => {
    for (let seed = 100; seed < 120; seed++) {
      expect(figures(multivariateDrift(part, rowsOf({ seed, rows: 2000, rho: -0.9 }))).drift).toBe(true);
      expect(figures(multivariateDrift(part, rowsOf({ seed, rows: 200, rho: -0.9 }))).drift).toBe(true);
    }
  });

  // Observed over 2,000 control windows each (seeds 1000–2999): 6, 1, 7 and 5 false alarms for windows of 2,000,
  // 500, 100 and 20 rows (0.05–0.35%); ±3σ of a normal mean gives 0.27%. Here at most 1% of the windows may alarm:
  // room for that rate, none for a threshold that is too narrow (±2σ would give ~4.5%).
  test.each([
    [2000, 150],
    [100, 300],
  ])(
    'control windows of %i rows (the reference distribution) stay quiet across %i seeds',
    (rows, windows) => {
      let alarms = 0;
      for (let seed = 1000; seed < 1000 + windows; seed++)
        if (figures(multivariateDrift(part, rowsOf({ seed, rows, rho: 0.9 }))).drift) alarms++;
      expect(alarms).toBeLessThanOrEqual(windows / 100);
    },
  );

  test('the reference against itself: the current error is the reference error, no drift', () => {
    const r = figures(multivariateDrift(part, rowsTable(reference)));
    expect(r.currentError).toBeCloseTo(part.rowErrors.mean, 12);
    expect(r.drift).toBe(false);
  });
});

function rowsTable(columns: Record<string, (number | null)[]>): MultivariateRows {
  return rowsOfTable(columns, part);
}

describe('thresholds for a mean over K rows', () => {
  test('centred on the reference error, half-width 3σ/√K, narrowing as K grows; lower null when ≤ 0', () => {
    const { mean, std } = part.rowErrors;
    let previous = Infinity;
    for (const k of [1, 4, 100, 2000, 50000]) {
      const t = multivariateThresholds(part, k);
      expect(t.upper).toBeCloseTo(mean + (3 * std) / Math.sqrt(k), 12);
      if (t.lower !== null) expect(t.lower).toBeCloseTo(mean - (3 * std) / Math.sqrt(k), 12);
      expect(t.upper).toBeLessThan(previous);
      previous = t.upper;
    }
    // One row: mean 1.01 − 3 × 0.53 < 0, so no lower threshold (an error is never below 0).
    expect(multivariateThresholds(part, 1).lower).toBeNull();
  });

  test('a lower error than the reference allows is drift too (features moving more together)', () => {
    // weight = height exactly: the dropped axis (height − weight) carries nothing, the errors shrink.
    const d = correlationFlipData({ seed: 5, rows: 2000, rho: 1 });
    const r = figures(
      multivariateDrift(part, { size: 2000, columns: new Map(FLIP_COLUMNS.map((c) => [c, d[c]])) }),
    );
    expect(r.lower).not.toBeNull();
    expect(r.currentError).toBeLessThanOrEqual(r.lower!);
    expect(r.drift).toBe(true);
  });

  test('rejects a row count that is not a positive integer', () => {
    expect(() => multivariateThresholds(part, 0)).toThrow(/rows must be an integer ≥ 1, got 0/);
  });
});

describe('when there is no multivariate figure: null with a reason, never an error', () => {
  test('a profile built before multivariate drift (no `multivariate` key)', () => {
    const older = JSON.parse(JSON.stringify(profile)) as ReferenceProfile & { multivariate?: unknown };
    delete older.multivariate;
    const r = multivariateDrift(multivariatePartOf(older), rowsTable(reference));
    expect(r).toEqual({
      method: 'pca-reconstruction',
      skipped:
        'the reference profile was built before multivariate drift: import the baseline again to fit it',
    });
  });

  test('two numerical features are the minimum; prediction, label and categorical columns do not count', () => {
    const one = buildReferenceProfile(
      { x: [1, 2, 3, 4], y: [2, 1, 4, 3], plan: ['a', 'b', 'a', 'b'], truth: [1, 0, 1, 0] },
      { predictionColumn: 'y', labelColumn: 'truth' },
    );
    expect(one.multivariate).toEqual({
      method: 'pca-reconstruction',
      skipped: 'fewer than two numerical features with values in the reference (only "x")',
    });
    const r = multivariateDrift(multivariatePartOf(one), { size: 1, columns: new Map([['x', [1]]]) });
    expect('skipped' in r && r.skipped).toMatch(/fewer than two numerical features/);
    const two = buildReferenceProfile({ x: [1, 2, 3, 4], z: [2, 1, 4, 3] });
    expect(
      figures(multivariateDrift(multivariatePartOf(two), rowsOfTable({ x: [1], z: [2] }, two.multivariate!))),
    ).toMatchObject({ components: 1, rows: 1 });
  });

  test('an all-missing feature is left out; constant features cannot be fitted; an empty window has no rows', () => {
    const withEmpty = buildReferenceProfile({
      x: [1, 2, 3, 4],
      z: [2, 1, 4, 3],
      gone: [null, null, null, null],
    });
    expect(withEmpty.multivariate).toMatchObject({ columns: ['x', 'z'] });
    expect(buildReferenceProfile({ x: [1, 1, 1], z: [5, 5, 5] }).multivariate).toEqual({
      method: 'pca-reconstruction',
      skipped: 'every numerical feature is constant in the reference',
    });
    expect(multivariateDrift(part, { size: 0, columns: new Map() })).toEqual({
      method: 'pca-reconstruction',
      skipped: 'no rows',
    });
  });
});

describe('missing values', () => {
  test('a missing value is imputed with the reference mean; an absent column is missing in every row', () => {
    const d = correlationFlipData({ seed: 9, rows: 500, rho: 0.9 });
    const absent = new Map<string, Float64Array>(
      FLIP_COLUMNS.filter((c) => c !== 'age').map((c) => [c, d[c]]),
    );
    const nan = new Map(absent).set('age', new Float64Array(500).fill(Number.NaN));
    const mean = new Map(absent).set(
      'age',
      new Float64Array(500).fill(part.means[FLIP_COLUMNS.indexOf('age')]),
    );
    const a = figures(multivariateDrift(part, { size: 500, columns: absent }));
    expect(figures(multivariateDrift(part, { size: 500, columns: nan })).currentError).toBe(a.currentError);
    expect(figures(multivariateDrift(part, { size: 500, columns: mean })).currentError).toBe(a.currentError);
    // ±Infinity is not a usable number either: imputed the same way.
    const inf = new Map(absent).set('age', new Float64Array(500).fill(Number.POSITIVE_INFINITY));
    expect(figures(multivariateDrift(part, { size: 500, columns: inf })).currentError).toBe(a.currentError);
  });
});

describe('fitting: the same model from both builders', () => {
  function streamed(columns: Record<string, (number | null)[]>, reservoirSize: number): ReferenceProfile {
    const names = Object.keys(columns);
    const b = new ReferenceProfileBuilder(names, { reservoirSize });
    const rows = columns[names[0]].length;
    for (let i = 0; i < rows; i++) b.addRow(names.map((n) => columns[n][i]));
    if (b.needsBinningPass()) for (let i = 0; i < rows; i++) b.binRow(names.map((n) => columns[n][i]));
    return b.build();
  }

  test.each([
    ['every row', Infinity, false],
    ['a uniform sample of 3,000 of the 10,000 rows', 3000, true],
  ])(
    'baseline import and the in-memory builder fit on the same rows: %s',
    (_case, reservoirSize, sampled) => {
      const inMemory = buildReferenceProfile(reference, { reservoirSize });
      const stream = streamed(reference, reservoirSize);
      expect(stream.multivariate).toEqual(inMemory.multivariate);
      const m = inMemory.multivariate as MultivariateReference;
      expect(m.sampled).toBe(sampled);
      expect(m.rowErrors.rows).toBe(sampled ? 3000 : 10000);
      // A sample of 3,000 rows gives nearly the same model: the same components, errors within a few percent.
      expect(m.components).toHaveLength(2);
      expect(Math.abs(m.rowErrors.mean / part.rowErrors.mean - 1)).toBeLessThan(0.03);
    },
  );

  test('a column that turns out categorical in the stream is not fitted on', () => {
    const cols = { ...correlationFlipColumns({ seed: 3, rows: 300, rho: 0.9 }) } as Record<
      string,
      (number | string | null)[]
    >;
    cols.age = cols.age.map((v, i) => (i === 250 ? 'unknown' : v));
    const stream = streamed(cols as Record<string, (number | null)[]>, Infinity);
    const inMemory = buildReferenceProfile(cols);
    expect(stream.features.find((f) => f.name === 'age')!.type).toBe('categorical');
    expect(stream.multivariate).toMatchObject({ columns: ['height', 'weight', 'income', 'spend'] });
    expect(stream.multivariate).toEqual(inMemory.multivariate);
  });

  test('baseline import (a CSV profiled in a stream, stored as JSON) fits the model `plumbline drift` fits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plumbline-mv-'));
    const csv = join(dir, 'train.csv');
    writeFileSync(csv, correlationFlipCsv(REFERENCE));
    const stored = JSON.parse(
      JSON.stringify(await profileFile(csv, { reservoirSize: Infinity })),
    ) as ReferenceProfile;
    expect(stored.multivariate).toEqual(JSON.parse(JSON.stringify(part)));
    const flip = rowsOf({ seed: 7, rows: 2000, rho: -0.9 });
    expect(multivariateDrift(multivariatePartOf(stored), flip)).toEqual(multivariateDrift(part, flip));
  });

  test('fitMultivariateReference rejects a variance share outside (0, 1)', () => {
    expect(() => fitMultivariateReference({ size: 0, columns: new Map() }, { varianceShare: 0 })).toThrow(
      /varianceShare must be in \(0, 1\), got 0/,
    );
  });
});

describe("a window's uniform row sample (mergeBuckets(...).sample), as the service will evaluate it", () => {
  const T0 = Date.UTC(2026, 0, 1);
  function eventsOf(spec: FlipSpec): InferenceEvent[] {
    const cols = correlationFlipColumns(spec);
    return Array.from({ length: spec.rows }, (_, i) => ({
      schema_version: 1,
      event_id: `e${spec.seed}-${i}:0`,
      request_id: `e${spec.seed}-${i}`,
      row: 0,
      '@timestamp': new Date(T0 + Math.floor((i * 600_000) / spec.rows)).toISOString(),
      model: { name: 'm', version: '1' },
      protocol: 'v2',
      parsed: true,
      features: Object.fromEntries(FLIP_COLUMNS.map((c) => [c, cols[c][i]])),
      outputs: { label: null, value: null, probabilities: null, confidence: null, invalid: null },
      latency_ms: { total: 1, upstream: 1 },
      http_status: 200,
      error: null,
    }));
  }
  function window(spec: FlipSpec, sampleSize: number) {
    const schema = bucketSchemaFromProfile(profile);
    const buckets = new Map<number, ReturnType<typeof createBucketState>>();
    for (const e of eventsOf(spec)) {
      const start = bucketStartFor(Date.parse(e['@timestamp']));
      if (!buckets.has(start)) buckets.set(start, createBucketState(schema, { model: 'm', startMs: start }));
      foldEvent(buckets.get(start)!, schema, e);
    }
    const merged = mergeBuckets(schema, [...buckets.values()], { sampleSize });
    return rowsOfWindowSample(schema.numerical, merged.sample);
  }

  test('a sample holding every row gives the figures of the same rows read from columns', () => {
    const spec: FlipSpec = { seed: 7, rows: 2000, rho: -0.9 };
    const fromWindow = figures(multivariateDrift(part, window(spec, 50000)));
    const fromColumns = figures(multivariateDrift(part, rowsOf(spec)));
    expect(fromWindow.sampled).toBeUndefined();
    expect(fromWindow.currentError).toBeCloseTo(fromColumns.currentError, 12);
    expect({ ...fromWindow, currentError: 0 }).toEqual({ ...fromColumns, currentError: 0 });
  });

  test('a sample of 500 of 2,000 rows says so, with thresholds for 500 rows, and still sees the flip', () => {
    const flip = figures(multivariateDrift(part, window({ seed: 7, rows: 2000, rho: -0.9 }, 500)));
    expect(flip).toMatchObject({ rows: 500, sampled: 500, drift: true });
    expect(flip.upper).toBeCloseTo(multivariateThresholds(part, 500).upper, 12);
    const control = figures(multivariateDrift(part, window({ seed: 8, rows: 2000, rho: 0.9 }, 500)));
    expect(control).toMatchObject({ rows: 500, sampled: 500, drift: false });
  });
});
