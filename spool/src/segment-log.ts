/**
 * One spool stream on disk: a directory of append-only segment files `00000000000000000001.seg`, …, each a
 * sequence of length-prefixed, CRC-32-checked records (record-format.ts), plus — for streams that are replayed —
 * `cursor.json`, the position up to which a sink has acknowledged the records.
 *
 * - Appends go to the newest segment; past `segmentBytes` a new segment is started.
 * - Durability: with `fsync: 'batch'` (the default) every append call is written with one write() and made
 *   durable with fdatasync() before it resolves, so an acknowledged append survives a SIGKILL and a power loss.
 *   `'never'` leaves flushing to the OS: it survives a SIGKILL of the process, not a power loss.
 * - Crash recovery: on open every segment is scanned; a record cut short or failing its checksum ends the segment
 *   (the file is truncated there, the bytes after it are logged as skipped), so the next append starts clean.
 * - Bounded: when an append would take the stream over `maxBytes`, whole segments are dropped, oldest first, and
 *   the records in them that were not yet replayed are reported through `onDrop` (the pipeline counts them as
 *   dropped{reason="spool_full"}). A batch larger than `maxBytes` on its own is refused the same way.
 * - Replay: `read()` returns records from the cursor on; `ack()` moves the cursor (written with write-and-rename)
 *   and deletes segments that are fully read. A crash between a sink's acknowledgement and `ack()` replays those
 *   records again: delivery is at-least-once, made exactly-once in Elasticsearch by `_id` = event_id.
 * - A batch in flight: from `read()` until `ack()` or `release()` the records it returned may be on their way to a
 *   sink. A drop for room that takes a segment holding some of them does not report those through `onDrop` (the
 *   sink may yet take them): `ack()` says it did, so they were never lost; `release()` says it did not, and only
 *   then are they reported. Every record is thus either acknowledged or reported dropped, never both.
 *
 * - Retention: `expire(cutoffMs)` drops whole segments, oldest first, whose last write (the file's mtime: a
 *   segment is only ever appended to) is before the cutoff; their unreplayed records go to `onExpire`.
 *
 * All operations on one log run one at a time (a promise chain), so appends, reads and drops never interleave.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { decodeRecord, encodeRecord, recordLength } from './record-format';

export type FsyncPolicy = 'batch' | 'never';

export interface SegmentLogOptions {
  dir: string;
  /** Size bound of this stream in bytes; past it the oldest segments are dropped. */
  maxBytes: number;
  /** A new segment is started once the current one would pass this size. @default 8 MiB (capped at maxBytes / 4) */
  segmentBytes?: number;
  /** @default 'batch' */
  fsync?: FsyncPolicy;
  /** Keep a replay cursor (cursor.json) and delete segments once they are acknowledged. @default true */
  cursor?: boolean;
  /**
   * Called with the number of not-yet-replayed records lost when segments are dropped or a batch is refused.
   * Records of the batch in flight (read, not yet acknowledged) are reported only by `release()`.
   */
  onDrop?: (records: number) => void;
  /** Called with the number of not-yet-replayed records (every record, without a cursor) `expire()` removed. */
  onExpire?: (records: number) => void;
  /** Called with the change in bytes held on disk. */
  onBytes?: (delta: number) => void;
  /** Called once per segment whose tail was torn or corrupt at open. */
  onCorrupt?: (detail: { segment: string; validBytes: number; skippedBytes: number; reason: string }) => void;
}

export interface LogPosition {
  /** Segment sequence number. */
  readonly seq: number;
  /** Byte offset inside that segment. */
  readonly offset: number;
  /** Records before `offset` in that segment. */
  readonly index: number;
}

interface Segment {
  seq: number;
  file: string;
  /** Bytes of valid records (= file size after recovery). */
  bytes: number;
  records: number;
}

/** The batch `read()` handed out and nobody has acknowledged or released yet. */
interface InFlight {
  readonly from: LogPosition;
  readonly next: LogPosition;
  /** Its records whose segment was dropped since, not reported through onDrop yet. */
  dropped: number;
}

export interface ReadBatch {
  readonly payloads: Buffer[];
  /** Where the next read starts; pass to ack() once the payloads are delivered. */
  readonly next: LogPosition;
}

const SEGMENT_RE = /^(\d{20})\.seg$/;
const READ_CHUNK_BYTES = 1024 * 1024;

export function segmentFileName(seq: number): string {
  return `${String(seq).padStart(20, '0')}.seg`;
}

