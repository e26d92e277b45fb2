import type { CellValue } from '../stats/missing';
import type { BucketSchema } from '../windows/buckets/bucket-schema';
import { createBucketState, foldRow, type BucketState } from '../windows/buckets/bucket-state';

/**
 * A whole table (column-major, as `readTable` returns it) folded into one state, as the service folds events:
 * what `plumbline drift` hands to {@link dataQualityChecks}. Columns the schema does not know count as new
 * columns; a column the table lacks is missing on every row. The state's row sample is one row (nothing here
 * reads it). Cost: O(rows · columns).
 */
export function foldTableIntoState(
  schema: BucketSchema,
  data: Readonly<Record<string, readonly CellValue[]>>,
  rows: number,
): BucketState {
  const state = createBucketState(schema, { model: 'table', startMs: 0, sampleSize: 1 });
  const names = Object.keys(data);
  const columns = names.map((n) => data[n]);
  for (let i = 0; i < rows; i++) {
    const row: Record<string, CellValue> = {};
    for (let k = 0; k < names.length; k++) row[names[k]] = columns[k][i];
    foldRow(state, schema, row);
  }
  return state;
}
