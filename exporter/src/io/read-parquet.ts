import { open } from 'node:fs/promises';
import type { DecodedArray, FileMetaData, ParquetParsers, ParquetScan, SchemaElement } from 'hyparquet' with {
  'resolution-mode': 'import',
};
import type { CellValue } from '../stats/missing';
import type { ReadCounter } from './read-progress';
import type { Table, TableRow } from './table-types';
import { TableError } from './table-error';

/**
 * Parquet input for `plumbline drift` and `plumbline baseline import`, through hyparquet (pure JavaScript, read-only)
 * and hyparquet-compressors (gzip, zstd, brotli, lz4; snappy is built into hyparquet).
 *
 * Values become {@link CellValue}s: floats and ints → number; INT64 / UINT64 → number when it is a safe integer
 * (|x| ≤ 2^53 − 1), else its decimal string (the text a CSV would hold); DECIMAL → the number nearest to the decimal;
 * DATE → `YYYY-MM-DD`; timestamps (INT96 too; naive ones read as UTC) → ISO-8601 in UTC, `2024-05-01T12:00:00.000Z`,
 * with the sub-millisecond digits when there are any; booleans → boolean; strings → string; null → null. Lists,
 * structs, maps and other nested values are an error naming the file and the column, as a nested value in JSON Lines
 * is (exporter/README.md, "Input files", says why).
 */

// Both packages are ES modules: import() loads them from this CommonJS code on every Node 20 release (a require()
// of an ES module needs Node ≥ 20.19). Loaded once, on the first Parquet file.
type Hyparquet = typeof import('hyparquet', { with: { 'resolution-mode': 'import' } });
type Compressors = (typeof import('hyparquet-compressors', {
  with: { 'resolution-mode': 'import' },
}))['compressors'];
let libraries: Promise<{ hyparquet: Hyparquet; compressors: Compressors }> | null = null;
function loadLibraries(): Promise<{ hyparquet: Hyparquet; compressors: Compressors }> {
  libraries ??= Promise.all([import('hyparquet'), import('hyparquet-compressors')]).then(
    ([hyparquet, c]) => ({
      hyparquet,
      compressors: c.compressors,
    }),
  );
  return libraries;
}

const MAGIC = 'PAR1';

/**
 * ISO-8601 (UTC) of `value` units since the epoch, `unitsPerMs` of them a millisecond: milliseconds always, then the
 * microseconds' and nanoseconds' digits when they are not zero (`…00.000Z`, `…00.123456Z`, `…00.123456789Z`).
 */
function isoTimestamp(value: bigint, unitsPerMs: bigint): string {
  let ms = value / unitsPerMs;
  let rest = value % unitsPerMs;
  if (rest < 0n) {
    ms -= 1n;
    rest += unitsPerMs;
  }
  const iso = new Date(Number(ms)).toISOString();
  if (rest === 0n) return iso;
  let digits = rest.toString().padStart(unitsPerMs === 1000n ? 3 : 6, '0');
  if (digits.length === 6 && digits.endsWith('000')) digits = digits.slice(0, 3);
  return `${iso.slice(0, -1)}${digits}Z`;
}

const PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (ms) => isoTimestamp(BigInt(ms), 1n),
  timestampFromMicroseconds: (us) => isoTimestamp(BigInt(us), 1000n),
  timestampFromNanoseconds: (ns) => isoTimestamp(BigInt(ns), 1000000n),
  dateFromDays: (days) => {
    const iso = new Date(days * 86400000).toISOString();
    return iso.slice(0, iso.indexOf('T'));
  },
};

/** An unscaled DECIMAL (two's complement big-endian bytes, or an integer) as the number nearest to it / 10^scale. */
function decimalToNumber(unscaled: unknown, scale: number): CellValue {
  let u: bigint;
  if (unscaled instanceof Uint8Array) {
    u = 0n;
    for (const byte of unscaled) u = (u << 8n) | BigInt(byte);
    if (unscaled.length > 0 && unscaled[0] >= 0x80) u -= 1n << BigInt(unscaled.length * 8);
  } else if (typeof unscaled === 'bigint' || typeof unscaled === 'number') u = BigInt(unscaled);
  else return null;
  const negative = u < 0n;
  const digits = (negative ? -u : u).toString().padStart(scale + 1, '0');
  const cut = digits.length - scale;
  return Number(`${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut) || '0'}`);
}

