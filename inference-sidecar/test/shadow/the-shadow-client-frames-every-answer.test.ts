/**
 * The shadow's HTTP/1.1 client (src/shadow/shadow-client.ts) against a challenger that writes raw bytes: answers
 * framed by Content-Length, chunked or the connection's close, interim 1xx heads skipped, the version header read,
 * a keep-alive connection reused for the next copy, and an answer it cannot frame or a connection closed mid-answer
 * reported as an error with a code classifyUpstreamError maps (never an exception, never a second ending); an https
 * challenger over verified TLS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyUpstreamError } from '../../src/errors';
import { createShadowClient, type CopyHandler } from '../../src/shadow/shadow-client';
import { selfSignedLocalhost } from '../helpers/self-signed';

interface Outcome {
  status?: number;
  version?: string | null;
  body: string;
  ended: 'end' | 'error';
  error?: Error;
}

/** A challenger that answers each request (whatever its bytes) with the next of `answers`, written as given. */
async function rawChallenger(
  answer: (socket: Socket, requestText: string) => void,
): Promise<{ url: string; server: Server; requests: string[]; connections: () => number }> {
  const requests: string[] = [];
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      const headEnd = buffered.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(buffered)?.[1] ?? 0);
      if (buffered.length < headEnd + 4 + length) return;
      const request = buffered.slice(0, headEnd + 4 + length);
      buffered = buffered.slice(request.length);
      requests.push(request);
      answer(socket, request);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, requests, connections: () => connections };
}

/** How many times each copy of a test ended: checked after the test, exactly once each. */
const endings: number[] = [];

function copy(client: ReturnType<typeof createShadowClient>, body = '{"x":1}'): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { body: '', ended: 'end' };
    const index = endings.push(0) - 1;
    const handler: CopyHandler = {
      onHead(status, version) {
        outcome.status = status;
        outcome.version = version;
      },
      onData(chunk) {
        outcome.body += chunk.toString('utf8');
      },
      onEnd() {
        endings[index]++;
        resolve(outcome);
      },
      onError(error) {
        endings[index]++;
        outcome.ended = 'error';
        outcome.error = error;
        resolve(outcome);
      },
    };
    const head = `POST /v2/models/m/infer HTTP/1.1\r\nhost: c\r\nx-request-id: r-1\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    client.send('POST', head, Buffer.from(body), handler);
  });
}

describe('the shadow client frames every answer', () => {
  const servers: Server[] = [];
  const clients: ReturnType<typeof createShadowClient>[] = [];
  afterEach(async () => {
    // A second ending would be a bug: give it a moment to show up.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(endings.splice(0).filter((n) => n !== 1)).toEqual([]);
    clients.splice(0).forEach((c) => c.close());
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });
  async function setup(answer: (socket: Socket, request: string) => void) {
    const challenger = await rawChallenger(answer);
    servers.push(challenger.server);
    const client = createShadowClient({
      origin: challenger.url,
      versionHeader: 'x-model-version',
      keepAliveMs: 30_000,
      connectTimeoutMs: 5000,
    });
    clients.push(client);
    return { challenger, client };
  }

  it('sends the head and body as given, reads a Content-Length answer and reuses the connection', async () => {
    const { challenger, client } = await setup((socket) =>
      socket.write('HTTP/1.1 200 OK\r\nX-Model-Version: 7\r\ncontent-length: 11\r\n\r\n{"y":[1,2]}'),
    );
    expect(await copy(client)).toEqual({ status: 200, version: '7', body: '{"y":[1,2]}', ended: 'end' });
    expect(await copy(client, '{"x":2}')).toMatchObject({ status: 200, body: '{"y":[1,2]}', ended: 'end' });
    expect(challenger.requests[0]).toBe(
      'POST /v2/models/m/infer HTTP/1.1\r\nhost: c\r\nx-request-id: r-1\r\ncontent-length: 7\r\n\r\n{"x":1}',
    );
    expect(challenger.requests).toHaveLength(2);
    expect(challenger.connections()).toBe(1);
  });

  it('de-chunks a chunked answer written in pieces, after an interim 100 Continue', async () => {
    const { client } = await setup((socket) => {
      socket.write(
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\n{"y"',
      );
      setTimeout(() => socket.write('\r\n3;ext=1\r\n:1'), 5);
      setTimeout(() => socket.write('}\r\n0\r\n\r\n'), 10);
    });
    const outcome = await copy(client);
    expect(outcome).toMatchObject({ status: 200, version: null, ended: 'end' });
    expect(outcome.body).toBe('{"y":1}');
  });

  it('reads a close-delimited answer to the connection’s end, and opens a new connection for the next copy', async () => {
    const { challenger, client } = await setup((socket) => {
      socket.end('HTTP/1.1 500 Internal Server Error\r\n\r\n{"error":"broke"}');
    });
    expect(await copy(client)).toEqual({
      status: 500,
      version: null,
      body: '{"error":"broke"}',
      ended: 'end',
    });
    expect(await copy(client)).toMatchObject({ status: 500, ended: 'end' });
    expect(challenger.connections()).toBe(2);
  });

  it('an answer it cannot frame is an invalid response; a connection closed mid-answer is a reset', async () => {
    const { client } = await setup((socket, request) => {
      if (request.includes('"bad"')) socket.write('HTTP/1.1 2OO OK\r\n\r\n');
      else socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"y":');
    });
    const bad = await copy(client, '"bad"');
    expect(bad.ended).toBe('error');
    expect(classifyUpstreamError(bad.error).code).toBe('SIDECAR_ERR_UPSTREAM_INVALID_RESPONSE');
    const cut = await copy(client, '"cut"');
    expect(cut).toMatchObject({ status: 200, ended: 'error' });
    expect(classifyUpstreamError(cut.error).code).toBe('SIDECAR_ERR_UPSTREAM_RESET');
  });

  it('no challenger listening: refused', async () => {
    const { challenger, client } = await setup(() => undefined);
    await new Promise((resolve) => challenger.server.close(resolve));
    servers.splice(0);
    const outcome = await copy(client);
    expect(outcome.ended).toBe('error');
    expect(classifyUpstreamError(outcome.error).code).toBe('SIDECAR_ERR_UPSTREAM_REFUSED');
  });
});

describe('the shadow client to an https challenger', () => {
  let dir: string;
  let tls: { key: Buffer; cert: Buffer };
  let server: HttpsServer;
  let port: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shadow-client-tls-'));
    tls = selfSignedLocalhost(dir);
    server = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      req.resume();
      req.on('end', () => res.end(`{"tls":"${req.method} ${req.url}"}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('speaks TLS, verified against the given CA, and refuses a certificate it cannot verify', async () => {
    const trusted = createShadowClient({
      origin: `https://localhost:${port}`,
      versionHeader: 'x-model-version',
      keepAliveMs: 1000,
      connectTimeoutMs: 5000,
      tls: { ca: tls.cert },
    });
    expect(await copy(trusted)).toMatchObject({
      status: 200,
      body: '{"tls":"POST /v2/models/m/infer"}',
      ended: 'end',
    });
    trusted.close();
    const untrusted = createShadowClient({
      origin: `https://localhost:${port}`,
      versionHeader: 'x-model-version',
      keepAliveMs: 1000,
      connectTimeoutMs: 5000,
    });
    const outcome = await copy(untrusted);
    untrusted.close();
    expect(outcome.ended).toBe('error');
    expect(outcome.error?.message).toMatch(/self[- ]signed/i);
  });
});

