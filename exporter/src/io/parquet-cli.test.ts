// The built `plumbline` command in a child process on Parquet files: plain Node loads the ES-module Parquet reader
// through import() from the CommonJS build (jest compiles it instead), and a bad file ends the process with exit code
// 2 and one line on stderr. Run `npx tsc -b` first (`npm test` does, through `npm run typecheck`).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'plumbline.js');
const FIXTURES = join(ROOT, 'exporter', 'fixtures', 'parquet');
const dir = mkdtempSync(join(tmpdir(), 'plumbline-parquet-cli-'));

function plumbline(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

jest.setTimeout(60_000);

test('plumbline drift --json: the Parquet files give the same output as their CSV twins', async () => {
  const [csv, parquet] = await Promise.all(
    ['csv', 'parquet'].map((ext) =>
      plumbline([
        'drift',
        '--reference',
        join(FIXTURES, `ref.${ext}`),
        '--current',
        join(FIXTURES, `cur.${ext}`),
        '--json',
      ]),
    ),
  );
  expect(parquet.stderr).toBe('');
  expect(parquet.code).toBe(0);
  expect(parquet.stdout).toBe(csv.stdout);
  expect((JSON.parse(parquet.stdout) as { features: unknown[] }).features).toHaveLength(9);
});

test('plumbline baseline import --file train.parquet stores the profile', async () => {
  const r = await plumbline([
    'baseline',
    'import',
    '--model',
    'churn',
    '--file',
    join(FIXTURES, 'train.parquet'),
    '--store',
    join(dir, 'store'),
  ]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(
    'stored baseline churn@default: 1000 rows, 4 columns (x:numerical, kind:categorical, n:numerical, ok:categorical)\n',
  );
  expect(r.code).toBe(0);
});

test.each([
  ['not Parquet', 'text.parquet', 'a,b\n1,2\n', 'not a Parquet file'],
  ['truncated', 'cut.parquet', 'PAR1\u0015\u0004\u0015', 'truncated Parquet file'],
])('a %s file: exit code 2, the reason on one line, no stack trace', async (_kind, name, content, reason) => {
  const bad = join(dir, name);
  writeFileSync(bad, content);
  for (const args of [
    ['drift', '--reference', bad, '--current', join(FIXTURES, 'cur.parquet')],
    ['baseline', 'import', '--model', 'm', '--file', bad, '--store', join(dir, 'store')],
  ]) {
    const r = await plumbline(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const prefix = `plumbline: ${bad}: ${reason}`;
    expect(r.stderr.slice(0, prefix.length)).toBe(prefix);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  }
});
