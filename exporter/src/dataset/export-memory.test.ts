// The built `plumbline dataset export` in a child process whose heap is capped far below what the spool's rows
// would take held at once: it must stream. Run `npx tsc -b` first (`npm test` does, through `npm run typecheck`).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { appendEvents, feedback, inference, openStore, review } from './test-spool';

const ROOT = path.join(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'plumbline.js');
/**
 * Rows in the spool (~1.35 kB each on disk: 68 MB). The command's modules alone take about 32 MB of heap, so with a
 * 64 MB cap the rows (or their labels, every row has one) could not be held at once: the export must stream.
 */
const ROWS = 50_000;
const HEAP_MB = 64;

jest.setTimeout(600_000);

function plumbline(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [`--max-old-space-size=${HEAP_MB}`, BIN, ...args],
      { maxBuffer: 1 << 24 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

test(`exports ${ROWS} labelled rows from the spool store with a ${HEAP_MB} MB heap`, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'dataset-memory-'));
  try {
    const log = await openStore(dir);
    const features: Record<string, string | number> = {};
    for (let f = 0; f < 30; f++) features[`feature_${f}`] = f % 3 ? f * 1.25 : `category-${f}-xxxxxxxxxxxx`;
    for (let i = 0; i < ROWS; i += 5000) {
      const batch = [];
      for (let j = i; j < i + 5000; j++) {
        batch.push(inference(j, j % 2 ? 'a' : 'b', 0.5, { ...features, n: j }));
        // Every row labelled: half by a batch job, every tenth reviewed by a person, every hundredth rejected.
        if (j % 100 === 0) batch.push(review(j, 'reject', 'a', j + 1));
        else if (j % 10 === 0) batch.push(review(j, 'correct', 'c', j + 1));
        else batch.push(feedback(j, 'a', j + 1, { source: 'batch' }));
      }
      await appendEvents(log, batch);
    }
    await log.close();
    const out = path.join(dir, 'train.jsonl');
    const r = await plumbline(['dataset', 'export', '--model', 'iris', '--spool-dir', dir, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rejected = ROWS / 100;
    const human = ROWS / 10 - rejected;
    expect(r.stdout).toContain(
      `wrote ${ROWS - rejected} rows (${human} with a human label; ${rejected} rejected`,
    );
    const text = await readFile(out, 'utf8');
    // More than the heap the modules leave free: the rows were never all in memory.
    expect(text.length).toBeGreaterThan((HEAP_MB / 2) * 1024 * 1024);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(ROWS - rejected);
    // Rows come in hash partitions of the row key (the labels do not fit one pass): look them up by id.
    const byId = new Map(lines.map((l) => [(JSON.parse(l) as { event_id: string }).event_id, l]));
    expect(byId.size).toBe(ROWS - rejected);
    expect(JSON.parse(byId.get('req-1:0')!)).toMatchObject({ n: 1, label: 'a', label_source: 'batch' });
    expect(JSON.parse(byId.get('req-10:0')!)).toMatchObject({ n: 10, label: 'c', label_source: 'human' });
    expect(byId.has('req-100:0')).toBe(false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
