/**
 * The hand-off from the proxy thread to the capture thread: a single-producer, single-consumer ring of exchanges in
 * a SharedArrayBuffer. The proxy thread writes each finished exchange into it (numbers, strings and bodies, one
 * contiguous record) and publishes the new write position; the capture thread reads records out and publishes its
 * read position. No message and no new ArrayBuffer per exchange or batch: a busy capture thread finds the next
 * records when it comes back for more, and only a sleeping one is woken (Atomics.notify, see bridge.ts).
 * Before it, each batch was packed into new ArrayBuffers and posted: the postMessage alone was ~12% of the proxy
 * thread's time at saturation.
 *
 *   control (Int32Array, shared):  write position · read position · exchanges written · exchanges read ·
 *                                  exchanges lost · reader sleeping · wake-up sequence
 *   data (bytes, shared):          record record … WRAP | record record … (free) …
 *
 * A record starts on a multiple of 8 bytes:
 *
 *   int32 length (bytes, a multiple of 8; WRAP = the rest of the ring is unused, go on at 0) · int32 flags ·
 *   float64 receivedAt, totalMs, upstreamMs, status, requestBytes, responseBytes · int32 request body length ·
 *   int32 response body length (-1 = null) · int32 × 8 string byte lengths (-1 = null) · the strings (UTF-8) ·
 *   the request body · the response body
 *
 * The positions are byte offsets into `data`; equal positions mean empty, so the writer always leaves a gap.
 */
import type { Exchange } from '../capture/exchange';

const WRITE_POS = 0;
const READ_POS = 1;
const WRITTEN = 2;
const READ = 3;
const LOST = 4;
const SLEEPING = 5;
const WAKE = 6;
const CONTROL_SLOTS = 8;

const WRAP = -1;
/** Fixed part of a record: 2 int32, 6 float64, 2 int32, 8 int32. */
const HEADER_BYTES = 8 + 6 * 8 + 8 + 8 * 4;
const STRINGS = 8;
const REQUEST_TRUNCATED = 1;
const RESPONSE_TRUNCATED = 2;

/**
 * Room a record may need beyond its two bodies: the 8 strings at their longest (a request target is at most the
 * head size, error messages are short) — what `ringBytesFor` adds so that a largest exchange always fits.
 */
export const RING_STRING_ALLOWANCE_BYTES = 1024 * 1024;
/** An empty ring starts over at its beginning once its positions are this far in (half a smaller ring). */
export const RING_RESTART_BYTES = 1024 * 1024;
/** The smallest ring: ~30,000 exchanges of a few hundred bytes, seconds of backlog at saturation. */
export const MIN_RING_BYTES = 16 * 1024 * 1024;

/**
 * The ring size for a capture cap: twice a largest exchange (both bodies at the cap, RING_STRING_ALLOWANCE_BYTES
 * of strings), so that one fits in an empty ring wherever its positions are; at least MIN_RING_BYTES. 18 MiB with
 * the default captureMaxBytes (4 MiB). Only its first RING_RESTART_BYTES and what the largest backlog reached are
 * ever touched (see `write`), so the resident memory is that, not the ring's size.
 */
