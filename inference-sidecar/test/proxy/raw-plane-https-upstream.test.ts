/**
 * The raw data plane in front of an `https:` model server: its upstream connections are TLS, verified (the node
 * plane's undici does the same). Before, the raw plane spoke plain HTTP to port 80 whatever the scheme. A raw-plane
 * test: the node plane has no option for a test CA (it trusts Node's CAs and NODE_EXTRA_CA_CERTS), so this attaches
 * the raw plane to a server directly, with the test certificate as its `tls.ca`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import type { Exchange } from '../../src/capture/exchange';
import type { RawPlane, RawPlaneOptions } from '../../src/proxy/raw/raw-plane';
import { startRawPlane } from '../helpers/raw-plane';
import { selfSignedLocalhost } from '../helpers/self-signed';

describe('the raw plane in front of an https model server', () => {
  let dir: string;
  let tls: { key: Buffer; cert: Buffer };
  let cert: Buffer;
  let upstream: HttpsServer;
  let origin: string;
  const open: Array<{ server: Server; plane: RawPlane }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'raw-plane-tls-'));
    tls = selfSignedLocalhost(dir);
    cert = tls.cert;
    upstream = createHttpsServer({ key: tls.key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.end(`tls ${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    origin = `https://localhost:${(upstream.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const { server, plane } of open) {
      await plane.close(0);
      server.close();
    }
    await new Promise((resolve) => upstream.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function startPlane(
    tls: RawPlaneOptions['tls'],
  ): Promise<{ url: string; exchanges: Exchange[]; errors: string[] }> {
    const exchanges: Exchange[] = [];
    const errors: string[] = [];
    const { server, plane, url } = await startRawPlane(origin, {
      onExchange: (ex) => exchanges.push(ex),
      onUpstreamError: (_reason, err) => errors.push(err.code),
      connections: 4,
      tls,
    });
    open.push({ server, plane });
    return { url, exchanges, errors };
  }

  it('speaks TLS to the upstream and passes the answer through, twice on one kept-alive connection', async () => {
    const { url, exchanges } = await startPlane({ ca: cert });
    for (const body of ['{"a":1}', '{"a":2}']) {
      const res = await request(`${url}/v2/models/m/infer`, { method: 'POST', body });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe(`tls POST /v2/models/m/infer ${body}`);
    }
    expect(exchanges.map((e) => e.status)).toEqual([200, 200]);
  });

  it('an upstream certificate it cannot verify: 503 unavailable (as undici reports it), nothing sent', async () => {
    const { url, errors } = await startPlane(undefined);
    const res = await request(`${url}/v2/models/m/infer`, { method: 'POST', body: '{}' });
    expect(res.statusCode).toBe(503);
    expect(await res.body.json()).toMatchObject({ error: { code: 'SIDECAR_ERR_UPSTREAM_UNAVAILABLE' } });
    expect(errors).toEqual(['SIDECAR_ERR_UPSTREAM_UNAVAILABLE']);
  });
});
