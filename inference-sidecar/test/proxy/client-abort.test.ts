import { connect } from 'node:net';
import { request } from 'undici';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { eventually } from '../helpers/eventually';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

describe('a client that goes away mid-request', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;
  let upstreamSawClose: Promise<void>;

  beforeAll(async () => {
    let sawClose!: () => void;
    upstreamSawClose = new Promise((resolve) => (sawClose = resolve));
    upstream = await startUpstream((req, res) => {
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024, 1)), 5);
        res.on('close', () => {
          clearInterval(timer);
          sawClose();
        });
        return;
      }
      res.end('fine');
    });
    sidecar = await startTestSidecar(upstream.url);
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  it('aborting during a streamed response aborts the upstream request and records status 499', async () => {
    const controller = new AbortController();
    const res = await request(`${sidecar.url}/stream`, {
      signal: controller.signal,
      headers: { 'x-request-id': 'gone-1' },
    });
    expect(res.statusCode).toBe(200);
    for await (const chunk of res.body) {
      void chunk;
      controller.abort();
      break;
    }
    await upstreamSawClose; // the sidecar released the upstream request
    await eventually(async () => expect(await sidecar.metrics()).toMatch(/status="499"/));
    // Regression: the sidecar's own abort of the upstream request was once counted and logged as an upstream
    // failure (SIDECAR_ERR_UPSTREAM_UNAVAILABLE); a client that leaves is not the model server's fault.
    expect(await sidecar.metrics()).not.toMatch(/plumbline_sidecar_upstream_errors_total\{/);
    const ok = await request(`${sidecar.url}/after`);
    expect(await ok.body.text()).toBe('fine');
  });

  it('a half-sent request body (client closes the socket) does not crash the sidecar', async () => {
    const url = new URL(sidecar.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          'POST /v2/models/m/infer HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\n{"inputs":[',
        );
        setTimeout(() => socket.destroy(), 20);
      });
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
    });
    const ok = await request(`${sidecar.url}/after`);
    expect(await ok.body.text()).toBe('fine');
  });
});
