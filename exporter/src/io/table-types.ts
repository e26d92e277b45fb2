/**
 * The shapes every table reader returns (read-csv.ts, read-parquet.ts, read-table.ts), in a module of their own so
 * the format readers and the dispatcher over them do not import each other.
 */
import type { CellValue } from '../stats/missing';

/** One data row with the 1-based line it started on. */
export interface TableRow {
  readonly line: number;
  readonly values: CellValue[];
}

/** A whole table in memory, column-major. */
export interface Table {
  readonly file: string;
  readonly columns: string[];
  /** The line that defined the columns (CSV header, first JSON object); null for Parquet. */
  readonly headerLine: number | null;
  readonly data: Record<string, CellValue[]>;
  readonly rows: number;
}
