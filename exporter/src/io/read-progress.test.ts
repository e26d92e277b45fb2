// The progress line of a long read (issue #12 item 5): its text, its delay, and silence when stderr is no terminal.
import { formatBytes, formatReadProgress, startReadProgress, type ProgressStream } from './read-progress';

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

afterEach(() => jest.useRealTimers());

test('bytes in decimal units with three significant figures', () => {
  expect(formatBytes(0)).toBe('0 B');
  expect(formatBytes(999)).toBe('999 B');
  expect(formatBytes(1500)).toBe('1.50 kB');
  expect(formatBytes(45_600_000)).toBe('45.6 MB');
  expect(formatBytes(12_340_000_000)).toBe('12.3 GB');
});

test('the line says rows, bytes, time and both rates', () => {
  expect(formatReadProgress('reading a.csv', { rows: 1_234_567, bytes: 45_600_000 }, 3.2)).toBe(
    'reading a.csv: 1,234,567 rows, 45.6 MB in 3.2 s (385,802 rows/s, 14.3 MB/s)',
  );
  expect(formatReadProgress('reading a.csv', { rows: 0, bytes: 0 }, 0)).toBe(
    'reading a.csv: 0 rows, 0 B in 0.0 s',
  );
});

test('on a terminal: nothing before the delay, then the line redrawn in place, ended by stop()', () => {
  jest.useFakeTimers();
  let clock = 0;
  const out = stream(true);
  const progress = startReadProgress(out, 'reading a.csv', {
    delayMs: 1500,
    intervalMs: 250,
    now: () => clock,
  });
  progress.counter.rows = 1000;
  progress.counter.bytes = 50_000;
  clock = 1000;
  jest.advanceTimersByTime(1000);
  expect(out.text).toBe('');
  clock = 2000;
  jest.advanceTimersByTime(1000);
  expect(out.text).toBe(
    `\r${formatReadProgress('reading a.csv', { rows: 1000, bytes: 50_000 }, 2)}`.repeat(4),
  );
  out.text = '';
  progress.phase('reading b.csv');
  progress.counter.rows = 4000;
  clock = 4000;
  progress.stop();
  progress.stop();
  expect(out.text).toBe(`\r${formatReadProgress('reading b.csv', { rows: 4000, bytes: 50_000 }, 4)}\n`);
  jest.advanceTimersByTime(5000);
  expect(out.text).toMatch(/\n$/);
});

test('a shorter line rubs out the end of the longer one before it', () => {
  jest.useFakeTimers();
  let clock = 2000;
  const out = stream(true);
  const progress = startReadProgress(out, 'a long label for the first phase', {
    delayMs: 0,
    now: () => clock,
  });
  jest.advanceTimersByTime(250);
  const first = out.text.length - 1;
  out.text = '';
  progress.phase('short');
  clock = 2000;
  progress.stop();
  const line = formatReadProgress('short', { rows: 0, bytes: 0 }, 0);
  expect(out.text).toBe(`\r${line}${' '.repeat(first - line.length)}\n`);
});

test('a run shorter than the delay writes nothing, even on a terminal', () => {
  jest.useFakeTimers();
  let clock = 0;
  const out = stream(true);
  const progress = startReadProgress(out, 'reading a.csv', { now: () => clock });
  clock = 1499;
  jest.advanceTimersByTime(1499);
  progress.stop();
  expect(out.text).toBe('');
});

test('not a terminal: nothing is written, however long the run', () => {
  jest.useFakeTimers();
  let clock = 0;
  const out = stream(false);
  const progress = startReadProgress(out, 'reading a.csv', { delayMs: 0, now: () => clock });
  progress.counter.rows = 10;
  clock = 60_000;
  jest.advanceTimersByTime(60_000);
  progress.stop();
  expect(out.text).toBe('');
  expect(jest.getTimerCount()).toBe(0);
});