/** Lists a stream directory's segments, oldest first (missing directory = none). */
export async function listSegments(dir: string): Promise<{ seq: number; file: string }[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .flatMap((name) => {
      const match = SEGMENT_RE.exec(name);
      return match ? [{ seq: Number(match[1]), file: path.join(dir, name) }] : [];
    })
    .sort((a, b) => a.seq - b.seq);
}

export class SegmentLog {
  private readonly segments: Segment[] = [];
  private cursor: LogPosition = { seq: 0, offset: 0, index: 0 };
  private inFlight: InFlight | null = null;
  private active: fs.FileHandle | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly segmentBytes: number;
  private readonly fsync: FsyncPolicy;
  private readonly useCursor: boolean;

  private constructor(private readonly options: SegmentLogOptions) {
    this.segmentBytes = Math.max(
      1024,
      Math.min(options.segmentBytes ?? 8 * 1024 * 1024, Math.floor(options.maxBytes / 4)),
    );
    this.fsync = options.fsync ?? 'batch';
    this.useCursor = options.cursor ?? true;
  }

  static async open(options: SegmentLogOptions): Promise<SegmentLog> {
    const log = new SegmentLog(options);
    await log.recover();
    return log;
  }

  /** Bytes held on disk by this stream. */
  get bytes(): number {
    return this.segments.reduce((sum, s) => sum + s.bytes, 0);
  }

  /** Records appended and not yet acknowledged (cursor streams), or held (store streams). */
  get backlog(): number {
    let count = 0;
    for (const s of this.segments) {
      if (s.seq < this.cursor.seq) continue;
      count += s.seq === this.cursor.seq ? s.records - this.cursor.index : s.records;
    }
    return count;
  }

  get dir(): string {
    return this.options.dir;
  }

  /** Appends payloads as records, in order. Resolves once written (and fsynced under the 'batch' policy). */
  append(payloads: readonly Buffer[]): Promise<{ written: number; refused: number }> {
    return this.run(() => this.doAppend(payloads));
  }

  /**
   * Reads up to `maxRecords` records from the cursor on. They are in flight until `ack()` or `release()`: a drop
   * for room meanwhile does not report them through `onDrop` (a batch still in flight from an earlier read is
   * released first).
   */
  read(maxRecords: number): Promise<ReadBatch> {
    return this.run(async () => {
      this.doRelease();
      const batch = await this.doRead(maxRecords);
      if (this.useCursor && batch.payloads.length > 0) {
        this.inFlight = { from: this.cursor, next: batch.next, dropped: 0 };
      }
      return batch;
    });
  }

  /**
   * Marks everything before `next` as delivered: moves the cursor and deletes fully read segments. Ends the flight
   * of the batch read: records of it that were dropped for room meanwhile were delivered, so are not reported.
   */
  ack(next: LogPosition): Promise<void> {
    return this.run(async () => {
      this.inFlight = null;
      await this.doAck(next);
    });
  }

  /**
   * The batch read was not delivered (the sink is still down): ends its flight, reports through `onDrop` those of
   * its records dropped for room meanwhile; the others are read again from the cursor.
   */
  release(): Promise<void> {
    return this.run(async () => this.doRelease());
  }

  /**
   * Retention: drops the segments, oldest first, last written before `cutoffMs` (epoch ms), stopping at the first
   * newer one. Returns what went; records not yet replayed (all of them, without a cursor) are also reported
   * through `onExpire`.
   */
  expire(cutoffMs: number): Promise<{ segments: number; records: number }> {
    return this.run(async () => {
      let segments = 0;
      let records = 0;
      while (this.segments.length > 0) {
        const oldest = this.segments[0];
        let mtimeMs: number;
        try {
          mtimeMs = (await fs.stat(oldest.file)).mtimeMs;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          mtimeMs = -Infinity; // gone already: forget it
        }
        if (mtimeMs >= cutoffMs) break;
        segments += 1;
        records += oldest.records;
        await this.dropOldest((lost) => this.options.onExpire?.(lost));
      }
      return { segments, records };
    });
  }

  close(): Promise<void> {
    return this.run(async () => {
      this.closed = true;
      await this.closeActive();
    });
  }

  private run<T>(op: () => Promise<T>): Promise<T> {
    const result = this.chain.then(() => {
      if (this.closed) throw new Error(`spool stream ${this.options.dir} is closed`);
      return op();
    });
    this.chain = result.catch(() => undefined);
    return result;
  }

