import { createReadStream, statSync } from 'node:fs';
import type { CellValue } from '../stats/missing';
import { readCsvBatches } from './read-csv';
import { readParquetRows, readParquetTable } from './read-parquet';
import type { ReadCounter } from './read-progress';
import { TableError } from './table-error';
import type { Table, TableRow } from './table-types';

export { TableError };

export type TableFormat = 'csv' | 'jsonl' | 'parquet';

/**
 * CSV for .csv / .tsv, JSON Lines for .jsonl / .ndjson / .json, Parquet for .parquet / .pq; anything else is sniffed
 * from `head`, the file's first bytes (latin1): Parquet when they are the magic `PAR1`, JSON Lines when the first is
 * `{`, else CSV.
 */
export function tableFormat(file: string, head = ''): TableFormat {
  const lower = file.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.tsv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  if (lower.endsWith('.parquet') || lower.endsWith('.pq')) return 'parquet';
  if (head.startsWith('PAR1')) return 'parquet';
  return head.startsWith('{') ? 'jsonl' : 'csv';
}

function checkReadable(file: string): void {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new TableError(file, null, 'not a regular file');
    size = st.size;
  } catch (err) {
    if (err instanceof TableError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new TableError(
      file,
      null,
      code === 'ENOENT' ? 'no such file' : `cannot read file (${code ?? String(err)})`,
      {
        cause: err,
      },
    );
  }
  if (size === 0)
    throw new TableError(
      file,
      null,
      'empty file: expected a header row (CSV), JSON objects one per line, or a Parquet file',
    );
}

/** The first four bytes of the file as latin1 (enough for the Parquet magic and a JSON Lines `{`). */
async function fileHead(file: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const s = createReadStream(file, { start: 0, end: 3, encoding: 'latin1' });
    let c = '';
    s.on('data', (d) => (c += String(d)));
    s.on('close', () => resolve(c));
    s.on('error', () => resolve(''));
  });
}

/**
 * Streams the rows of a CSV (header row first; comma, or tab for .tsv), JSON Lines (one object per line; the first
 * object's keys are the columns, later lines may omit keys but not add new ones) or Parquet file (flat columns; values
 * mapped as `read-parquet.ts` says). `onHeader` receives the column names before the first row, and the line that
 * defined them (the CSV header, the first JSON object; null for Parquet, whose columns come from its schema). Errors are
 * {@link TableError}s naming the file and line: missing or empty file, ragged CSV rows, malformed JSON, a line that is
 * not an object, an unknown key, a file that is not Parquet or is truncated or corrupt, a nested column, no data rows.
 * Memory: one row at a time (CSV, JSON Lines), one row group (Parquet). With a `counter`, the rows handed out and the
 * bytes read from the file are added to it as they go (read-progress.ts).
 */
export async function* readTableRows(
  file: string,
  onHeader: (columns: string[], line: number | null) => void,
  counter?: ReadCounter,
): AsyncGenerator<TableRow> {
  checkReadable(file);
  const format = tableFormat(file, await fileHead(file));
  let rows = 0;
  if (format === 'parquet') {
    for await (const row of readParquetRows(file, (columns) => onHeader(columns, null), counter)) {
      rows++;
      if (counter) counter.rows++;
      yield row;
    }
  } else if (format === 'csv') {
    for await (const batch of readCsvBatches(file, onHeader, { counter })) {
      rows += batch.length;
      if (counter) counter.rows += batch.length;
      yield* batch;
    }
  } else {
    let columns: string[] | null = null;
    let index = new Map<string, number>();
    let line = 0;
    let rest = '';
    const handle = (text: string): TableRow | null => {
      line++;
      if (text.trim() === '') return null;
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (err) {
        throw new TableError(file, line, `malformed JSON: ${(err as Error).message}`, { cause: err });
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        throw new TableError(file, line, 'expected a JSON object per line');
      }
      const entries = Object.entries(obj as Record<string, unknown>);
      if (!columns) {
        columns = entries.map(([k]) => k);
        index = new Map(columns.map((c, i) => [c, i]));
        onHeader(columns, line);
      }
      const values = new Array<CellValue>(columns.length).fill(null);
      for (const [k, v] of entries) {
        const i = index.get(k);
        if (i === undefined) {
          throw new TableError(
            file,
            line,
            `unknown column "${k}" (the first line defines the columns: ${columns.join(', ')})`,
          );
        }
        if (v !== null && typeof v === 'object') {
          throw new TableError(
            file,
            line,
            `column "${k}" holds a nested value; expected a number, string, boolean or null`,
          );
        }
        values[i] = v as CellValue;
      }
      rows++;
      if (counter) counter.rows++;
      return { line, values };
    };
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
    let bytesSeen = 0;
    for await (const chunk of stream) {
      if (counter) {
        counter.bytes += stream.bytesRead - bytesSeen;
        bytesSeen = stream.bytesRead;
      }
      const parts = (rest + String(chunk)).split('\n');
      rest = parts.pop()!;
      for (const part of parts) {
        const row = handle(part.endsWith('\r') ? part.slice(0, -1) : part);
        if (row) yield row;
      }
    }
    if (rest !== '') {
      const row = handle(rest);
      if (row) yield row;
    }
  }
  if (rows === 0) throw new TableError(file, null, 'no data rows');
}

/**
 * Reads a whole CSV / JSON Lines / Parquet file into columns (see {@link readTableRows} for the formats and errors);
 * Parquet is read column by column. With a `counter`, rows and bytes are added to it as they are read.
 */
export async function readTable(file: string, counter?: ReadCounter): Promise<Table> {
  checkReadable(file);
  const format = tableFormat(file, await fileHead(file));
  if (format === 'parquet') {
    const table = await readParquetTable(file, counter);
    if (table.rows === 0) throw new TableError(file, null, 'no data rows');
    return table;
  }
  let columns: string[] = [];
  let headerLine: number | null = null;
  const data: Record<string, CellValue[]> = {};
  let rows = 0;
  const onHeader = (c: string[], line: number | null): void => {
    columns = c;
    headerLine = line;
    for (const name of c) data[name] = [];
  };
  const add = (row: TableRow): void => {
    for (let i = 0; i < columns.length; i++) data[columns[i]].push(row.values[i]);
    rows++;
  };
  if (format === 'csv') {
    // A chunk's rows at a time rather than an await per row.
    for await (const batch of readCsvBatches(file, onHeader, { counter })) {
      for (const row of batch) add(row);
      if (counter) counter.rows += batch.length;
    }
    if (rows === 0) throw new TableError(file, null, 'no data rows');
  } else {
    for await (const row of readTableRows(file, onHeader, counter)) add(row);
  }
  return { file, columns, headerLine, data, rows };
}