export function ringBytesFor(captureMaxBytes: number): number {
  return align8(Math.max(MIN_RING_BYTES, 2 * (2 * captureMaxBytes + RING_STRING_ALLOWANCE_BYTES)));
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * While exchanges keep coming, the reader looks at the ring every READER_POLL_MS by itself: waking a reader that
 * sleeps in Atomics.waitAsync (Atomics.notify) cost the proxy thread ~100 µs each in a profile at saturation (17% of
 * its time), so a ring in use costs the writer no wake-up at all, only a look at the reader's SLEEPING flag. After
 * READER_IDLE_POLLS empty looks in a row (a second) the reader sleeps until the writer wakes it.
 */
export const READER_POLL_MS = 5;
export const READER_IDLE_POLLS = 200;

/** What crosses to the capture thread in workerData: the two shared buffers. */
export interface ExchangeRingBuffers {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

/** The largest ring (1 GiB). */
export const MAX_RING_BYTES = 2 ** 30;

export function createRingBuffers(bytes: number): ExchangeRingBuffers {
  const size = align8(bytes);
  if (!Number.isSafeInteger(size) || size < 64 || size > MAX_RING_BYTES)
    throw new RangeError(`exchange ring size must be 64 bytes to 1 GiB, got ${bytes}`);
  return {
    control: new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT),
    data: new SharedArrayBuffer(size),
  };
}

/** Both sides share the layout; each side uses only its half of the methods. */
class RingView {
  protected readonly control: Int32Array;
  protected readonly bytes: Buffer;
  protected readonly i32: Int32Array;
  protected readonly f64: Float64Array;
  protected readonly capacity: number;

  constructor(readonly buffers: ExchangeRingBuffers) {
    this.control = new Int32Array(buffers.control);
    this.bytes = Buffer.from(buffers.data);
    this.i32 = new Int32Array(buffers.data);
    this.f64 = new Float64Array(buffers.data);
    this.capacity = buffers.data.byteLength;
  }

  /** Exchanges written and not yet read. */
  backlog(): number {
    return (Atomics.load(this.control, WRITTEN) - Atomics.load(this.control, READ)) | 0;
  }
}

/** The proxy thread's side. */
export class RingWriter extends RingView {
  /** Where the next record goes (the writer's own copy of WRITE_POS). */
  private writePos = 0;
  private readonly restartBytes = Math.min(RING_RESTART_BYTES, this.capacity / 2);

  /**
   * Writes `ex` as one record and publishes it; false (nothing written) when the ring has no room for it.
   * Never waits.
   */
  write(ex: Exchange): boolean {
    const req = ex.requestBody;
    const res = ex.responseBody;
    // Upper bound: UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const need = align8(
      HEADER_BYTES +
        3 *
          (ex.requestId.length +
            ex.method.length +
            ex.path.length +
            (ex.errorCode?.length ?? 0) +
            (ex.errorMessage?.length ?? 0) +
            ex.query.length +
            (ex.contentType?.length ?? 0) +
            (ex.headerVersion?.length ?? 0)) +
        (req?.length ?? 0) +
        (res?.length ?? 0),
    );
    const cap = this.capacity;
    const r = Atomics.load(this.control, READ_POS);
    let w = this.writePos;
    let at: number;
    if (w >= r) {
      // Free: [w, cap) — less one gap when the reader is at 0 — and [0, r). An empty ring starts over at 0 once
      // the positions are restartBytes in: while the capture thread keeps up, the records stay in the first pages
      // and the rest of the ring is never touched (never resident). Until the reader follows (its next look),
      // the writer has [0, r) only: restartBytes is that room.
      if (w === r && r >= this.restartBytes && need < r) {
        this.i32[w >> 2] = WRAP;
        at = 0;
      } else if (need <= cap - w - (r === 0 ? 8 : 0)) at = w;
      else if (need < r) {
        this.i32[w >> 2] = WRAP;
        at = 0;
      } else return false;
    } else if (need < r - w) at = w;
    else return false;

    let p = at + HEADER_BYTES;
    const i = at >> 2;
    const f = at >> 3;
    const s = i + 16; // the string lengths, after 2 int32 + 6 float64 + 2 int32
    p = this.string(ex.requestId, s, p);
    p = this.string(ex.method, s + 1, p);
    p = this.string(ex.path, s + 2, p);
    p = this.string(ex.errorCode, s + 3, p);
    p = this.string(ex.errorMessage, s + 4, p);
    p = this.string(ex.query, s + 5, p);
    p = this.string(ex.contentType, s + 6, p);
    p = this.string(ex.headerVersion, s + 7, p);
    if (req === null) this.i32[i + 14] = -1;
    else {
      this.i32[i + 14] = req.length;
      p += req.copy(this.bytes, p);
    }
    if (res === null) this.i32[i + 15] = -1;
    else {
      this.i32[i + 15] = res.length;
      p += res.copy(this.bytes, p);
    }
    const length = align8(p - at);
    this.i32[i] = length;
    this.i32[i + 1] =
      (ex.requestTruncated ? REQUEST_TRUNCATED : 0) | (ex.responseTruncated ? RESPONSE_TRUNCATED : 0);
    this.f64[f + 1] = ex.receivedAt;
    this.f64[f + 2] = ex.totalMs;
    this.f64[f + 3] = ex.upstreamMs;
    this.f64[f + 4] = ex.status;
    this.f64[f + 5] = ex.requestBytes;
    this.f64[f + 6] = ex.responseBytes;

    w = at + length;
    if (w === cap) w = 0;
    this.writePos = w;
    Atomics.add(this.control, WRITTEN, 1);
    // Publishes the record: the reader reads WRITE_POS before the bytes it covers.
    Atomics.store(this.control, WRITE_POS, w);
    return true;
  }

  private string(value: string | null, slot: number, p: number): number {
    if (value === null) {
      this.i32[slot] = -1;
      return p;
    }
    const n = value.length === 0 ? 0 : this.bytes.write(value, p, 'utf8');
    this.i32[slot] = n;
    return p + n;
  }

  /** Counts exchanges not written (the reader reports them in its metrics). */
  lose(n: number): void {
    Atomics.add(this.control, LOST, n);
  }

  /** True while the reader waits to be woken (see `wake`). */
  readerSleeping(): boolean {
    return Atomics.load(this.control, SLEEPING) === 1;
  }

  /** Wakes a sleeping reader. */
  wake(): void {
    Atomics.store(this.control, SLEEPING, 0);
    Atomics.add(this.control, WAKE, 1);
    Atomics.notify(this.control, WAKE);
  }
}

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
) => { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

/** The capture thread's side. */
export class RingReader extends RingView {
  private readPos = 0;
  private lostSeen = 0;

  /**
   * Reads up to `max` exchanges (in the order written) into `onExchange`; returns how many. Each exchange's bodies
   * are copied out of the ring, so the ring's room is free again once this returns.
   */
  read(max: number, onExchange: (ex: Exchange) => void): number {
    const cap = this.capacity;
    const w = Atomics.load(this.control, WRITE_POS);
    let r = this.readPos;
    let n = 0;
    while (r !== w && n < max) {
      if (this.i32[r >> 2] === WRAP) {
        r = 0;
        continue;
      }
      const ex = this.decode(r);
      r += this.i32[r >> 2];
      if (r === cap) r = 0;
      n++;
      onExchange(ex);
    }
    this.readPos = r;
    Atomics.add(this.control, READ, n);
    Atomics.store(this.control, READ_POS, r);
    return n;
  }

  private decode(at: number): Exchange {
    const i = at >> 2;
    const f = at >> 3;
    const s = i + 16;
    let p = at + HEADER_BYTES;
    const strings = new Array<string | null>(STRINGS);
    for (let k = 0; k < STRINGS; k++) {
      const n = this.i32[s + k];
      if (n < 0) strings[k] = null;
      else {
        strings[k] = n === 0 ? '' : this.bytes.toString('utf8', p, p + n);
        p += n;
      }
    }
    const body = (length: number): Buffer | null => {
      if (length < 0) return null;
      const copy = Buffer.allocUnsafe(length);
      this.bytes.copy(copy, 0, p, p + length);
      p += length;
      return copy;
    };
    const flags = this.i32[i + 1];
    const requestBody = body(this.i32[i + 14]);
    const responseBody = body(this.i32[i + 15]);
    return {
      requestId: strings[0] as string,
      receivedAt: this.f64[f + 1],
      method: strings[1] as string,
      path: strings[2] as string,
      query: strings[5] as string,
      contentType: strings[6],
      headerVersion: strings[7],
      requestBody,
      requestBytes: this.f64[f + 5],
      requestTruncated: (flags & REQUEST_TRUNCATED) !== 0,
      status: this.f64[f + 4],
      responseBody,
      responseBytes: this.f64[f + 6],
      responseTruncated: (flags & RESPONSE_TRUNCATED) !== 0,
      totalMs: this.f64[f + 2],
      upstreamMs: this.f64[f + 3],
      errorCode: strings[3],
      errorMessage: strings[4],
    };
  }

  /** Exchanges the writer counted as lost since the last call. */
  takeLost(): number {
    const now = Atomics.load(this.control, LOST);
    const n = (now - this.lostSeen) | 0;
    this.lostSeen = now;
    return n;
  }

  /**
   * Resolves when the writer wakes this reader (or at once if there is something to read). The reader announces
   * that it sleeps, then looks once more: a record published in between is never left waiting for a wake-up.
   */
  sleep(): Promise<unknown> {
    const seq = Atomics.load(this.control, WAKE);
    Atomics.store(this.control, SLEEPING, 1);
    if (
      Atomics.load(this.control, WRITE_POS) !== this.readPos ||
      Atomics.load(this.control, LOST) !== this.lostSeen
    ) {
      Atomics.store(this.control, SLEEPING, 0);
      return Promise.resolve();
    }
    const waited = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync(this.control, WAKE, seq);
    return waited.async ? waited.value : Promise.resolve();
  }
}
