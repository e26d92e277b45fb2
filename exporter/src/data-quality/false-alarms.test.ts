import { columnsOfRows, qualityProfile, qualityRows } from '../../test/helpers/data-quality-data';
import { bucketSchemaFromProfile } from '../windows/buckets/bucket-schema';
import { DataQualityConfigSchema, type OutOfRangeBounds } from './config';
import { dataQualityChecks } from './data-quality';
import { tableState } from '../windows/buckets/fold-table';

// Clean windows drawn from the reference's own distribution must not page anyone: every check, every feature,
// many seeds, small and large windows, small and large references (docs/stattests.md states the observed rate).
describe('clean data across many seeds', () => {
  test.each<[number, number, number, OutOfRangeBounds]>([
    [5000, 100, 300, 'min-max'],
    [5000, 1000, 300, 'min-max'],
    [200, 1000, 150, 'min-max'],
    [5000, 1000, 100, 'p01-p99'],
    [5000, 1000, 100, 'p05-p95'],
  ])(
    'reference of %i rows, windows of %i rows, %i seeds, range %s: no check fails',
    (refRows, rows, seeds, range) => {
      const config = DataQualityConfigSchema.parse({ range });
      const profile = qualityProfile(refRows, 1);
      const schema = bucketSchemaFromProfile(profile);
      let checks = 0;
      const failed: string[] = [];
      for (let seed = 2; seed < 2 + seeds; seed++) {
        const data = qualityRows(rows, seed * 7 + 3);
        const r = dataQualityChecks(tableState(schema, columnsOfRows(data), rows), schema, profile, config);
        checks += r.checks.length;
        for (const c of r.checks) if (c.failed) failed.push(`seed ${seed}: ${c.feature}:${c.check}`);
      }
      expect(failed).toEqual([]);
      // Most checks apply even to small windows (constant and missing_column wait for enough rows).
      expect(checks).toBeGreaterThan(seeds * 55);
    },
  );
});
