// Retention (issue #15 item 4): expire(cutoff) removes the segments last written before the cutoff, oldest first,
// and nothing newer. Age comes from back-dated segment files (utimes), not from sleeping.
import { readdirSync, utimesSync } from 'node:fs';
import * as path from 'node:path';
import { SegmentLog } from '../src/segment-log';
import { tempDir } from './helpers';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
const payloads = (n: number, start: number) =>
  Array.from({ length: n }, (_, i) => Buffer.from(`record-${start + i}`));
const segments = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.seg'))
    .sort();

/** Sets each segment's mtime, oldest file first, to NOW minus the given ages in days. */
function backDate(dir: string, ageDays: number[]): void {
  segments(dir).forEach((file, i) => {
    const at = new Date(NOW - ageDays[i] * DAY);
    utimesSync(path.join(dir, file), at, at);
  });
}

describe('SegmentLog.expire', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  async function logWithFourSegments(cursor: boolean, onExpire: (n: number) => void) {
    const log = await SegmentLog.open({
      dir: tmp.dir,
      maxBytes: 1024 * 1024,
      segmentBytes: 1024,
      cursor,
      onExpire,
      onDrop: () => {
        throw new Error('expiry is not a drop for room');
      },
    });
    // 60 records of ~22 bytes per append fill a 1 KiB segment: one segment per append.
    for (let i = 0; i < 4; i++) await log.append(payloads(60, i * 60));
    expect(segments(tmp.dir)).toHaveLength(4);
    return log;
  }

  it('a store stream (no cursor) keeps only segments written within the age', async () => {
    const expired: number[] = [];
    const log = await logWithFourSegments(false, (n) => expired.push(n));
    backDate(tmp.dir, [45, 31, 29, 1]);
    const kept = segments(tmp.dir).slice(2);
    expect(await log.expire(NOW - 30 * DAY)).toEqual({ segments: 2, records: 120 });
    expect(segments(tmp.dir)).toEqual(kept);
    expect(expired).toEqual([60, 60]);
    expect(log.backlog).toBe(120);
    // Nothing more is old enough: a second pass removes nothing.
    expect(await log.expire(NOW - 30 * DAY)).toEqual({ segments: 0, records: 0 });
    await log.close();
  });

  it('a replay stream reports only records not yet replayed, and replays the rest from the first kept one', async () => {
    const expired: number[] = [];
    const log = await logWithFourSegments(true, (n) => expired.push(n));
    const first = await log.read(30);
    await log.ack(first.next);
    backDate(tmp.dir, [40, 35, 2, 1]);
    expect(await log.expire(NOW - 30 * DAY)).toEqual({ segments: 2, records: 120 });
    expect(expired).toEqual([30, 60]);
    const next = await log.read(1);
    expect(next.payloads.map(String)).toEqual(['record-120']);
    await log.close();
  });

  it('a segment newer than the cutoff stops the pass, even with older ones behind it', async () => {
    const log = await logWithFourSegments(false, () => undefined);
    backDate(tmp.dir, [40, 10, 40, 40]);
    expect(await log.expire(NOW - 30 * DAY)).toEqual({ segments: 1, records: 60 });
    expect(segments(tmp.dir)).toHaveLength(3);
    await log.close();
  });
});
