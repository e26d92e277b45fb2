/**
 * Request smuggling and framing edge cases, sent as raw bytes to both data planes (`dataPlane: node` and `raw`)
 * in front of one upstream that records every request it receives.
 *
 * For every case:
 * - the raw plane refuses whatever the node plane (Node's own parser) refuses, and then its upstream saw nothing
 *   of that connection: the upstream never sees a request the old path would have refused;
 * - no plane ever lets the smuggled request (`/smuggled`) reach the upstream;
 * - cases that are valid HTTP (pipelining, HTTP/1.0 keep-alive) get the same answers, in order, from both.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

/**
 * Sends `bytes` and returns everything the sidecar wrote until it closed the connection, or 500 ms passed without
 * a byte (a kept-alive connection), at most 3 s.
 */
function sendRaw(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.write(Buffer.from(bytes, 'latin1')));
    let quiet = setTimeout(() => socket.destroy(), 500);
    const cap = setTimeout(() => socket.destroy(), 3000);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      clearTimeout(quiet);
      quiet = setTimeout(() => socket.destroy(), 500);
    });
    socket.on('close', () => {
      clearTimeout(quiet);
      clearTimeout(cap);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('error', () => undefined);
  });
}

const statuses = (answer: string): number[] =>
  [...answer.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1])).filter((s) => s >= 200);

const H = 'Host: x\r\n';
const SMUGGLED = `GET /smuggled HTTP/1.1\r\n${H}\r\n`;

/** [name, bytes, whether the request is valid HTTP/1.1 (both planes must answer it)]. */
const CASES: Array<[string, string]> = [
  [
    'CL + TE',
    `POST /a HTTP/1.1\r\n${H}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'TE + CL',
    `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'duplicate Content-Length',
    `POST /a HTTP/1.1\r\n${H}Content-Length: 4\r\nContent-Length: 40\r\n\r\nabcd${SMUGGLED}`,
  ],
  ['Content-Length with a sign', `POST /a HTTP/1.1\r\n${H}Content-Length: +4\r\n\r\nabcd${SMUGGLED}`],
  ['Content-Length list', `POST /a HTTP/1.1\r\n${H}Content-Length: 4, 4\r\n\r\nabcd${SMUGGLED}`],
  [
    'obs-fold hiding Transfer-Encoding',
    `POST /a HTTP/1.1\r\n${H}X-Fold: a\r\n Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\nabcd${SMUGGLED}`,
  ],
  [
    'whitespace before the colon',
    `POST /a HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\nabcd${SMUGGLED}`,
  ],
  [
    'Transfer-Encoding not ending in chunked',
    `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'chunk size not hex',
    `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'negative chunk size',
    `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n-1\r\nabc\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'overflowing chunk size',
    `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\nabc\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'chunk size with a space',
    `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'chunk data longer than its size',
    `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  ['bare LF line endings', `GET /a HTTP/1.1\n${H.replace('\r\n', '\n')}\n${SMUGGLED}`],
  ['bare LF inside the head', `GET /a HTTP/1.1\r\nX-A: 1\nX-B: 2\r\n${H}\r\n${SMUGGLED}`],
  [
    'bare LF after a chunk size',
    `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  ['a head over 16 KiB', `GET /a HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n${SMUGGLED}`],
  ['an NUL in a header value', `GET /a HTTP/1.1\r\n${H}X-Nul: a\u0000b\r\n\r\n${SMUGGLED}`],
  ['HTTP/1.1 without Host', `GET /a HTTP/1.1\r\nConnection: close\r\n\r\n`],
  ['HTTP/2.0 request line', `GET /a HTTP/2.0\r\n${H}\r\n${SMUGGLED}`],
];

/** Valid HTTP that both planes must answer the same way. */
const VALID: Array<[string, string, number[], string[]]> = [
  [
    'pipelined requests, answered in order',
    `GET /p1 HTTP/1.1\r\n${H}\r\nPOST /p2 HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabcGET /p3 HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
    [200, 200, 200],
    ['GET /p1', 'POST /p2 abc', 'GET /p3'],
  ],
  [
    'HTTP/1.0 keep-alive, then an HTTP/1.0 request (which closes)',
    `GET /k1 HTTP/1.0\r\n${H}Connection: keep-alive\r\n\r\nGET /k2 HTTP/1.0\r\n${H}\r\n`,
    [200, 200],
    ['GET /k1', 'GET /k2'],
  ],
  // Regression: the node plane answered these with a lone 400 (its clientError handler took Node's "data after
  // Connection: close" parse error for garbage) instead of the response owed to the first request.
  [
    'an HTTP/1.0 request without keep-alive, then another request: the first is answered, the rest ignored',
    `GET /c1 HTTP/1.0\r\n${H}\r\nGET /c2 HTTP/1.0\r\n${H}\r\n`,
    [200],
    ['GET /c1'],
  ],
  [
    'Connection: close, then another request: the first is answered, the rest ignored',
    `GET /c1 HTTP/1.1\r\n${H}Connection: close\r\n\r\n${SMUGGLED}`,
    [200],
    ['GET /c1'],
  ],
  [
    'a chunked request with an extension and a trailer',
    `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3;ext="v"\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n`,
    [200],
    ['POST /c abcde'],
  ],
];

describe('request smuggling: the raw plane is at least as strict as Node, and the upstream never sees what Node refuses', () => {
  let upstream: Server;
  let upstreamUrl: string;
  /** What the upstream received, per sidecar: "METHOD path body". */
  const seen: string[] = [];
  const planes: Record<'node' | 'raw', TestSidecar> = {} as Record<'node' | 'raw', TestSidecar>;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('latin1');
        seen.push(`${req.method} ${req.url}${body ? ` ${body}` : ''}`);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    planes.node = await startTestSidecar(upstreamUrl, { dataPlane: 'node' });
    planes.raw = await startTestSidecar(upstreamUrl, { dataPlane: 'raw' });
  });
  afterAll(async () => {
    await planes.node?.stop();
    await planes.raw?.stop();
    await new Promise((resolve) => upstream.close(resolve));
  });

  async function run(plane: 'node' | 'raw', bytes: string): Promise<{ answer: string; upstream: string[] }> {
    seen.length = 0;
    const answer = await sendRaw(planes[plane].url, bytes);
    await new Promise((resolve) => setTimeout(resolve, 50)); // anything forwarded has reached the upstream
    return { answer, upstream: [...seen] };
  }

  it.each(CASES)('%s', async (_name, bytes) => {
    const node = await run('node', bytes);
    const raw = await run('raw', bytes);
    for (const r of [node, raw]) expect(r.upstream.filter((s) => s.includes('/smuggled'))).toEqual([]);
    const nodeRefused = node.upstream.length === 0;
    if (nodeRefused) {
      expect(raw.upstream).toEqual([]);
      expect(raw.answer === '' || /^HTTP\/1\.1 (4\d\d|5\d\d) /.test(raw.answer)).toBe(true);
    }
    // The raw plane never forwards more than the node plane did.
    expect(raw.upstream.length).toBeLessThanOrEqual(node.upstream.length);
  });

  it.each(VALID)('%s', async (_name, bytes, expectedStatuses, expectedUpstream) => {
    for (const plane of ['node', 'raw'] as const) {
      const r = await run(plane, bytes);
      expect({ plane, statuses: statuses(r.answer) }).toEqual({ plane, statuses: expectedStatuses });
      // The node plane may send pipelined requests upstream concurrently; the client still gets them in order.
      expect({ plane, upstream: [...r.upstream].sort() }).toEqual({
        plane,
        upstream: [...expectedUpstream].sort(),
      });
    }
  });
});