describe('the shadow client gives up on a connection that does not open', () => {
  it('a challenger that accepts but never completes the TLS handshake: a timeout after connectTimeoutMs', async () => {
    const silent = await rawChallenger(() => undefined);
    const client = createShadowClient({
      origin: silent.url.replace('http:', 'https:'),
      versionHeader: 'x-model-version',
      keepAliveMs: 1000,
      connectTimeoutMs: 200,
    });
    const started = Date.now();
    const outcome = await copy(client);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(outcome.ended).toBe('error');
    expect(classifyUpstreamError(outcome.error).code).toBe('SIDECAR_ERR_UPSTREAM_TIMEOUT');
    client.close();
    await new Promise((resolve) => silent.server.close(resolve));
  });
});

describe('the shadow client keeps a connection no longer than the challenger says', () => {
  it('Keep-Alive: timeout=1 — the connection is not reused (a 2 s margin leaves nothing); timeout=5 — it is', async () => {
    let timeout = 1;
    const challenger = await rawChallenger((socket) =>
      socket.write(`HTTP/1.1 200 OK\r\nKeep-Alive: timeout=${timeout}\r\ncontent-length: 2\r\n\r\n{}`),
    );
    const client = createShadowClient({
      origin: challenger.url,
      versionHeader: 'x-model-version',
      keepAliveMs: 30_000,
      connectTimeoutMs: 5000,
    });
    await copy(client);
    await copy(client);
    expect(challenger.connections()).toBe(2);
    timeout = 5;
    await copy(client);
    await copy(client);
    expect(challenger.connections()).toBe(3);
    client.close();
    await new Promise((resolve) => challenger.server.close(resolve));
  });
});
