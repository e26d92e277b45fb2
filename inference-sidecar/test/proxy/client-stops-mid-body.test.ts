import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { request } from 'undici';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

/**
 * Regression (raw plane): a client that sent its last byte (FIN) half-way through a request body kept its
 * connection, and the upstream request it had started, open until stop() cut them after the grace period — the
 * "client-abort afterAll hang". A request that can never complete is now cut at once, on both planes.
 */
describe('a client that stops half-way through a request', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;
  /** Upstream requests that closed before their body was complete, by x-request-id. */
  const abortedUpstream = new Map<string, () => void>();

  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => res.end('fine'));
    upstream.server.on('request', (req: IncomingMessage) => {
      req.on('close', () => {
        if (!req.complete) abortedUpstream.get(String(req.headers['x-request-id']))?.();
      });
    });
    sidecar = await startTestSidecar(upstream.url);
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  function upstreamAborted(requestId: string): Promise<void> {
    return new Promise((resolve) => abortedUpstream.set(requestId, resolve));
  }

  /** Sends `bytes`, then `leave`s (end: FIN and keep reading; destroy: gone); resolves when the socket closed. */
  function sendAndLeave(bytes: string, leave: (socket: Socket) => void): Promise<string> {
    const { hostname, port } = new URL(sidecar.url);
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const socket = connect(Number(port), hostname, () => {
        socket.write(bytes);
        setTimeout(() => leave(socket), 50);
      });
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
      socket.on('error', () => undefined);
    });
  }

  const halfBody = (id: string): string =>
    `POST /v2/models/m/infer HTTP/1.1\r\nhost: x\r\nx-request-id: ${id}\r\ncontent-length: 100000\r\n\r\n{"inputs":[`;

  it('a half-close (FIN) mid-body: the sidecar closes the connection and aborts the upstream request', async () => {
    const aborted = upstreamAborted('fin-mid-body');
    // Resolves only when the sidecar closes its side: before the fix this waited for stop().
    const answer = await sendAndLeave(halfBody('fin-mid-body'), (s) => s.end());
    // Node's parser at end of input: 400, nothing of the upstream's answer.
    expect(answer).toMatch(/^HTTP\/1\.1 400 [^]*connection: close/i);
    await aborted;
    await sidecar.metricsMatching(/plumbline_sidecar_requests_total\{[^}]*status="499"/);
  });

  it('a client that destroys its socket mid-body: the upstream request is aborted', async () => {
    const aborted = upstreamAborted('gone-mid-body');
    await sendAndLeave(halfBody('gone-mid-body'), (s) => s.destroy());
    await aborted;
  });

  it('a half-close in the middle of a head: the connection is closed, nothing goes upstream', async () => {
    const before = upstream.requests.length;
    const answer = await sendAndLeave('GET /v2/models/m HTTP/1.1\r\nhost: x\r\nx-par', (s) => s.end());
    expect(answer).toMatch(/^HTTP\/1\.1 400 [^]*connection: close/i);
    const ok = await request(`${sidecar.url}/after`);
    expect(await ok.body.text()).toBe('fine');
    expect(upstream.requests.map((r) => r.url).slice(before)).toEqual(['/after']);
  });

  it('a half-close after a complete request: the answer comes, then the connection ends', async () => {
    const answer = await sendAndLeave(
      'POST /v2/models/m/infer HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}',
      (s) => s.end(),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\nfine$/);
  });
});
