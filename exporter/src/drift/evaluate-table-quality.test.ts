import { dataQualityChecks } from '../data-quality/data-quality';
import { DEFAULT_DATA_QUALITY_CONFIG, type DataQualityConfig } from '../data-quality/config';
import type { CellValue } from '../stats/missing';
import { bucketSchemaFromProfile } from '../windows/buckets/bucket-schema';
import { tableState } from '../windows/buckets/fold-table';
import { createDriftDetector } from './detector';
import { buildReferenceProfile } from './in-memory-profile-builder';
import { createNumericPool } from './numeric-pool';
import { mulberry32 } from './reservoir';

// `plumbline drift` takes the data-quality counts of the current file in its drift pass (evaluateTable) instead of
// folding the file into a second window state: the counts must be the fold's, field for field, on data with every
// kind of break, so that the checks say the same thing.

/** A reference: two numerical columns, a sparse one, a categorical one with a long tail, a prediction column. */
function reference(rows: number, seed: number): Record<string, CellValue[]> {
  const rnd = mulberry32(seed);
  const out: Record<string, CellValue[]> = { x: [], y: [], sparse: [], zone: [], gone: [], score: [] };
  for (let i = 0; i < rows; i++) {
    out.x.push(rnd() * 10);
    out.y.push(i % 10 === 0 ? null : rnd() - 0.5);
    out.sparse.push(rnd() < 0.9 ? null : rnd());
    out.zone.push(i % 50 === 0 ? `rare${i}` : ['n', 's', 'e', 'w'][Math.floor(rnd() * 4)]);
    out.gone.push(rnd());
    out.score.push(rnd());
  }
  return out;
}

/** A current table with every kind of value the fold tells apart. */
function current(rows: number, seed: number): Record<string, CellValue[]> {
  const rnd = mulberry32(seed);
  const x: CellValue[] = [];
  const y: CellValue[] = [];
  const sparse: CellValue[] = [];
  const zone: CellValue[] = [];
  const score: CellValue[] = [];
  const extra: CellValue[] = [];
  const odd: CellValue[] = [
    NaN,
    'NaN',
    ' nan ',
    '',
    '  ',
    null,
    undefined,
    Infinity,
    -Infinity,
    'inf',
    '-Infinity',
    'abc',
    true,
    ' 2.5 ',
    '1e3',
  ];
  for (let i = 0; i < rows; i++) {
    x.push(i % 7 === 0 ? odd[i % odd.length] : rnd() * 12 - 1);
    y.push(i % 5 === 0 ? odd[(i + 3) % odd.length] : String(rnd() - 0.5));
    sparse.push(rnd() < 0.5 ? null : rnd());
    // Numbers (a type change), booleans, blanks, many unseen labels (more than maxUnseenValues distinct).
    zone.push(
      i % 9 === 0
        ? i % 4
        : i % 11 === 0
          ? false
          : i % 13 === 0
            ? ' '
            : i % 3 === 0
              ? `new${i % 301}`
              : ['n', 's', 'e'][i % 3],
    );
    score.push(rnd());
    extra.push(i % 4 === 0 ? null : 'z');
  }
  return { x, y, sparse, zone, score, extra, another: new Array<CellValue>(rows).fill(null) };
}

const pool = createNumericPool({ threads: 0 });
afterAll(() => pool.close());

describe("DriftDetector.evaluateTable: the data-quality counts of the drift pass are the fold's", () => {
  const ref = reference(3000, 1);
  const profile = buildReferenceProfile(ref, { reservoirSize: Infinity, predictionColumn: 'score', pool });
  const schema = bucketSchemaFromProfile(profile);

  test.each([1, 2, 3])('seed %i: every field the checks read, and the checks themselves', (seed) => {
    const rows = 2500;
    const table = current(rows, seed);
    // runDrift makes an absent reference column a column of nulls; the fold and evaluateTable agree on that too.
    table.gone = new Array<CellValue>(rows).fill(null);
    const folded = tableState(schema, table, rows);
    const { report, quality } = createDriftDetector(profile, { pool }).evaluateTable(table, { schema, rows });
    expect(report).toEqual(createDriftDetector(profile, { pool }).evaluate(table));
    expect(quality.rows).toBe(folded.rows);
    expect(quality.schemaId).toBe(folded.schemaId);
    schema.numerical.forEach((c, i) => {
      const f = folded.numerical[i];
      const q = quality.numerical[i];
      expect({ column: c.name, ...q, moments: q.moments.count }).toEqual({
        column: c.name,
        present: f.present,
        missing: f.missing,
        typeMismatch: f.typeMismatch,
        nonFinite: f.nonFinite,
        positiveInfinite: f.positiveInfinite,
        moments: f.moments.count,
        min: f.min,
        max: f.max,
        belowMin: f.belowMin,
        aboveMax: f.aboveMax,
        belowP01: f.belowP01,
        belowP05: f.belowP05,
        aboveP95: f.aboveP95,
        aboveP99: f.aboveP99,
      });
    });
    schema.categorical.forEach((c, i) => {
      const f = folded.categorical[i];
      const q = quality.categorical[i];
      expect(q.unseenValues.counts.size).toBe(f.unseenValues.counts.size);
      expect({
        ...q,
        unseenValues: Object.fromEntries(q.unseenValues.counts),
        other: q.unseenValues.other,
      }).toEqual({
        present: f.present,
        missing: f.missing,
        typeMismatch: f.typeMismatch,
        counts: f.counts,
        unseen: f.unseen,
        unseenValues: Object.fromEntries(f.unseenValues.counts),
        other: f.unseenValues.other,
      });
    });
    expect(Object.fromEntries(quality.newColumns.counts)).toEqual(
      Object.fromEntries(folded.newColumns.counts),
    );
    expect(quality.newColumns.other).toBe(folded.newColumns.other);
    for (const range of ['min-max', 'p01-p99', 'p05-p95'] as const) {
      const config: DataQualityConfig = { ...DEFAULT_DATA_QUALITY_CONFIG, range };
      const checks = dataQualityChecks(quality, schema, profile, config);
      expect(checks).toEqual(dataQualityChecks(folded, schema, profile, config));
      expect(checks.failed).toBeGreaterThan(0);
    }
  });

  test('a table without a reference column counts it missing on every row, as the fold does', () => {
    const rows = 400;
    const table = current(rows, 9); // no `gone` column at all
    const folded = tableState(schema, table, rows);
    const { quality } = createDriftDetector(profile, { pool }).evaluateTable(table, { schema, rows });
    const i = schema.numerical.findIndex((c) => c.name === 'gone');
    expect(quality.numerical[i].missing).toBe(rows);
    expect(dataQualityChecks(quality, schema, profile)).toEqual(dataQualityChecks(folded, schema, profile));
  });

  test('columns of another length than rows are refused', () => {
    const table = current(10, 4);
    expect(() => createDriftDetector(profile, { pool }).evaluateTable(table, { schema, rows: 11 })).toThrow(
      /column "x" has 10 values, not 11/,
    );
  });
});
