import type { ReadCounter } from '../io/read-progress';
import { readTableRows } from '../io/read-table';
import type { ProfileOptions } from '../drift/profile-options';
import { ReferenceProfileBuilder } from '../drift/streaming-profile-builder';
import type { ReferenceProfile } from '../drift/profile-types';

export interface ProfileFileProgress {
  /** Rows handed out and bytes read, both passes added up (read-progress.ts). */
  readonly counter?: ReadCounter;
  /** Called as each pass over the file starts. */
  readonly onPass?: (pass: 1 | 2) => void;
}

/**
 * Profiles a CSV / JSON Lines / Parquet file in a stream (Parquet one row group at a time): pass 1 collects counts, moments, a DDSketch, a bounded reservoir per
 * numerical column and category counts; a second pass over the file runs only when a numerical column has more
 * values than the reservoir holds, to count every value into the PSI bins. Memory does not grow with the row count.
 */
export async function profileFile(
  file: string,
  options: ProfileOptions = {},
  progress: ProfileFileProgress = {},
): Promise<ReferenceProfile> {
  let builder: ReferenceProfileBuilder | null = null;
  progress.onPass?.(1);
  for await (const row of readTableRows(
    file,
    (columns) => (builder = new ReferenceProfileBuilder(columns, options)),
    progress.counter,
  )) {
    builder!.addRow(row.values);
  }
  const b = builder as ReferenceProfileBuilder | null;
  if (!b) throw new Error(`${file}: no data rows`);
  if (b.needsBinningPass()) {
    progress.onPass?.(2);
    for await (const row of readTableRows(file, () => undefined, progress.counter)) b.binRow(row.values);
  }
  return b.build();
}
