// The built `plumbline` command with stderr a pipe, not a terminal (issue #12 item 5): `plumbline drift` and
// `plumbline baseline import` on files of 200,000 rows, a run of a few seconds, write nothing to stderr. On a
// terminal the same runs show a progress line there once reading has taken 1.5 s (checked at the seam, with the
// terminal stood in for: drift/progress-on-a-terminal.test.ts). Run `npx tsc -b` first.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../drift/reservoir';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'plumbline.js');
const dir = mkdtempSync(join(tmpdir(), 'plumbline-progress-cli-'));

function plumbline(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

function writeCsv(name: string, rows: number, seed: number): string {
  const r = mulberry32(seed);
  const lines = ['a,b,c,k'];
  for (let i = 0; i < rows; i++)
    lines.push(
      `${(r() * 100).toFixed(3)},${(r() * 5).toFixed(4)},${Math.round(r() * 1000)},k${Math.floor(r() * 6)}`,
    );
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

jest.setTimeout(120_000);

test('plumbline drift and baseline import with stderr piped: nothing on stderr', async () => {
  const reference = writeCsv('ref.csv', 200_000, 1);
  const current = writeCsv('cur.csv', 200_000, 2);
  const drift = await plumbline(['drift', '--reference', reference, '--current', current, '--json']);
  expect(drift.stderr).toBe('');
  expect(drift.code).toBe(0);
  expect((JSON.parse(drift.stdout) as { features: unknown[] }).features).toHaveLength(4);
  const imported = await plumbline([
    'baseline',
    'import',
    '--model',
    'm',
    '--file',
    reference,
    '--store',
    join(dir, 'store'),
    '--reservoir-size',
    '1000',
  ]);
  expect(imported.stderr).toBe('');
  expect(imported.code).toBe(0);
  expect(imported.stdout).toMatch(/200000|200,000/);
});