class NestedValueError extends Error {}

/** One decoded value as a cell; objects (lists, structs, maps, geometries) throw {@link NestedValueError}. */
function toCell(v: unknown): CellValue {
  switch (typeof v) {
    case 'number':
    case 'string':
    case 'boolean':
      return v;
    case 'bigint':
      return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
    case 'undefined':
      return null;
    default:
      if (v === null) return null;
      if (v instanceof Date) return v.toISOString();
      throw new NestedValueError();
  }
}

/** A top-level column of the file, with its DECIMAL scale when hyparquet must leave it unscaled to us. */
interface ParquetColumn {
  readonly name: string;
  readonly decimalScale: number | null;
}

/** An opened Parquet file: its flat columns, row count and a scan that reads a column of one row group. */
interface ParquetSource {
  readonly columns: ParquetColumn[];
  readonly rows: number;
  readonly scan: ParquetScan;
}

async function readMagic(file: string, size: number): Promise<{ head: string; tail: string }> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    if (size >= 8) await handle.read(tail, 0, 4, size - 4);
    return { head: head.toString('latin1'), tail: tail.toString('latin1') };
  } finally {
    await handle.close();
  }
}

function nestedKind(element: SchemaElement, hasChildren: boolean): string | null {
  const logical = element.logical_type?.type;
  if (element.converted_type === 'LIST' || logical === 'LIST') return 'a list';
  if (element.converted_type === 'MAP' || element.converted_type === 'MAP_KEY_VALUE' || logical === 'MAP')
    return 'a map';
  if (logical === 'VARIANT') return 'a variant';
  if (hasChildren) return 'a struct';
  if (element.repetition_type === 'REPEATED') return 'a repeated';
  return null;
}

async function openParquet(file: string, counter?: ReadCounter): Promise<ParquetSource> {
  const { hyparquet, compressors } = await loadLibraries();
  const fileBuffer = await hyparquet.asyncBufferFromFile(file);
  // With a counter, every byte range hyparquet reads from the file is added to counter.bytes.
  const buffer: typeof fileBuffer = counter
    ? {
        byteLength: fileBuffer.byteLength,
        slice: async (start, end) => {
          const bytes = await fileBuffer.slice(start, end);
          counter.bytes += bytes.byteLength;
          return bytes;
        },
      }
    : fileBuffer;
  const { head, tail } = await readMagic(file, buffer.byteLength);
  if (head !== MAGIC) throw new TableError(file, null, 'not a Parquet file (it does not start with "PAR1")');
  if (buffer.byteLength < 12 || tail !== MAGIC)
    throw new TableError(file, null, 'truncated Parquet file: the footer (ending in "PAR1") is missing');
  let metadata: FileMetaData;
  let scan: ParquetScan;
  try {
    metadata = await hyparquet.parquetMetadataAsync(buffer);
  } catch (err) {
    throw new TableError(file, null, `malformed Parquet footer: ${(err as Error).message}`, { cause: err });
  }
  const tree = hyparquet.parquetSchema(metadata);
  const columns: ParquetColumn[] = [];
  for (const child of tree.children) {
    const { element } = child;
    const kind = nestedKind(element, child.children.length > 0);
    if (kind !== null) {
      throw new TableError(
        file,
        null,
        `column "${element.name}" is ${kind} column; only flat columns (numbers, strings, booleans, dates, timestamps) can be compared`,
      );
    }
    if (columns.some((c) => c.name === element.name))
      throw new TableError(file, null, `the schema names column "${element.name}" twice`);
    // hyparquet scales a DECIMAL by multiplying with 10^-scale (35 × 0.01 = 0.35000000000000003); with the annotation
    // removed it hands over the unscaled integer and decimalToNumber parses the exact decimal. BYTE_ARRAY decimals
    // (rare) keep hyparquet's conversion: without the annotation they would be read as text.
    let decimalScale: number | null = null;
    if (element.converted_type === 'DECIMAL' && element.type !== 'BYTE_ARRAY') {
      decimalScale = element.scale ?? 0;
      element.converted_type = undefined;
      element.logical_type = undefined;
    }
    columns.push({ name: element.name, decimalScale });
  }
  if (columns.length === 0) throw new TableError(file, null, 'the Parquet schema has no columns');
  try {
    scan = await hyparquet.parquetScan({ file: buffer, metadata, compressors, parsers: PARSERS });
  } catch (err) {
    throw new TableError(file, null, `malformed Parquet file: ${(err as Error).message}`, { cause: err });
  }
  return { columns, rows: Number(metadata.num_rows), scan };
}