  private async recover(): Promise<void> {
    await fs.mkdir(this.options.dir, { recursive: true });
    for (const { seq, file } of await listSegments(this.options.dir)) {
      const data = await fs.readFile(file);
      let offset = 0;
      let records = 0;
      let reason = '';
      while (offset < data.length) {
        const outcome = decodeRecord(data, offset);
        if (outcome.kind !== 'record') {
          reason = outcome.kind === 'corrupt' ? outcome.reason : 'torn record';
          break;
        }
        offset = outcome.next;
        records++;
      }
      if (offset < data.length) {
        this.options.onCorrupt?.({
          segment: file,
          validBytes: offset,
          skippedBytes: data.length - offset,
          reason,
        });
        await fs.truncate(file, offset);
      }
      if (records === 0) {
        await fs.rm(file, { force: true });
        continue;
      }
      this.segments.push({ seq, file, bytes: offset, records });
    }
    if (this.useCursor) await this.loadCursor();
    this.options.onBytes?.(this.bytes);
  }

  private async loadCursor(): Promise<void> {
    const first = this.segments[0];
    let saved: LogPosition | null = null;
    try {
      const parsed = JSON.parse(await fs.readFile(this.cursorFile(), 'utf8')) as Partial<LogPosition>;
      if (Number.isInteger(parsed.seq) && Number.isInteger(parsed.offset) && Number.isInteger(parsed.index)) {
        saved = parsed as LogPosition;
      }
    } catch {
      saved = null; // no cursor yet, or unreadable: replay from the oldest segment (ids make it idempotent)
    }
    const segment = saved ? this.segments.find((s) => s.seq === saved.seq) : undefined;
    if (saved && segment && saved.offset <= segment.bytes && saved.index <= segment.records) {
      this.cursor = saved;
    } else if (saved && first && saved.seq > first.seq && !segment) {
      // The cursor's segment was fully read and deleted: start at the next one that exists.
      const next = this.segments.find((s) => s.seq > saved.seq);
      this.cursor = next ? { seq: next.seq, offset: 0, index: 0 } : { seq: saved.seq, offset: 0, index: 0 };
    } else {
      this.cursor = { seq: first?.seq ?? 0, offset: 0, index: 0 };
    }
  }

  private cursorFile(): string {
    return path.join(this.options.dir, 'cursor.json');
  }

  private unreadRecords(segment: Segment): number {
    if (!this.useCursor) return segment.records;
    if (segment.seq < this.cursor.seq) return 0;
    return segment.seq === this.cursor.seq ? segment.records - this.cursor.index : segment.records;
  }

  private async doAppend(payloads: readonly Buffer[]): Promise<{ written: number; refused: number }> {
    if (payloads.length === 0) return { written: 0, refused: 0 };
    const data = Buffer.concat(payloads.map(encodeRecord));
    if (data.length > this.options.maxBytes) {
      this.options.onDrop?.(payloads.length);
      return { written: 0, refused: payloads.length };
    }
    // Make room: drop whole segments, oldest first.
    while (this.bytes + data.length > this.options.maxBytes && this.segments.length > 0) {
      await this.dropOldest();
    }
    let segment = this.segments[this.segments.length - 1];
    if (!segment || !this.active || (segment.bytes > 0 && segment.bytes + data.length > this.segmentBytes)) {
      segment = await this.startSegment();
    }
    const handle = this.active as fs.FileHandle;
    await handle.write(data, 0, data.length, null);
    if (this.fsync === 'batch') await handle.datasync();
    segment.bytes += data.length;
    segment.records += payloads.length;
    this.options.onBytes?.(data.length);
    return { written: payloads.length, refused: 0 };
  }

  private async startSegment(): Promise<Segment> {
    await this.closeActive();
    const last = this.segments[this.segments.length - 1];
    const seq = Math.max(last?.seq ?? 0, this.cursor.seq - 1) + 1;
    const file = path.join(this.options.dir, segmentFileName(seq));
    this.active = await fs.open(file, 'a');
    if (this.fsync === 'batch') await syncDir(this.options.dir);
    const segment: Segment = { seq, file, bytes: 0, records: 0 };
    this.segments.push(segment);
    if (this.segments.length === 1 && this.useCursor && this.cursor.seq < seq) {
      this.cursor = { seq, offset: 0, index: 0 };
    }
    return segment;
  }

  private doRelease(): void {
    const dropped = this.inFlight?.dropped ?? 0;
    this.inFlight = null;
    if (dropped > 0) this.options.onDrop?.(dropped);
  }

  /** Records of `segment` inside the batch in flight. */
  private inFlightRecords(segment: Segment): number {
    const flight = this.inFlight;
    if (!flight || segment.seq < flight.from.seq || segment.seq > flight.next.seq) return 0;
    const start = segment.seq === flight.from.seq ? flight.from.index : 0;
    const end = segment.seq === flight.next.seq ? flight.next.index : segment.records;
    return Math.max(0, end - start);
  }

