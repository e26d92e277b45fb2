/**
 * openSpoolReader(dir): how the exporter reads the embedded store — the spool directory's `store/` stream — from
 * another process, without taking anything away from it.
 *
 * The reader only reads files: it never deletes, truncates or moves a cursor, so any number of readers can
 * follow the same store while the sidecar appends to it. Each entry carries the position just after it; keep it
 * and pass it back as `from` to resume after a restart. If the segment at `from` was rotated out meanwhile (the
 * store is bounded by size), reading resumes at the oldest segment still there and `stats.rotatedPastPosition` counts it.
 *
 * Torn and corrupt records: inside the newest segment, a record that is not complete yet is waited for
 * (`follow`) — the sidecar may be writing it, or will truncate it when it restarts after a crash. In an older
 * segment nothing more will be written, so a bad tail is skipped (`stats.skippedBytes`) and reading goes on with
 * the next segment. Records that decode but fail the event schema are skipped and counted (`stats.invalid`).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { decodeSpoolRecord } from './record-codec';
import { decodeRecord } from './record-format';
import { listSegments } from './segment-log';

export interface SpoolPosition {
  /** Segment sequence number. */
  readonly seq: number;
  /** Byte offset inside the segment. */
  readonly offset: number;
}

export type SpoolEntry =
  | { readonly kind: 'inference'; readonly event: InferenceEvent; readonly position: SpoolPosition }
  | { readonly kind: 'feedback'; readonly event: FeedbackEvent; readonly position: SpoolPosition };

export interface SpoolReaderStats {
  /** Records that decoded but were not valid events. */
  invalid: number;
  /** Bytes of torn or corrupt tails skipped in older segments. */
  skippedBytes: number;
  /** Times a `from` position pointed into a segment already rotated out. */
  rotatedPastPosition: number;
}

export interface SpoolReaderOptions {
  /** Stream inside the spool directory. @default 'store' (others: 'sinks/<sink>', 'dead-letter/<sink>') */
  stream?: string;
}

export interface FollowOptions {
  from?: SpoolPosition;
  /** How often to look for new records once caught up. @default 250 */
  pollMs?: number;
  /** Ends the iteration. */
  signal?: AbortSignal;
}

export interface SpoolReader {
  readonly dir: string;
  readonly stats: SpoolReaderStats;
  /** Every record in the stream now (from `from`, else the oldest), then ends. */
  entries(options?: { from?: SpoolPosition }): AsyncGenerator<SpoolEntry>;
  /** Like entries(), then keeps waiting for new records until `signal` aborts. */
  follow(options?: FollowOptions): AsyncGenerator<SpoolEntry>;
}

export function openSpoolReader(spoolDir: string, options: SpoolReaderOptions = {}): SpoolReader {
  const dir = path.join(spoolDir, options.stream ?? 'store');
  const stats: SpoolReaderStats = { invalid: 0, skippedBytes: 0, rotatedPastPosition: 0 };

  /** Reads from `position` until caught up; returns the position to continue from. */
  async function* scan(position: SpoolPosition): AsyncGenerator<SpoolEntry, SpoolPosition> {
    let pos = position;
    for (;;) {
      const segments = await listSegments(dir);
      const index = segments.findIndex((s) => s.seq >= pos.seq);
      if (index < 0) return pos;
      const segment = segments[index];
      if (segment.seq !== pos.seq) {
        // A resume position older than the oldest segment: that segment was rotated out meanwhile.
        if (index === 0 && pos.seq > 0 && pos.offset > 0) stats.rotatedPastPosition++;
        pos = { seq: segment.seq, offset: 0 };
      }
      const isNewest = index === segments.length - 1;
      let data: Buffer;
      try {
        data = await readFrom(segment.file, pos.offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // rotated out while we looked
        throw error;
      }
      let at = 0;
      let stoppedEarly = false;
      while (at < data.length) {
        const outcome = decodeRecord(data, at);
        if (outcome.kind !== 'record') {
          stoppedEarly = true;
          break;
        }
        at = outcome.next;
        const record = decodeSpoolRecord(outcome.payload);
        const after = { seq: segment.seq, offset: pos.offset + at };
        if (!record) stats.invalid++;
        else if (record.kind === 'inference')
          yield { kind: 'inference', event: record.event, position: after };
        else yield { kind: 'feedback', event: record.event, position: after };
      }
      pos = { seq: segment.seq, offset: pos.offset + at };
      if (isNewest) return pos; // wait for the writer (a torn tail here is truncated when it restarts)
      if (stoppedEarly) stats.skippedBytes += data.length - at;
      pos = { seq: segment.seq + 1, offset: 0 };
    }
  }

  return {
    dir,
    stats,
    async *entries(opts: { from?: SpoolPosition } = {}) {
      yield* scan(opts.from ?? { seq: 0, offset: 0 });
    },
    async *follow(opts: FollowOptions = {}) {
      let pos = opts.from ?? { seq: 0, offset: 0 };
      const pollMs = opts.pollMs ?? 250;
      while (!opts.signal?.aborted) {
        pos = yield* scan(pos);
        if (opts.signal?.aborted) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, pollMs);
          function done() {
            clearTimeout(timer);
            opts.signal?.removeEventListener('abort', done);
            resolve();
          }
          opts.signal?.addEventListener('abort', done, { once: true });
        });
      }
    },
  };
}

async function readFrom(file: string, offset: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.allocUnsafe(size - offset);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