/** The values of one column in rows [rowStart, rowEnd) as cells; typed arrays of numbers pass through. */
async function readCells(
  file: string,
  source: ParquetSource,
  column: ParquetColumn,
  rowStart: number,
  rowEnd: number,
): Promise<ArrayLike<CellValue>> {
  let data: DecodedArray;
  try {
    data = await source.scan.readColumn({ column: column.name, rowStart, rowEnd });
  } catch (err) {
    throw new TableError(
      file,
      null,
      `cannot read column "${column.name}" (rows ${rowStart + 1}–${rowEnd}): ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (data.length !== rowEnd - rowStart)
    throw new TableError(
      file,
      null,
      `column "${column.name}" has ${data.length} values in rows ${rowStart + 1}–${rowEnd}, expected ${rowEnd - rowStart}`,
    );
  if (
    column.decimalScale === null &&
    ArrayBuffer.isView(data) &&
    !(data instanceof BigInt64Array) &&
    !(data instanceof BigUint64Array)
  )
    return data as ArrayLike<number>;
  const out = new Array<CellValue>(data.length);
  let i = 0;
  try {
    if (column.decimalScale !== null)
      for (; i < data.length; i++) out[i] = decimalToNumber(data[i], column.decimalScale);
    else for (; i < data.length; i++) out[i] = toCell(data[i]);
  } catch (err) {
    if (!(err instanceof NestedValueError)) throw err;
    throw new TableError(
      file,
      null,
      `row ${rowStart + i + 1}: column "${column.name}" holds a nested value; expected a number, string, boolean, date, timestamp or null`,
    );
  }
  return out;
}

/**
 * Streams the rows of a Parquet file, one row group at a time: each group's columns are decoded (numbers stay in
 * their typed arrays), its rows handed out, and the group dropped before the next one is read, so memory is bounded by
 * the largest row group, not by the file. `line` is the 1-based row number. `onHeader` receives the column names.
 */
export async function* readParquetRows(
  file: string,
  onHeader: (columns: string[]) => void,
  counter?: ReadCounter,
): AsyncGenerator<TableRow> {
  const source = await openParquet(file, counter);
  const names = source.columns.map((c) => c.name);
  onHeader(names);
  const width = names.length;
  for (const { rowStart, rowEnd } of source.scan.ranges) {
    // One column after the other: the first bad column in schema order is the one an error names.
    const cells: ArrayLike<CellValue>[] = [];
    for (const column of source.columns) cells.push(await readCells(file, source, column, rowStart, rowEnd));
    for (let r = 0; r < rowEnd - rowStart; r++) {
      const values = new Array<CellValue>(width);
      for (let c = 0; c < width; c++) values[c] = cells[c][r];
      yield { line: rowStart + r + 1, values };
    }
  }
}

/**
 * Reads a whole Parquet file into columns, column by column and row group by row group. With a counter, the bytes
 * read are added as they are read and the rows once the first column is in.
 */
export async function readParquetTable(file: string, counter?: ReadCounter): Promise<Table> {
  const source = await openParquet(file, counter);
  const columns = source.columns.map((c) => c.name);
  const data: Record<string, CellValue[]> = {};
  for (const column of source.columns) {
    const values = new Array<CellValue>(source.rows);
    let at = 0;
    for (const { rowStart, rowEnd } of source.scan.ranges) {
      const cells = await readCells(file, source, column, rowStart, rowEnd);
      for (let i = 0; i < cells.length; i++) values[at++] = cells[i];
    }
    values.length = at;
    data[column.name] = values;
    if (counter && column === source.columns[0]) counter.rows += at;
  }
  const rows = source.scan.ranges.reduce((n, r) => n + r.rowEnd - r.rowStart, 0);
  return { file, columns, headerLine: null, data, rows };
}