  private async dropOldest(
    report: (lost: number) => void = (lost) => this.options.onDrop?.(lost),
  ): Promise<void> {
    const oldest = this.segments.shift();
    if (!oldest) return;
    const unread = this.unreadRecords(oldest);
    // Records of the batch in flight are the sink's to answer for: reported by release(), never by ack().
    const held = Math.min(unread, this.inFlightRecords(oldest));
    if (this.inFlight) this.inFlight.dropped += held;
    const lost = unread - held;
    if (this.segments.length === 0) await this.closeActive();
    await fs.rm(oldest.file, { force: true });
    this.options.onBytes?.(-oldest.bytes);
    if (lost > 0) report(lost);
    if (this.useCursor && this.cursor.seq <= oldest.seq) {
      const next = this.segments[0];
      this.cursor = { seq: next ? next.seq : oldest.seq + 1, offset: 0, index: 0 };
    }
  }

  private async doRead(maxRecords: number): Promise<ReadBatch> {
    const payloads: Buffer[] = [];
    let position = this.cursor;
    while (payloads.length < maxRecords) {
      const segment = this.segments.find((s) => s.seq >= position.seq);
      if (!segment) break;
      if (segment.seq !== position.seq) position = { seq: segment.seq, offset: 0, index: 0 };
      if (position.offset >= segment.bytes) {
        const isLast = segment === this.segments[this.segments.length - 1];
        if (isLast) break;
        position = { seq: segment.seq + 1, offset: 0, index: 0 };
        continue;
      }
      position = await readSegment(segment, position, maxRecords, payloads);
    }
    return { payloads, next: position };
  }

  private async doAck(next: LogPosition): Promise<void> {
    if (!this.useCursor) return;
    const first = this.segments[0];
    // A position inside a segment that was dropped meanwhile (spool full) has nothing left to acknowledge.
    if (first && next.seq < first.seq) return;
    if (next.seq < this.cursor.seq || (next.seq === this.cursor.seq && next.offset < this.cursor.offset))
      return;
    this.cursor = next;
    while (this.segments.length > 1 && this.segments[0].seq < next.seq) {
      const done = this.segments.shift() as Segment;
      await fs.rm(done.file, { force: true });
      this.options.onBytes?.(-done.bytes);
    }
    // The newest segment, fully read, is emptied too so a drained spool holds no bytes.
    const only = this.segments[0];
    if (this.segments.length === 1 && only.seq === next.seq && next.offset >= only.bytes && only.bytes > 0) {
      await this.closeActive();
      this.segments.shift();
      await fs.rm(only.file, { force: true });
      this.options.onBytes?.(-only.bytes);
      this.cursor = { seq: only.seq + 1, offset: 0, index: 0 };
    }
    const tmp = `${this.cursorFile()}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(this.cursor));
    await fs.rename(tmp, this.cursorFile());
  }

  private async closeActive(): Promise<void> {
    const handle = this.active;
    this.active = null;
    if (!handle) return;
    try {
      if (this.fsync === 'batch') await handle.datasync();
    } finally {
      await handle.close();
    }
  }
}

async function readSegment(
  segment: Segment,
  from: LogPosition,
  maxRecords: number,
  out: Buffer[],
): Promise<LogPosition> {
  const handle = await fs.open(segment.file, 'r');
  try {
    let { offset, index } = from;
    while (out.length < maxRecords && offset < segment.bytes) {
      const header = Buffer.alloc(10);
      await handle.read(header, 0, header.length, offset);
      const length = recordLength(header, 0) ?? 0;
      const want = Math.min(segment.bytes - offset, Math.max(READ_CHUNK_BYTES, length));
      const chunk = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(chunk, 0, want, offset);
      const view = chunk.subarray(0, bytesRead);
      let at = 0;
      while (out.length < maxRecords && at < view.length) {
        const outcome = decodeRecord(view, at);
        if (outcome.kind === 'incomplete') break;
        if (outcome.kind === 'corrupt') {
          // Validated at open and written by this process since: only an outside hand can cause this.
          throw new Error(
            `spool segment ${segment.file} is corrupt at byte ${offset + at}: ${outcome.reason}`,
          );
        }
        out.push(Buffer.from(outcome.payload));
        at = outcome.next;
        index++;
      }
      if (at === 0) break;
      offset += at;
    }
    return { seq: segment.seq, offset, index };
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the file's own fsync still holds.
  } finally {
    await handle.close();
  }
}
