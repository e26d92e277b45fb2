// Parquet input, on files pyarrow wrote (exporter/scripts/gen_parquet_fixtures.py; committed, no Python needed here).
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CellValue } from '../stats/missing';
import { readTable, readTableRows, tableFormat } from './read-table';
import type { TableRow } from './table-types';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'parquet');
const fixture = (name: string): string => join(FIXTURES, name);
const dir = mkdtempSync(join(tmpdir(), 'plumbline-parquet-'));

interface Expected {
  columns: string[];
  rows: (CellValue | 'NaN' | 'Infinity' | '-Infinity')[][];
}

/** JSON has no NaN or ±Infinity: the generator writes them as strings. */
const jsonSafe = (v: CellValue): CellValue => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);

async function rowsOf(file: string): Promise<{ columns: string[]; rows: TableRow[] }> {
  let columns: string[] = [];
  const rows: TableRow[] = [];
  for await (const row of readTableRows(file, (c) => (columns = c))) rows.push(row);
  return { columns, rows };
}

describe('Parquet values', () => {
  test.each(['types', 'types-int96'])(
    '%s.parquet: every physical and logical type reads as the generator expects',
    async (name) => {
      const expected = JSON.parse(readFileSync(fixture(`${name}.expected.json`), 'utf8')) as Expected;
      const { columns, rows } = await rowsOf(fixture(`${name}.parquet`));
      expect(columns).toEqual(expected.columns);
      expect(rows.map((r) => r.line)).toEqual(expected.rows.map((_, i) => i + 1));
      // Column by column, so a failure names the column.
      for (const [c, name] of columns.entries()) {
        expect([name, rows.map((r) => jsonSafe(r.values[c]))]).toEqual([
          name,
          expected.rows.map((r) => r[c]),
        ]);
      }
    },
  );

  test('INT64 beyond 2^53 is its decimal string, within it a number; DECIMAL is the nearest number', async () => {
    const t = await readTable(fixture('types.parquet'));
    expect(t.data.i64.slice(0, 2)).toEqual([9007199254740991, -9007199254740991]);
    expect(t.data.i64[3]).toBe('9007199254740992');
    expect(t.data.u64[0]).toBe('18446744073709551615');
    // Not 0.35000000000000003 (35 × 0.01, as hyparquet scales it): the decimal 0.35 parsed as a whole.
    expect(t.data.dec[0]).toBe(0.35);
    expect(t.data.ts_ns[3]).toBe('2024-02-29T00:00:00.123456789Z');
    expect(t.data.day[1]).toBe('1969-12-31');
  });

  test('readTable (column-wise) and readTableRows (row group by row group) read the same cells', async () => {
    for (const name of ['ref.parquet', 'cur.parquet', 'train.parquet', 'types.parquet']) {
      const table = await readTable(fixture(name));
      const { columns, rows } = await rowsOf(fixture(name));
      expect(table.columns).toEqual(columns);
      expect(table.rows).toBe(rows.length);
      for (const [c, col] of columns.entries()) expect(table.data[col]).toEqual(rows.map((r) => r.values[c]));
    }
  });
});

describe('Parquet format detection', () => {
  test('by extension (.parquet, .pq, any case), else by the PAR1 magic', () => {
    expect(tableFormat('a.parquet')).toBe('parquet');
    expect(tableFormat('A.PQ')).toBe('parquet');
    expect(tableFormat('data', 'PAR1')).toBe('parquet');
    expect(tableFormat('data', '{"a"')).toBe('jsonl');
    expect(tableFormat('data', 'a,b\n')).toBe('csv');
    expect(tableFormat('data.csv', 'PAR1')).toBe('csv');
  });

  test('a Parquet file without a known extension is read as Parquet', async () => {
    const copy = join(dir, 'export-0001');
    copyFileSync(fixture('train.parquet'), copy);
    const sniffed = await readTable(copy);
    const { file: _f, ...original } = await readTable(fixture('train.parquet'));
    expect({ ...sniffed, file: undefined }).toEqual({ ...original, file: undefined });
  });
});

describe('Parquet row groups', () => {
  test('rows stream one row group at a time: a corrupt last group fails only after the groups before it', async () => {
    const { parquetMetadata } = await import('hyparquet');
    const bytes = readFileSync(fixture('train.parquet'));
    const groups = parquetMetadata(bytes).row_groups;
    expect(groups.map((g) => Number(g.num_rows))).toEqual([250, 250, 250, 250]);
    const chunk = groups[3].columns[0].meta_data!;
    const start = Number(chunk.dictionary_page_offset ?? chunk.data_page_offset);
    const broken = Buffer.from(bytes);
    broken.fill(0, start, start + 64);
    const file = join(dir, 'last-group-broken.parquet');
    writeFileSync(file, broken);
    const seen: number[] = [];
    const read = async (): Promise<void> => {
      for await (const row of readTableRows(file, () => undefined)) seen.push(row.line);
    };
    await expect(read()).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(
        /last-group-broken\.parquet: cannot read column "x" \(rows 751–1000\)/,
      ) as unknown,
    });
    expect(seen).toEqual(Array.from({ length: 750 }, (_, i) => i + 1));
  });
});

describe('bad Parquet files: a TableError naming the file, exit code 2', () => {
  const bytes = readFileSync(fixture('cur.parquet'));
  const write = (name: string, content: Buffer | string): string => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const footerLength = bytes.readUInt32LE(bytes.length - 8);
  const cases: [string, () => string, RegExp][] = [
    ['missing', () => join(dir, 'nope.parquet'), /nope\.parquet: no such file/],
    ['empty', () => write('empty.parquet', ''), /empty\.parquet: empty file/],
    ['no rows', () => fixture('no-rows.parquet'), /no-rows\.parquet: no data rows/],
    ['CSV named .parquet', () => write('text.parquet', 'a,b\n1,2\n'), /text\.parquet: not a Parquet file/],
    [
      'truncated (half of it)',
      () => write('half.parquet', bytes.subarray(0, bytes.length >> 1)),
      /half\.parquet: truncated Parquet file/,
    ],
    ['only the magic', () => write('magic.parquet', 'PAR1'), /magic\.parquet: truncated Parquet file/],
    [
      'footer length past the start of the file',
      () => {
        const b = Buffer.from(bytes);
        b.writeUInt32LE(0x7fffffff, b.length - 8);
        return write('footer-length.parquet', b);
      },
      /footer-length\.parquet: malformed Parquet footer: .*exceeds/,
    ],
    [
      'garbage in the footer',
      () => {
        const b = Buffer.from(bytes);
        const footer = b.length - 8 - footerLength;
        b.fill(0x5a, footer + 10, footer + 60);
        return write('footer-garbage.parquet', b);
      },
      /footer-garbage\.parquet: malformed Parquet footer/,
    ],
    [
      'zeroed data pages',
      () => {
        const b = Buffer.from(bytes);
        b.fill(0, 200, 2000);
        return write('pages.parquet', b);
      },
      /pages\.parquet: cannot read column "age" \(rows 1–80\)/,
    ],
    [
      'a list column',
      () => fixture('nested.parquet'),
      /nested\.parquet: column "embedding" is a list column; only flat columns/,
    ],
  ];
  test.each(cases)('%s', async (_name, make, message) => {
    const file = make();
    for (const read of [() => readTable(file), () => rowsOf(file)]) {
      await expect(read()).rejects.toMatchObject({
        name: 'TableError',
        exitCode: 2,
        message: expect.stringMatching(message) as unknown,
      });
    }
  });
});
