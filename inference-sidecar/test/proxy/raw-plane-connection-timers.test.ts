/**
 * The raw plane's per-connection timeouts (src/proxy/raw/raw-plane.ts): one sweep timer per plane; each client
 * connection notes the sweep count when its request goes upstream and when it goes idle (before: two timers per
 * connection, re-armed for every exchange). Regression cases for that per-exchange clock: the headers timeout
 * counts from each exchange's own dispatch (an earlier exchange on the same connection never shortens it, a later
 * one still gets it), and the idle timeout never cuts an exchange in flight, only a connection idle for
 * keepAliveTimeoutMs after its last answer.
 */
import { connect, type Socket } from 'node:net';
import type { Exchange } from '../../src/capture/exchange';
import type { RawPlane } from '../../src/proxy/raw/raw-plane';
import { startRawPlane } from '../helpers/raw-plane';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

/** Margins of 200 ms either way; an exchange of the idle test waits 2 × IDLE_MS, within HEADERS_MS. */
const HEADERS_MS = 1000;
const IDLE_MS = 400;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One client connection: sends a request, reads one whole response (Content-Length framed). */
class Client {
  private buf = '';
  private waiting: (() => void) | null = null;
  closed = false;

  constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (s: string) => {
      this.buf += s;
      this.waiting?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
  }

  async get(path: string): Promise<{ status: number; body: string }> {
    this.socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.buf.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (this.buf.length >= end + 4 + length) {
          const body = this.buf.slice(end + 4, end + 4 + length);
          this.buf = this.buf.slice(end + 4 + length);
          return { status: Number(head.split(' ')[1]), body };
        }
      }
      if (this.closed) throw new Error('connection closed');
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = null;
    }
  }

  end(): void {
    this.socket.destroy();
  }
}

describe('the raw plane re-arms its per-connection timers for every exchange', () => {
  let upstream: TestUpstream;
  let plane: RawPlane;
  let port: number;
  const exchanges: Exchange[] = [];

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 0);
      setTimeout(() => res.end(`after ${ms}`), ms);
    });
    ({ plane, port } = await startRawPlane(upstream.url, {
      headersTimeoutMs: HEADERS_MS,
      onExchange: (ex) => exchanges.push(ex),
      connections: 4,
      keepAliveTimeoutMs: IDLE_MS,
    }));
  });
  afterAll(async () => {
    await plane.close(100);
    await upstream.close();
  });

  async function client(): Promise<Client> {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    return new Client(socket);
  }

  it('counts the headers timeout from each exchange, on one kept-alive connection', async () => {
    const c = await client();
    try {
      expect(await c.get('/?ms=0')).toEqual({ status: 200, body: 'after 0' });
      await sleep(HEADERS_MS * 0.3);
      // Longer than what is left of a deadline armed for the first exchange: in time for its own.
      expect(await c.get(`/?ms=${HEADERS_MS * 0.8}`)).toEqual({
        status: 200,
        body: `after ${HEADERS_MS * 0.8}`,
      });
      // A later exchange on the same connection still times out.
      const late = await c.get(`/?ms=${HEADERS_MS * 3}`);
      expect(late.status).toBe(504);
      expect(late.body).toMatch(/SIDECAR_ERR_UPSTREAM_TIMEOUT/);
    } finally {
      c.end();
    }
  });

  it('never ends a connection with an exchange in flight; ends it once idle for keepAliveTimeoutMs', async () => {
    const c = await client();
    // Twice the idle timeout waiting for the upstream, with nothing idle about it.
    expect(await c.get(`/?ms=${IDLE_MS * 2}`)).toEqual({ status: 200, body: `after ${IDLE_MS * 2}` });
    expect(c.closed).toBe(false);
    // Idle for less than the timeout: still open, and its clock starts again after this answer.
    await sleep(IDLE_MS / 2);
    expect(await c.get('/?ms=0')).toEqual({ status: 200, body: 'after 0' });
    await sleep(IDLE_MS / 2);
    expect(c.closed).toBe(false);
    await sleep(IDLE_MS * 2);
    expect(c.closed).toBe(true);
  });
});
