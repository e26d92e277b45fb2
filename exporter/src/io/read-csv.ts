/**
 * CSV and TSV input for `plumbline drift` and `plumbline baseline import`, through papaparse's core parser (pure
 * JavaScript), fed one chunk of the file at a time.
 *
 * Each chunk is decoded as UTF-8 by the read stream (a character split across two chunks is joined), appended to the
 * unparsed tail of the previous one and parsed up to the end of its last complete record; the tail waits for the next
 * chunk. The line of a record is counted from the newlines before it plus those inside its quoted fields, so it stays
 * exact across quoted newlines, skipped blank lines and chunk boundaries. As csv-parse did before, a record's line is
 * the line it ends on.
 */
import { createReadStream } from 'node:fs';
import { Parser } from 'papaparse';
import type { ReadCounter } from './read-progress';
import type { TableRow } from './table-types';
import { TableError } from './table-error';

type Newline = '\n' | '\r\n' | '\r';

/** What papaparse's `Parser.parse` returns (its type declarations say `any`). */
interface ParseResult {
  readonly data: string[][];
  readonly errors: readonly { readonly code: string; readonly message: string; readonly row?: number }[];
  readonly meta: { readonly cursor: number };
}

export interface ReadCsvOptions {
  /** Bytes read from the file at a time. @default 1048576 */
  readonly chunkBytes?: number;
  /** Bytes read from the file are added to `counter.bytes` as they are read (progress on a terminal). */
  readonly counter?: ReadCounter;
}

/**
 * The record delimiter of the file, from its first line break as csv-parse's auto-detection chose it: `\r\n`, `\n` or
 * a lone `\r`. Null when `text` holds no line break yet (or ends in a `\r` that the next chunk may follow with `\n`).
 */
function detectNewline(text: string, final: boolean): Newline | null {
  const lf = text.indexOf('\n');
  const cr = text.indexOf('\r');
  if (cr !== -1 && (lf === -1 || cr < lf)) {
    if (cr + 1 < text.length) return text[cr + 1] === '\n' ? '\r\n' : '\r';
    return final ? '\r' : null;
  }
  if (lf !== -1) return '\n';
  return final ? '\n' : null;
}

/** How many times `ch` occurs in `text` before index `end`. */
function countChar(text: string, ch: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf(ch); i !== -1 && i < end; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/** How many times `ch` occurs in the fields of a record (only a quoted field can hold a line break). */
function countInRecord(record: readonly string[], ch: string): number {
  let n = 0;
  for (const field of record) if (field.includes(ch)) n += countChar(field, ch, field.length);
  return n;
}

/**
 * Streams the records of a CSV file (comma; tab for .tsv) in batches, one batch per chunk read. The first non-blank
 * record is the header: names trimmed, an empty or repeated name is a {@link TableError} at the header's line;
 * `onHeader` receives the names and that line. Blank lines are skipped (a line holding `""` is a record with one
 * empty field); a leading UTF-8 byte order mark is dropped; records end at `\r\n`, `\n` or `\r`, whichever the file's
 * first line break is. A record with another number of fields than the header, or an unclosed or misplaced quote,
 * is a {@link TableError} naming the file and line.
 */
export async function* readCsvBatches(
  file: string,
  onHeader: (columns: string[], line: number) => void,
  options: ReadCsvOptions = {},
): AsyncGenerator<TableRow[]> {
  const delimiter = file.toLowerCase().endsWith('.tsv') ? '\t' : ',';
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: options.chunkBytes ?? 1 << 20 });
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<string>;
  let newline: Newline | null = null;
  let parser: Parser | null = null;
  let pending = '';
  let atStart = true;
  /** Line breaks before `pending`: the number of lines already parsed. */
  let linesBefore = 0;
  let width = -1;
  let bytesSeen = 0;
  try {
    for (;;) {
      const next = await chunks.next();
      if (options.counter) {
        options.counter.bytes += stream.bytesRead - bytesSeen;
        bytesSeen = stream.bytesRead;
      }
      const final = next.done === true;
      let text = final ? pending : pending + next.value;
      if (atStart && text !== '') {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        atStart = false;
      }
      newline ??= detectNewline(text, final);
      if (newline === null) {
        pending = text;
        continue;
      }
      parser ??= new Parser({ delimiter, newline, quoteChar: '"' });
      const result = parser.parse(text, 0, !final) as ParseResult;
      const records = result.data;
      const consumed = final ? text.length : result.meta.cursor;
      pending = final ? '' : text.slice(consumed);
      // Lines are counted in `\n` (also for `\r\n` files), or in `\r` for files whose records end at a lone `\r`.
      const lineBreak = newline === '\r' ? '\r' : '\n';
      const breaks = countChar(text, lineBreak, consumed);
      // Every record but the final one at the end of the file ends at a line break; when that accounts for every line
      // break, no quoted field holds one and each record is on the line after the previous one.
      const plain = breaks === records.length - (final ? 1 : 0);
      const quoted = text.lastIndexOf('"', consumed - 1) !== -1;
      // An error in the record cut off at the end of the chunk is parsed again with the next chunk.
      const error = result.errors.find((e) => e.row !== undefined && e.row < records.length);
      let lineStarts: number[] | null = null;
      let failure: TableError | null = null;
      let line = linesBefore;
      const batch: TableRow[] = [];
      for (let i = 0; i < records.length; i++) {
        const record = records[i];
        const start = line + 1;
        line = plain ? start : start + countInRecord(record, lineBreak);
        if (error && error.row === i) {
          // A misplaced or missing closing quote runs the field on to the next quote or the end of the file.
          failure = new TableError(
            file,
            start,
            `malformed CSV: ${error.message} (in the record starting on this line)`,
          );
          break;
        }
        if (record.length === 1 && record[0] === '') {
          // A blank line, unless the line holds `""`: find where it starts when the chunk has quotes at all.
          if (!quoted) continue;
          if (!lineStarts) {
            lineStarts = [0];
            for (
              let j = text.indexOf(lineBreak);
              j !== -1 && j < consumed;
              j = text.indexOf(lineBreak, j + 1)
            )
              lineStarts.push(j + 1);
          }
          if (text[lineStarts[start - linesBefore - 1]] !== '"') continue;
        }
        if (width < 0) {
          const header = record.map((h) => h.trim());
          const dup = header.find((h, k) => header.indexOf(h) !== k);
          if (header.some((h) => h === ''))
            failure = new TableError(file, line, 'header has an empty column name');
          else if (dup !== undefined)
            failure = new TableError(file, line, `header names column "${dup}" twice`);
          if (failure) break;
          width = header.length;
          onHeader(header, line);
          continue;
        }
        if (record.length !== width) {
          failure = new TableError(
            file,
            line,
            `ragged row: ${record.length} fields, the header has ${width}`,
          );
          break;
        }
        batch.push({ line, values: record });
      }
      linesBefore += breaks;
      // The rows before a bad one are still delivered, as when they came one at a time.
      if (batch.length > 0) yield batch;
      if (failure) throw failure;
      if (final) return;
    }
  } finally {
    stream.destroy();
  }
}
