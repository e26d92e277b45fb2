import {
  eventsOfRows,
  qualityProfile,
  qualityRows,
  columnsOfRows,
} from '../../test/helpers/data-quality-data';
import { bucketSchemaFromProfile } from '../windows/buckets/bucket-schema';
import { createBucketState, foldEvent } from '../windows/buckets/bucket-state';
import { foldTableIntoState } from './fold-table';
test('bench', () => {
  const profile = qualityProfile(5000, 1);
  const schema = bucketSchemaFromProfile(profile);
  let t = process.hrtime.bigint();
  const rows = qualityRows(100000, 5);
  console.log('gen', Number(process.hrtime.bigint() - t) / 1e6);
  const events = eventsOfRows(rows, 59_000);
  t = process.hrtime.bigint();
  for (let k = 0; k < 3; k++) {
    const b = createBucketState(schema, { model: 'm', startMs: 1767225600000 });
    for (const e of events) foldEvent(b, schema, e);
  }
  console.log('fold events', Number(process.hrtime.bigint() - t) / 3e6);
  t = process.hrtime.bigint();
  foldTableIntoState(schema, columnsOfRows(rows), rows.length);
  console.log('fold table', Number(process.hrtime.bigint() - t) / 1e6);
});
