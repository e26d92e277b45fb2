// `plumbline drift` and `plumbline baseline import` show read progress on a terminal stderr (issue #12 item 5), the
// terminal stood in for at the seam (isTTY) with no delay, so the final line's counts can be checked exactly; with
// a stderr that is no terminal they write nothing. The real command with piped stderr: io/progress-cli.test.ts.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBaselineImport } from '../baseline/command';
import type { ProgressStream } from '../io/read-progress';
import { runDrift } from './command';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'parquet');
const fixture = (name: string): string => join(FIXTURES, name);
const size = (file: string): number => statSync(file).size;

function stream(isTTY: boolean): ProgressStream & { text: string } {
  const s = {
    isTTY,
    text: '',
    write(t: string) {
      s.text += t;
      return true;
    },
  };
  return s;
}

/** The line stop() draws last: label, rows and bytes (time and rates vary). */
function finalLine(text: string): { label: string; rows: number; bytes: string } {
  expect(text.endsWith('\n')).toBe(true);
  const last = text.slice(0, -1).split('\r').pop()!.trimEnd();
  const m = /^(.*): ([\d,]+) rows, (\S+ \S+) in [\d.]+ s/.exec(last);
  expect(m).not.toBeNull();
  return { label: m![1], rows: Number(m![2].replace(/,/g, '')), bytes: m![3] };
}

test('drift on a terminal: the rows and bytes of both CSV files, labelled with the file being read', async () => {
  const out = stream(true);
  const [reference, current] = [fixture('ref.csv'), fixture('cur.csv')];
  await runDrift({ reference, current }, out, { delayMs: 0 });
  expect(finalLine(out.text)).toEqual({
    label: `reading ${current}`,
    rows: 300 + 240,
    bytes: `${((size(reference) + size(current)) / 1000).toPrecision(3)} kB`,
  });
});

test('drift on a terminal, Parquet: every row and the bytes read from the files', async () => {
  const out = stream(true);
  await runDrift({ reference: fixture('ref.parquet'), current: fixture('cur.parquet') }, out, { delayMs: 0 });
  const line = finalLine(out.text);
  expect(line.rows).toBe(300 + 240);
  expect(line.bytes).toMatch(/ kB$/);
});

test('baseline import on a terminal: both passes counted, the second one named', async () => {
  const out = stream(true);
  const file = fixture('train.csv');
  const store = mkdtempSync(join(tmpdir(), 'plumbline-progress-'));
  // A reservoir smaller than the file makes the binning pass read the file a second time.
  await runBaselineImport({ model: 'm', file, store, reservoirSize: 10 }, out, { delayMs: 0 });
  expect(finalLine(out.text)).toEqual({
    label: `binning ${file} (pass 2 of 2)`,
    rows: 2 * 1000,
    bytes: `${((2 * size(file)) / 1000).toPrecision(3)} kB`,
  });
});

test('stderr not a terminal: drift and baseline import write nothing to it', async () => {
  const out = stream(false);
  await runDrift({ reference: fixture('ref.csv'), current: fixture('cur.csv') }, out, { delayMs: 0 });
  const store = mkdtempSync(join(tmpdir(), 'plumbline-progress-'));
  await runBaselineImport({ model: 'm', file: fixture('train.csv'), store, reservoirSize: 10 }, out, {
    delayMs: 0,
  });
  expect(out.text).toBe('');
});
