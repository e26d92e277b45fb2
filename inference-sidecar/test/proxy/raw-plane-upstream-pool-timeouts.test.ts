/**
 * The raw plane's pooled upstream connections time out by one sweep timer per pool (src/proxy/raw/raw-plane.ts,
 * UpstreamPool) instead of `socket.setTimeout` twice per exchange. The behaviour those timers had stays: an idle
 * pooled connection is closed once idle for upstreamKeepAliveMs (now within 1/8 of it more), a connection in use
 * times out only when quiet for bodyTimeoutMs — bytes coming back and request bytes going out both count as
 * activity, as they did for Node's socket timeout.
 */
import { connect, type Socket } from 'node:net';
import type { RawPlane } from '../../src/proxy/raw/raw-plane';
import { startRawPlane } from '../helpers/raw-plane';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const KEEP_ALIVE_MS = 400;
const BODY_MS = 300;
/** Pieces sent BODY_MS / 3 apart, for 8 / 3 × BODY_MS in all: longer than the timeout, never quiet for it. */
const PIECES = 8;
const GAP_MS = BODY_MS / 3;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `request` (written in pieces GAP_MS apart when given as an array) and reads until the connection closes. */
async function exchange(port: number, request: string | string[]): Promise<string> {
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (s: string) => (text += s));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  const pieces = typeof request === 'string' ? [request] : request;
  for (let i = 0; i < pieces.length; i++) {
    if (i > 0) await sleep(GAP_MS);
    socket.write(pieces[i]);
  }
  await closed;
  return text;
}

describe('pooled upstream connections time out by the pool sweep', () => {
  let upstream: TestUpstream;
  let plane: RawPlane;
  let port: number;
  /** Upstream-side connection closes, with when they happened. */
  const upstreamCloses: number[] = [];

  beforeAll(async () => {
    upstream = await startUpstream((req, res, body) => {
      if (req.url === '/drip') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(PIECES) });
        let sent = 0;
        const drip = setInterval(() => {
          res.write('x');
          if (++sent === PIECES) {
            clearInterval(drip);
            res.end();
          }
        }, GAP_MS);
        return;
      }
      res.end(`got ${body.length}`);
    });
    upstream.server.on('connection', (socket: Socket) =>
      socket.on('close', () => upstreamCloses.push(Date.now())),
    );
    ({ plane, port } = await startRawPlane(upstream.url, {
      headersTimeoutMs: 10_000,
      bodyTimeoutMs: BODY_MS,
      connections: 1,
      upstreamKeepAliveMs: KEEP_ALIVE_MS,
      keepAliveTimeoutMs: 10_000,
    }));
  });
  afterAll(async () => {
    await plane.close(100);
    await upstream.close();
  });

  it('closes an idle pooled connection after upstreamKeepAliveMs, not before', async () => {
    upstreamCloses.length = 0;
    const answered = await exchange(port, 'GET /quick HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(answered).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\ngot 0$/);
    const idleSince = Date.now();
    await sleep(KEEP_ALIVE_MS * 0.75);
    expect(upstreamCloses).toEqual([]);
    await sleep(KEEP_ALIVE_MS * 1.25);
    expect(upstreamCloses).toHaveLength(1);
    // Within the sweep's 1/8, plus the scheduling slack of a loaded test machine.
    expect(upstreamCloses[0] - idleSince).toBeGreaterThanOrEqual(KEEP_ALIVE_MS * 0.95);
    expect(upstreamCloses[0] - idleSince).toBeLessThan(KEEP_ALIVE_MS * 1.125 + 250);
  });

  it('keeps a connection whose response body keeps coming for longer than bodyTimeoutMs in all', async () => {
    const answered = await exchange(port, 'GET /drip HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(answered).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answered.endsWith(`\r\n\r\n${'x'.repeat(PIECES)}`)).toBe(true);
  });

  it('keeps a connection whose request body keeps going out for longer than bodyTimeoutMs in all', async () => {
    const head = `POST /upload HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: ${PIECES}\r\n\r\n`;
    const answered = await exchange(port, [head, ...'y'.repeat(PIECES)]);
    expect(answered).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\ngot 8$/);
  });
});
