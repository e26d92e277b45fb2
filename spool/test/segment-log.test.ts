import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SegmentLog, type SegmentLogOptions } from '../src/segment-log';
import { encodeRecord } from '../src/record-format';
import { tempDir } from './helpers';

const payloads = (n: number, start = 0) =>
  Array.from({ length: n }, (_, i) => Buffer.from(`record-${start + i}`));
const segFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.seg'));

describe('SegmentLog (one spool stream)', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());
  const open = (extra: Partial<SegmentLogOptions> = {}) =>
    SegmentLog.open({ dir: tmp.dir, maxBytes: 1024 * 1024, segmentBytes: 1024, ...extra });

  async function readAll(log: SegmentLog, batch = 7): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const { payloads: got, next } = await log.read(batch);
      if (got.length === 0) return out;
      out.push(...got.map((p) => p.toString()));
      await log.ack(next);
    }
  }

  it('replays in append order across many segments, then holds no bytes', async () => {
    const log = await open();
    for (let i = 0; i < 20; i++) await log.append(payloads(10, i * 10));
    expect(segFiles(tmp.dir).length).toBeGreaterThan(3);
    expect(log.backlog).toBe(200);
    expect(await readAll(log)).toEqual(payloads(200).map(String));
    expect(log.backlog).toBe(0);
    expect(log.bytes).toBe(0);
    expect(segFiles(tmp.dir)).toEqual([]);
    await log.close();
  });

  it('keeps the cursor across a reopen: acknowledged records are not replayed again', async () => {
    const first = await open();
    await first.append(payloads(30));
    const { payloads: got, next } = await first.read(12);
    expect(got).toHaveLength(12);
    await first.ack(next);
    await first.close();
    const second = await open();
    expect(second.backlog).toBe(18);
    expect(await readAll(second)).toEqual(payloads(18, 12).map(String));
    await second.close();
  });

  it('records read but not acknowledged (a crash before the sink answered) are replayed after a reopen', async () => {
    const first = await open();
    await first.append(payloads(5));
    await first.read(5); // no ack
    await first.close();
    const second = await open();
    expect(await readAll(second)).toEqual(payloads(5).map(String));
    await second.close();
  });

  it('a torn last record (crash mid-write, written by hand) is detected, skipped and truncated; appends go on', async () => {
    const first = await open();
    await first.append(payloads(4));
    await first.close();
    const [file] = segFiles(tmp.dir);
    const whole = encodeRecord(Buffer.from('torn-record-payload'));
    appendFileSync(path.join(tmp.dir, file), whole.subarray(0, whole.length - 5));
    const corrupt: unknown[] = [];
    const second = await open({ onCorrupt: (d) => corrupt.push(d) });
    expect(corrupt).toEqual([
      expect.objectContaining({ skippedBytes: whole.length - 5, reason: 'torn record' }),
    ]);
    expect(second.backlog).toBe(4);
    await second.append(payloads(2, 100));
    expect(await readAll(second)).toEqual([...payloads(4), ...payloads(2, 100)].map(String));
    await second.close();
  });

  it('a torn header (only a few bytes of the next record) is skipped the same way', async () => {
    const first = await open();
    await first.append(payloads(3));
    await first.close();
    const [file] = segFiles(tmp.dir);
    appendFileSync(path.join(tmp.dir, file), Buffer.from([0x50, 0x4c, 0x10]));
    const second = await open();
    expect(await readAll(second)).toEqual(payloads(3).map(String));
    await second.close();
  });

  it('a flipped byte inside a segment ends that segment at the last good record; later segments are intact', async () => {
    const first = await open({ segmentBytes: 1024 });
    for (let i = 0; i < 20; i++) await first.append(payloads(10, i * 10));
    await first.close();
    const files = segFiles(tmp.dir);
    expect(files.length).toBeGreaterThan(2);
    const target = path.join(tmp.dir, files[0]);
    const bytes = readFileSync(target);
    const recordBytes = encodeRecord(Buffer.from('record-0')).length;
    bytes[recordBytes * 2 + 12] ^= 0xff; // inside the third record's payload
    writeFileSync(target, bytes);
    const corrupt: { reason: string }[] = [];
    const second = await open({ onCorrupt: (d) => corrupt.push(d) });
    expect(corrupt.map((c) => c.reason)).toEqual(['checksum mismatch']);
    const all = await readAll(second);
    expect(all.slice(0, 2)).toEqual(['record-0', 'record-1']);
    expect(all).toContain('record-199');
    expect(all).not.toContain('record-2');
    await second.close();
  });

  it('when full, drops the oldest segment and reports its unread records; bytes stay under the bound', async () => {
    const dropped: number[] = [];
    const maxBytes = 4096;
    const log = await open({ maxBytes, segmentBytes: 1024, onDrop: (n) => dropped.push(n) });
    const total = 400;
    for (let i = 0; i < total / 10; i++) {
      await log.append(payloads(10, i * 10));
      expect(log.bytes).toBeLessThanOrEqual(maxBytes);
    }
    const lost = dropped.reduce((a, b) => a + b, 0);
    expect(lost).toBeGreaterThan(0);
    const kept = await readAll(log, 50);
    expect(kept.length + lost).toBe(total);
    // What is kept is the newest, in order.
    expect(kept).toEqual(
      payloads(total)
        .map(String)
        .slice(total - kept.length),
    );
    const onDisk = segFiles(tmp.dir).reduce((n, f) => n + statSync(path.join(tmp.dir, f)).size, 0);
    expect(onDisk).toBe(0);
    await log.close();
  });

  // Regression: a drop for room reported the records of the batch being replayed at once, and the sink then took
  // them as well: counted as dropped and delivered.
  it('records of the batch in flight that a drop takes are reported by release(), never by ack()', async () => {
    for (const settle of ['ack', 'release'] as const) {
      const dropped: number[] = [];
      // ~200 bytes per append of 10; 2 KiB holds about ten appends.
      const log = await open({ maxBytes: 2048, segmentBytes: 1024, onDrop: (n) => dropped.push(n) });
      for (let i = 0; i < 10; i++) await log.append(payloads(10, i * 10));
      const before = log.backlog;
      const reported = () => dropped.reduce((a, b) => a + b, 0);
      const batch = await log.read(15);
      expect(batch.payloads.map(String)).toEqual(payloads(15, 100 - before).map(String));
      for (let i = 10; i < 20; i++) await log.append(payloads(10, i * 10));
      const droppedBeforeAnswer = reported();
      if (settle === 'ack') await log.ack(batch.next);
      else await log.release();
      const kept = await readAll(log, 50);
      if (settle === 'ack') expect(reported()).toBe(droppedBeforeAnswer);
      else expect(reported()).toBeGreaterThan(droppedBeforeAnswer); // the batch's segment went meanwhile
      // Each record is delivered (the batch if acknowledged, then what is kept) or reported, exactly once.
      const delivered = settle === 'ack' ? batch.payloads.length + kept.length : kept.length;
      expect(delivered + reported()).toBe(200);
      expect(kept.at(-1)).toBe('record-199');
      await log.close();
      tmp.cleanup();
      tmp = tempDir();
    }
  });

  it('refuses a single batch larger than the bound, reported as dropped', async () => {
    const dropped: number[] = [];
    const log = await open({ maxBytes: 2048, onDrop: (n) => dropped.push(n) });
    const result = await log.append([Buffer.alloc(4096, 1)]);
    expect(result).toEqual({ written: 0, refused: 1 });
    expect(dropped).toEqual([1]);
    await log.close();
  });

  it('a store stream (no cursor) is never consumed by ack and rotates by size, oldest segment first', async () => {
    const rotated: number[] = [];
    const log = await open({ cursor: false, maxBytes: 4096, onDrop: (n) => rotated.push(n) });
    for (let i = 0; i < 40; i++) await log.append(payloads(10, i * 10));
    expect(log.bytes).toBeLessThanOrEqual(4096);
    const { next } = await log.read(5);
    await log.ack(next);
    expect(log.backlog).toBe(400 - rotated.reduce((a, b) => a + b, 0));
    await log.close();
  });
});
