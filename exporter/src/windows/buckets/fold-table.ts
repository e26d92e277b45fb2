import { isMissing, type CellValue } from '../../stats/missing';
import type { BucketSchema } from './bucket-schema';
import { addCount } from './bounded-counts';
import { createBucketState, type BucketState } from './bucket-state';
import { foldCategorical } from './categorical-column-state';
import { foldNumerical } from './numerical-column-state';
import { offerRow, writePrediction } from './row-sample';

/** A table in columns, as `readTable` returns it: name → one value per row. */
export type TableColumns = Readonly<Record<string, readonly CellValue[]>>;

/**
 * Folds a whole table (column-major) into `bucket`: the state is exactly the one {@link foldRow} gives row by row —
 * every count, the moments' counts, the new columns and the reservoir's rows (tested) — but a column at a time, with
 * no object per row (`plumbline drift` folds files of millions of cells). The reservoir's slots are drawn for every
 * row first, in row order; each column then writes its values into the rows' slots in row order, so a slot ends with
 * the last row drawn into it, as when folding row by row. A column the table lacks is missing on every row; a column
 * the schema does not know is a new column. Cost: O(rows · columns).
 */
export function foldTable(bucket: BucketState, schema: BucketSchema, data: TableColumns, rows: number): void {
  if (bucket.schemaId !== schema.id)
    throw new RangeError(`bucket folded under schema ${bucket.schemaId}, not ${schema.id}`);
  for (const [name, values] of Object.entries(data))
    if (values.length < rows)
      throw new RangeError(`column "${name}" has ${values.length} values, not ${rows}`);
  const slots = new Int32Array(rows);
  for (let r = 0; r < rows; r++) slots[r] = offerRow(bucket.sample, bucket.rng);
  bucket.rows += rows;
  const column = (name: string): readonly CellValue[] | null =>
    Object.prototype.hasOwnProperty.call(data, name) ? data[name] : null;
  for (let i = 0; i < schema.numerical.length; i++) {
    const c = schema.numerical[i];
    const values = column(c.name);
    const state = bucket.numerical[i];
    const sampled = bucket.sample.columns[i];
    for (let r = 0; r < rows; r++) {
      const x = foldNumerical(state, c, values === null ? null : values[r]);
      if (slots[r] >= 0) sampled[slots[r]] = x;
    }
  }
  for (let i = 0; i < schema.categorical.length; i++) {
    const c = schema.categorical[i];
    const values = column(c.name);
    for (let r = 0; r < rows; r++)
      foldCategorical(bucket.categorical[i], c, values === null ? null : values[r]);
  }
  for (const [name, values] of Object.entries(data)) {
    if (schema.knownColumns.has(name)) continue;
    let carrying = 0;
    for (let r = 0; r < rows; r++) if (!isMissing(values[r])) carrying++;
    if (carrying > 0) addCount(bucket.newColumns, name, carrying);
  }
  for (let r = 0; r < rows; r++)
    if (slots[r] >= 0) writePrediction(bucket.sample, slots[r], null, null, null);
}

/**
 * A table folded into a fresh state (model "table", a sample of `sampleSize` rows): what `plumbline drift` hands
 * to the data-quality checks.
 */
export function tableState(
  schema: BucketSchema,
  data: TableColumns,
  rows: number,
  options: { readonly sampleSize?: number } = {},
): BucketState {
  const state = createBucketState(schema, {
    model: 'table',
    startMs: 0,
    sampleSize: options.sampleSize ?? 1,
  });
  foldTable(state, schema, data, rows);
  return state;
}
