import { readTableRows } from '../io/read-table';
import type { ProfileOptions } from '../drift/profile-options';
import { ReferenceProfileBuilder } from '../drift/streaming-profile-builder';
import type { ReferenceProfile } from '../drift/profile-types';

export interface ProfileProgress {
  readonly pass: 1 | 2;
  readonly rows: number;
  /** Total rows, known in pass 2. */
  readonly total?: number;
}

/**
 * Profiles a CSV / JSON Lines / Parquet file in a stream (Parquet one row group at a time): pass 1 collects counts, moments, a DDSketch, a bounded reservoir per
 * numerical column and category counts; a second pass over the file runs only when a numerical column has more
 * values than the reservoir holds, to count every value into the PSI bins. Memory does not grow with the row count.
 */
export async function profileFile(
  file: string,
  options: ProfileOptions = {},
  onProgress?: (p: ProfileProgress) => void,
): Promise<ReferenceProfile> {
  let builder: ReferenceProfileBuilder | null = null;
  let rows = 0;
  const every = 10000;
  for await (const row of readTableRows(
    file,
    (columns) => (builder = new ReferenceProfileBuilder(columns, options)),
  )) {
    builder!.addRow(row.values);
    if (++rows % every === 0) onProgress?.({ pass: 1, rows });
  }
  const b = builder as ReferenceProfileBuilder | null;
  if (!b) throw new Error(`${file}: no data rows`);
  onProgress?.({ pass: 1, rows });
  if (b.needsBinningPass()) {
    let done = 0;
    for await (const row of readTableRows(file, () => undefined)) {
      b.binRow(row.values);
      if (++done % every === 0) onProgress?.({ pass: 2, rows: done, total: rows });
    }
    onProgress?.({ pass: 2, rows: done, total: rows });
  }
  return b.build();
}
