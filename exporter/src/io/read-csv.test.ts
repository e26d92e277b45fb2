import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTable, readTableRows, TableError } from './read-table';

const dir = mkdtempSync(join(tmpdir(), 'plumbline-csv-'));
let n = 0;
function file(text: string | Buffer, ext = 'csv'): string {
  const path = join(dir, `t${n++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

/** The header, its line and every row as [line, values], or the error's message in place of the rest. */
async function read(path: string): Promise<{ header: [string[], number | null] | null; rows: unknown[] }> {
  let header: [string[], number | null] | null = null;
  const rows: unknown[] = [];
  try {
    for await (const row of readTableRows(path, (c, line) => (header = [c, line])))
      rows.push([row.line, row.values]);
  } catch (err) {
    rows.push((err as Error).message.replace(`${path}`, 'FILE'));
  }
  return { header, rows };
}

// Two cases write and read files of several MiB: on a loaded 2-core machine that passed jest's 5 s default (seen in
// runs of the exporter project beside other jobs). No timing is asserted.
jest.setTimeout(30_000);

describe('CSV input (readTableRows, readTable)', () => {
  test('quoted commas, doubled quotes and newlines; a ragged row after a quoted newline names its own line', async () => {
    const path = file('a,b\n"x, y","say ""hi"""\n"two\nlines",3\n4\n');
    expect(await read(path)).toEqual({
      header: [['a', 'b'], 1],
      rows: [
        [2, ['x, y', 'say "hi"']],
        [4, ['two\nlines', '3']],
        'FILE:5: ragged row: 1 fields, the header has 2',
      ],
    });
  });

  test('CRLF line ends, a CRLF inside a quoted field counted as one line break, BOM dropped', async () => {
    const path = file('\ufeffa,b\r\n1,"p\r\nq"\r\n3,4\r\n5\r\n');
    expect(await read(path)).toEqual({
      header: [['a', 'b'], 1],
      rows: [[3, ['1', 'p\r\nq']], [4, ['3', '4']], 'FILE:5: ragged row: 1 fields, the header has 2'],
    });
  });

  test('blank lines are skipped but counted; a line holding "" is a row with one empty cell', async () => {
    const path = file('\n\nx\n1\n\n\n""\n2');
    expect(await read(path)).toEqual({
      header: [['x'], 3],
      rows: [
        [4, ['1']],
        [7, ['']],
        [8, ['2']],
      ],
    });
  });

  test('records ending at a lone \\r', async () => {
    expect(await read(file('a,b\r1,2\r3\r'))).toEqual({
      header: [['a', 'b'], 1],
      rows: [[2, ['1', '2']], 'FILE:3: ragged row: 1 fields, the header has 2'],
    });
  });

  test('TSV: tab-separated, commas are data', async () => {
    expect(await read(file('a\t b \n1,5\t"x\ty"\n', 'tsv'))).toEqual({
      header: [['a', 'b'], 1],
      rows: [[2, ['1,5', 'x\ty']]],
    });
  });

  test('header names are trimmed; an empty or repeated name is an error at the header line', async () => {
    expect((await read(file('\n a ,b\n1,2\n'))).header).toEqual([['a', 'b'], 2]);
    expect((await read(file('\n\na,,b\n1,2,3\n'))).rows).toEqual(['FILE:3: header has an empty column name']);
    expect((await read(file('"a\nb",c," a\nb"\n1,2,3\n'))).rows).toEqual([
      'FILE:3: header names column "a\nb" twice',
    ]);
  });

  test('an unclosed quote is malformed CSV at the line its record starts on', async () => {
    const path = file('a,b\n1,2\n"3,4\n5,6\n');
    expect((await read(path)).rows).toEqual([
      [2, ['1', '2']],
      'FILE:3: malformed CSV: Quoted field unterminated (in the record starting on this line)',
    ]);
    await expect(readTable(path)).rejects.toBeInstanceOf(TableError);
  });

  test('text after a closing quote is malformed CSV', async () => {
    expect((await read(file('a,b\n"x"y,2\n'))).rows).toEqual([
      'FILE:2: malformed CSV: Trailing quote on quoted field is malformed (in the record starting on this line)',
    ]);
  });

  test('records and multi-byte characters split across the 1 MiB read chunks keep their cells and lines', async () => {
    // Rows of 3-byte and 4-byte characters with quoted newlines, so chunk boundaries fall inside characters, inside
    // quoted fields and between \r and \n.
    const lines = ['id,text,n'];
    const expected: [number, string[]][] = [];
    let line = 1;
    for (let i = 0, bytes = 0; bytes < 2.5 * (1 << 20); i++) {
      const text = i % 7 === 0 ? `日本語😀\r\n${'é'.repeat(i % 13)}, "q"` : '日本'.repeat(1 + (i % 5));
      lines.push(`${i},"${text.replace(/"/g, '""')}",${i % 3}`);
      bytes += Buffer.byteLength(lines[lines.length - 1]) + 2;
      line += 1 + (i % 7 === 0 ? 1 : 0);
      expected.push([line, [String(i), text, String(i % 3)]]);
    }
    const path = file(lines.join('\r\n') + '\r\n');
    const got: [number, string[]][] = [];
    for await (const row of readTableRows(path, () => undefined))
      got.push([row.line, row.values as string[]]);
    expect(got.length).toBe(expected.length);
    expect(got).toEqual(expected);
    const table = await readTable(path);
    expect(table.rows).toBe(expected.length);
    expect(table.data.text).toEqual(expected.map(([, v]) => v[1]));
  });

  test('a ragged row past the first chunk names its exact line', async () => {
    const body = Array.from({ length: 120000 }, (_, i) => (i % 1000 === 0 ? `"${i}\n",${i}` : `${i},${i}`));
    body.push('1,2,3');
    const path = file(['a,b', ...body].join('\n'));
    const lastLine = 1 + body.length + 120; // 120 quoted line breaks
    await expect(readTable(path)).rejects.toThrow(
      `${path}:${lastLine}: ragged row: 3 fields, the header has 2`,
    );
  });
});
