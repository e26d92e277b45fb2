/**
 * The raw plane reads plain TCP upstream sockets into one reusable buffer per socket (`onread`,
 * src/proxy/raw/raw-plane.ts). Whatever outlives a read must not see that buffer overwritten by the next one: a
 * head split over reads and captured body pieces are copied; body bytes the client has not taken yet keep the
 * buffer (the next read gets a new one). Bodies of distinct pseudo-random bytes, larger than loopback buffers hold,
 * to a client that reads late, must arrive and be captured byte for byte. (Without the copy of captured pieces
 * both cases fail. A write still pending below the socket's high-water mark — the case `keep` guards — is not
 * forced here: at the loopback's full buffer the write that pends returns false, the upstream pauses, and reads
 * resume only once it drained.)
 */
import { connect, type Socket } from 'node:net';
import type { Exchange } from '../../src/capture/exchange';
import type { RawPlane } from '../../src/proxy/raw/raw-plane';
import { startRawPlane } from '../helpers/raw-plane';
import { startRawUpstream, type RawUpstream } from '../helpers/raw-socket';

/** More than loopback socket buffers hold while the client does not read: the sidecar's writes to it pend. */
const BODY_BYTES = 8 * 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function pseudoRandom(n: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x >> 16;
  }
  return out;
}

const BODY = pseudoRandom(BODY_BYTES, 7);

/** HTTP/1.1 chunked framing of `body` in pieces of `size`. */
function chunked(body: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const piece = body.subarray(i, i + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** Writes the head in pieces of `size` 1 ms apart (a head split over reads), then the body at once. */
async function dribble(socket: Socket, head: Buffer, body: Buffer, size: number) {
  for (let i = 0; i < head.length; i += size) {
    socket.write(head.subarray(i, i + size));
    await sleep(1);
  }
  socket.write(body);
}

describe('upstream read buffers are reused only while nothing holds them', () => {
  let upstream: RawUpstream;
  let plane: RawPlane;
  let port: number;
  const exchanges: Exchange[] = [];

  beforeAll(async () => {
    upstream = await startRawUpstream((target, socket) => {
      const head =
        target === '/chunked'
          ? 'HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ntransfer-encoding: chunked\r\n\r\n'
          : `HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: ${BODY_BYTES}\r\n\r\n`;
      const body = target === '/chunked' ? chunked(BODY, 3000) : BODY;
      void dribble(socket, Buffer.from(head, 'latin1'), body, 40).then(
        () => undefined,
        () => undefined,
      );
    });
    ({ plane, port } = await startRawPlane(upstream.url, {
      captureMaxBytes: 16 << 20,
      headersTimeoutMs: 10_000,
      bodyTimeoutMs: 10_000,
      onExchange: (ex) => exchanges.push(ex),
      keepAliveTimeoutMs: 10_000,
    }));
  });
  afterAll(async () => {
    await plane.close(100);
    await upstream.close();
  });

  /** A client that reads nothing for `lateMs` (the sidecar's writes to it pend), then everything. */
  async function fetchLate(path: string, lateMs: number): Promise<Buffer> {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
    await sleep(lateMs);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.resume();
    await new Promise((resolve) => socket.once('close', resolve));
    const all = Buffer.concat(chunks);
    return all.subarray(all.indexOf('\r\n\r\n') + 4);
  }

  it('passes a Content-Length body through and captures it, byte for byte', async () => {
    exchanges.length = 0;
    const body = await fetchLate('/sized', 300);
    expect(body.equals(BODY)).toBe(true);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0].responseBody?.equals(BODY)).toBe(true);
  });

  it('passes a chunked body through and captures it decoded, byte for byte', async () => {
    exchanges.length = 0;
    const body = await fetchLate('/chunked', 300);
    expect(body.equals(chunked(BODY, 3000))).toBe(true);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0].responseBody?.equals(BODY)).toBe(true);
  });
});
