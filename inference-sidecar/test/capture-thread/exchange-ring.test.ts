/**
 * The exchange ring (src/capture-thread/exchange-ring.ts) on its own: records wrap around the end of the ring
 * intact, a full ring refuses the next exchange (the bridge counts it as lost) and takes exchanges again once the
 * reader made room, losses reach the reader, and a sleeping reader wakes up only when the writer wakes it.
 */
import type { Exchange } from '../../src/capture/exchange';
import {
  createRingBuffers,
  ringBytesFor,
  RingReader,
  RingWriter,
} from '../../src/capture-thread/exchange-ring';
import { testExchange } from '../helpers/exchange';

function exchange(i: number, bodyBytes: number): Exchange {
  const request = Buffer.alloc(bodyBytes, 48 + (i % 10));
  return testExchange('/v2/models/m/infer', request, `{"i":${i}}`, {
    requestId: `req-${i}`,
    totalMs: i / 8,
    headerVersion: i % 3 === 0 ? null : `v${i} — ü`,
  });
}

function ring(bytes: number): { writer: RingWriter; reader: RingReader } {
  const buffers = createRingBuffers(bytes);
  return { writer: new RingWriter(buffers), reader: new RingReader(buffers) };
}

function take(reader: RingReader, max = 1000): Exchange[] {
  const out: Exchange[] = [];
  reader.read(max, (ex) => out.push(ex));
  return out;
}

describe('the exchange ring', () => {
  it('carries exchanges of every size across its end, in order and intact', () => {
    const { writer, reader } = ring(4096);
    const written: Exchange[] = [];
    const read: Exchange[] = [];
    // Sizes that never divide the ring evenly, read a few at a time: every wrap position is crossed.
    for (let i = 0; i < 2000; i++) {
      const ex = exchange(i, (i * 37) % 700);
      if (writer.write(ex)) written.push(ex);
      else {
        read.push(...take(reader, 1 + (i % 3)));
        i--; // the same exchange again, now that there is room
      }
    }
    read.push(...take(reader));
    expect(read.length).toBe(2000);
    expect(read).toEqual(written);
    expect(writer.backlog()).toBe(0);
  });

  it('refuses an exchange it has no room for, and takes it once the reader made room', () => {
    const { writer, reader } = ring(2048);
    let n = 0;
    while (writer.write(exchange(n, 200))) n++;
    expect(n).toBeGreaterThan(2);
    expect(writer.backlog()).toBe(n);
    const next = exchange(n, 200);
    expect(writer.write(next)).toBe(false);
    // The writer reserves room for its strings at 3 bytes a character (UTF-8's most): two records' room is enough.
    expect(take(reader, 2).map((ex) => ex.requestId)).toEqual(['req-0', 'req-1']);
    expect(writer.write(next)).toBe(true);
    expect(take(reader).map((ex) => ex.requestId)).toEqual(
      Array.from({ length: n - 1 }, (_, i) => `req-${i + 2}`),
    );
  });

  it('never takes an exchange larger than the ring, and always one at the capture cap', () => {
    const { writer, reader } = ring(1024);
    expect(writer.write(exchange(0, 2000))).toBe(false);
    expect(take(reader)).toEqual([]);
    const cap = 4 * 1024 * 1024;
    const big = ring(ringBytesFor(cap));
    const ex = testExchange('/p', Buffer.alloc(cap, 1), Buffer.alloc(cap, 2), { path: 'é'.repeat(100_000) });
    // Wherever the empty ring's positions are: walk them round the ring with records of ~1/7 of it.
    const step = testExchange('/p', Buffer.alloc(Math.floor(ringBytesFor(cap) / 7)), '');
    for (let i = 0; i < 8; i++) {
      expect(big.writer.write(step)).toBe(true);
      expect(take(big.reader)).toHaveLength(1);
      expect(big.writer.write(ex)).toBe(true);
      // Bodies compared as bytes (a deep equality of 4 MiB, element by element, takes minutes).
      const [got] = take(big.reader);
      expect(got.requestBody!.equals(ex.requestBody!)).toBe(true);
      expect(got.responseBody!.equals(ex.responseBody!)).toBe(true);
      expect({ ...got, requestBody: null, responseBody: null }).toEqual({
        ...ex,
        requestBody: null,
        responseBody: null,
      });
    }
  });

  it('starts over at the beginning once the reader took everything (the rest of the ring stays untouched)', () => {
    const buffers = createRingBuffers(64 * 1024);
    const writer = new RingWriter(buffers);
    const reader = new RingReader(buffers);
    const data = new Uint8Array(buffers.data);
    for (let i = 0; i < 1000; i++) {
      expect(writer.write(exchange(i, 100))).toBe(true);
      expect(take(reader).map((ex) => ex.requestId)).toEqual([`req-${i}`]);
    }
    // 1000 records of ~300 bytes (~300 KB) went through; the writer started over each time it was half-way in.
    expect(data.subarray(32 * 1024 + 1024).every((b) => b === 0)).toBe(true);
  });

  it('tells the reader how many exchanges the writer lost', () => {
    const { writer, reader } = ring(4096);
    writer.lose(3);
    writer.lose(2);
    expect(reader.takeLost()).toBe(5);
    expect(reader.takeLost()).toBe(0);
  });

  it('a sleeping reader wakes when the writer wakes it, not before; with records waiting it does not sleep', async () => {
    const { writer, reader } = ring(4096);
    let woken = false;
    const sleeping = reader.sleep().then(() => {
      woken = true;
    });
    expect(writer.readerSleeping()).toBe(true);
    expect(writer.write(exchange(1, 10))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(woken).toBe(false);
    writer.wake();
    await sleeping;
    expect(writer.readerSleeping()).toBe(false);
    // A record written while it was awake: sleep() returns at once and the reader stays awake.
    await reader.sleep();
    expect(writer.readerSleeping()).toBe(false);
    expect(take(reader).map((ex) => ex.requestId)).toEqual(['req-1']);
  });
});
