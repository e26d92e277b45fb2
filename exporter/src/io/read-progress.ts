/**
 * Progress of a long file read on a terminal (issue #12 item 5): `plumbline drift` and `plumbline baseline import`
 * pass a {@link ReadCounter} to the table readers, which add the rows they hand out and the bytes they read from the
 * file; a {@link ReadProgress} shows the counter on stderr, rewriting one line, once the run has taken longer than
 * `delayMs`. When the stream is not a terminal it starts no timer and writes nothing, so piped or redirected stderr
 * stays as it was.
 */

/** What the table readers add to as they go: rows handed out and bytes read from the file (both passes, both files). */
export interface ReadCounter {
  rows: number;
  bytes: number;
}

/** The part of a stream the progress line needs (process.stderr, or a stand-in in tests). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface ReadProgressOptions {
  /** Nothing is shown before the run has taken this long. @default 1500 */
  readonly delayMs?: number;
  /** How often the line is redrawn once shown. @default 250 */
  readonly intervalMs?: number;
  /** The clock, in milliseconds. @default performance.now */
  readonly now?: () => number;
}

export interface ReadProgress {
  /** The counter to pass to the readers. */
  readonly counter: ReadCounter;
  /** What is being done now (`reading`, `binning, pass 2`): the line's first words. */
  phase(label: string): void;
  /**
   * Ends the progress: when the run took longer than `delayMs` on a terminal, the line is drawn once more with the
   * final figures and ended with a newline; otherwise nothing is written. Idempotent.
   */
  stop(): void;
}

const units = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Bytes in decimal units, three significant figures: `512 B`, `1.50 MB`, `12.3 GB`. */
export function formatBytes(bytes: number): string {
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toPrecision(3)} ${units[u]}`;
}

/**
 * The progress line: `reading: 1,234,567 rows, 45.6 MB in 3.2 s (385,802 rows/s, 14.3 MB/s)`. The rates are
 * averages since the start; with no time elapsed they are left out.
 */
export function formatReadProgress(label: string, counter: Readonly<ReadCounter>, seconds: number): string {
  const rows = counter.rows.toLocaleString('en');
  const head = `${label}: ${rows} rows, ${formatBytes(counter.bytes)} in ${seconds.toFixed(1)} s`;
  if (!(seconds > 0)) return head;
  const rowRate = Math.round(counter.rows / seconds).toLocaleString('en');
  return `${head} (${rowRate} rows/s, ${formatBytes(counter.bytes / seconds)}/s)`;
}

/** Starts showing `counter` on `stream` after `delayMs` when `stream` is a terminal (see the module comment). */
export function startReadProgress(
  stream: ProgressStream,
  label: string,
  options: ReadProgressOptions = {},
): ReadProgress {
  const counter: ReadCounter = { rows: 0, bytes: 0 };
  const delayMs = options.delayMs ?? 1500;
  const intervalMs = options.intervalMs ?? 250;
  const now = options.now ?? (() => performance.now());
  const started = now();
  let current = label;
  let stopped = false;
  if (!stream.isTTY) {
    return {
      counter,
      phase: (l) => void (current = l),
      stop: () => undefined,
    };
  }
  let width = 0;
  const draw = (): void => {
    const text = formatReadProgress(current, counter, (now() - started) / 1000);
    // \r back to the line's start; spaces rub out the rest of a longer previous line.
    stream.write(`\r${text}${' '.repeat(Math.max(0, width - text.length))}`);
    width = text.length;
  };
  const timer = setInterval(() => {
    if (now() - started >= delayMs) draw();
  }, intervalMs);
  timer.unref();
  return {
    counter,
    phase: (l) => void (current = l),
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (now() - started >= delayMs) {
        draw();
        stream.write('\n');
      }
    },
  };
}
