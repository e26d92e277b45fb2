import type { CellValue } from '../stats/missing';
import { bucketSchemaFromProfile } from '../windows/buckets/bucket-schema';
import { createDriftDetector } from './detector';
import { buildReferenceProfile } from './in-memory-profile-builder';
import { fitMultivariateReference, multivariateDrift, multivariatePartOf, rowsOfTable } from './multivariate';
import { createNumericPool, type NumericPool } from './numeric-pool';
import { mulberry32 } from './reservoir';

// `plumbline drift` fits multivariate drift as a drift-pool task beside the column tasks (the profile) and computes
// the current file's multivariate drift the same way (evaluateTable): in a worker thread or in this one, the
// figures must be the ones the functions give when called directly on the table's rows.

function table(rows: number, seed: number, flip: boolean): Record<string, CellValue[]> {
  const rnd = mulberry32(seed);
  const out: Record<string, CellValue[]> = { a: [], b: [], c: [], gappy: [], zone: [] };
  for (let i = 0; i < rows; i++) {
    const x = rnd() - 0.5;
    out.a.push(x);
    out.b.push((flip ? -x : x) + 0.3 * (rnd() - 0.5));
    out.c.push(i % 50 === 0 ? 'n/a' : rnd() * 4);
    out.gappy.push(i % 7 === 0 ? null : i % 11 === 0 ? '' : rnd());
    out.zone.push(['n', 's'][i % 2]);
  }
  return out;
}

describe('multivariate drift in the drift pool', () => {
  const inThread = createNumericPool({ threads: 0 });
  const workersOnly = createNumericPool({ threads: 1, minValues: 0, callerTakesTasks: false });
  afterAll(() => [inThread, workersOnly].forEach((p) => p.close()));
  const reference = table(4000, 1, false);

  const run = (pool: NumericPool, current: Record<string, CellValue[]>, rows: number) => {
    const profile = buildReferenceProfile(reference, {
      reservoirSize: Infinity,
      columnTypes: { c: 'numerical' },
      pool,
    });
    const schema = bucketSchemaFromProfile(profile);
    const got = createDriftDetector(profile, { pool }).evaluateTable(current, {
      schema,
      rows,
      multivariate: true,
    });
    return { profile, got };
  };

  test.each([
    ['the same relation', false, false],
    ['a correlation flip', true, false],
    ['a model column the table lacks', false, true],
  ])(
    '%s: as fitMultivariateReference and multivariateDrift give it, in a worker and here',
    async (_, flip, drop) => {
      const current = table(3000, 2, flip);
      if (drop) delete current.gappy;
      expect(await workersOnly.start()).toBe(1);
      const before = workersOnly.stats().tasksInWorkers;
      const inWorker = run(workersOnly, current, 3000);
      expect(workersOnly.stats().tasksInWorkers).toBeGreaterThan(before);
      const here = run(inThread, current, 3000);
      const part = multivariatePartOf(here.profile);
      // The fit, as the function gives it on the reference's rows (c forced numerical: 'n/a' is missing there).
      const rows = rowsOfTable(reference, part);
      expect(here.profile.multivariate).toEqual(fitMultivariateReference({ ...rows, size: 4000 }));
      expect(inWorker.profile.multivariate).toEqual(here.profile.multivariate);
      const expected = multivariateDrift(part, rowsOfTable(current, part));
      expect(here.got.multivariate).toEqual(expected);
      expect(inWorker.got.multivariate).toEqual(expected);
      // A lacking column is imputed by its mean in every row: the rows no longer look like the reference's either.
      expect('drift' in expected && expected.drift).toBe(flip || drop);
    },
  );

  test('no rows, or no model: the outcome says why', () => {
    const empty = Object.fromEntries(Object.keys(reference).map((k) => [k, [] as CellValue[]]));
    expect(run(inThread, empty, 0).got.multivariate).toEqual({
      method: 'pca-reconstruction',
      skipped: 'no rows',
    });
    const profile = buildReferenceProfile({ a: [1, 2, 3], zone: ['x', 'y', 'x'] }, { pool: inThread });
    const got = createDriftDetector(profile, { pool: inThread }).evaluateTable(
      { a: [1, 2], zone: ['x', 'x'] },
      { schema: bucketSchemaFromProfile(profile), rows: 2, multivariate: true },
    );
    expect(got.multivariate).toEqual(multivariatePartOf(profile));
    expect(
      createDriftDetector(profile, { pool: inThread }).evaluateTable(
        { a: [1], zone: ['x'] },
        {
          schema: bucketSchemaFromProfile(profile),
          rows: 1,
        },
      ).multivariate,
    ).toBeUndefined();
  });
});
