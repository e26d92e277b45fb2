/**
 * The raw plane sends the upstream's response head on as the upstream's own bytes (src/proxy/raw/raw-plane.ts,
 * responseHead), no longer rebuilt through a header object: header lines keep their case, order, duplicates in
 * place and spacing; only hop-by-hop lines are left out — now also those named by a second Connection header
 * (before, two Connection headers made the rebuilt head forward the headers they named) — and the status line
 * carries the client's HTTP version. What the sidecar adds is unchanged: the request id when the upstream sent
 * none, and the connection header the client's connection needs.
 */
import type { RawPlane } from '../../src/proxy/raw/raw-plane';
import { startRawPlane } from '../helpers/raw-plane';
import { readUntilClose, startRawUpstream, type RawUpstream } from '../helpers/raw-socket';

/** The upstream's answers by request path, byte for byte. */
const ANSWERS: Record<string, string> = {
  '/lines': [
    'HTTP/1.1 200 OK',
    'Content-Type: application/json',
    'Set-Cookie: a=1',
    'X-Between:  spaced value ',
    'Set-Cookie: b=2',
    'Connection: X-Hop-One',
    'X-Hop-One: drop',
    'Connection: X-Hop-Two',
    'X-Hop-Two: drop',
    'Keep-Alive: timeout=5',
    'X-Request-Id: up-1',
    'Content-Length: 2',
    '',
    'ok',
  ].join('\r\n'),
  '/no-reason': ['HTTP/1.1 404 ', 'X-Model-Version: 7', 'Content-Length: 0', '', ''].join('\r\n'),
};

/** Sends `request`, reads until the sidecar closes the connection. */
async function rawExchange(port: number, request: string): Promise<string> {
  return (await readUntilClose(port, request)).toString('latin1');
}

describe('the raw plane passes response head lines through as the upstream sent them', () => {
  let upstream: RawUpstream;
  let plane: RawPlane;
  let port: number;
  const versions: (string | null)[] = [];

  beforeAll(async () => {
    upstream = await startRawUpstream((target, socket) =>
      socket.write(ANSWERS[target] ?? 'HTTP/1.1 500 Unexpected\r\ncontent-length: 0\r\n\r\n'),
    );
    ({ plane, port } = await startRawPlane(upstream.url, {
      onExchange: (ex) => versions.push(ex.headerVersion),
    }));
  });
  afterAll(async () => {
    await plane.close(100);
    await upstream.close();
  });

  it('keeps case, order, duplicates and spacing; drops what any Connection header names', async () => {
    const response = await rawExchange(port, 'GET /lines HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(response).toBe(
      [
        'HTTP/1.1 200 OK',
        'Content-Type: application/json',
        'Set-Cookie: a=1',
        'X-Between:  spaced value ',
        'Set-Cookie: b=2',
        'X-Request-Id: up-1',
        'Content-Length: 2',
        'connection: close',
        '',
        'ok',
      ].join('\r\n'),
    );
  });

  it("answers in the client's HTTP version, an empty reason phrase as Unknown, adding the request id", async () => {
    versions.length = 0;
    const response = await rawExchange(port, 'GET /no-reason HTTP/1.0\r\nX-Request-Id: cli-2\r\n\r\n');
    expect(response).toBe(
      [
        'HTTP/1.0 404 Unknown',
        'X-Model-Version: 7',
        'Content-Length: 0',
        'x-request-id: cli-2',
        'connection: close',
        '',
        '',
      ].join('\r\n'),
    );
    expect(versions).toEqual(['7']);
  });
});
