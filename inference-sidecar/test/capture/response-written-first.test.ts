import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import type { Exchange } from '../../src/capture/exchange';
import { createProxyHandler } from '../../src/proxy/proxy';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

describe('the proxy hands an exchange to capture only after the response is written', () => {
  let upstream: TestUpstream;
  let server: Server;
  let pool: Pool;
  const seen: { exchange: Exchange; responseEnded: boolean }[] = [];

  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => res.end('{"predictions":[1]}'));
    pool = new Pool(upstream.url);
    let current: { writableEnded: boolean } | undefined;
    const handler = createProxyHandler(
      {
        origin: upstream.url,
        basePath: '',
        requestIdHeader: 'x-request-id',
        versionHeader: 'x-model-version',
        captureMaxBytes: 1024,
        headersTimeoutMs: 1000,
        bodyTimeoutMs: 1000,
        onExchange: (exchange) => seen.push({ exchange, responseEnded: current?.writableEnded ?? false }),
        onUpstreamError: () => undefined,
      },
      pool,
    );
    server = createServer((req, res) => {
      current = res;
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await pool.close();
    await upstream.close();
  });

  it('res.end() was called before onExchange, and the exchange carries bodies and timings', async () => {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        { port, host: '127.0.0.1', method: 'POST', path: '/v1/models/m:predict?x=1' },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end('{"instances":[[1]]}');
    });
    expect(seen).toHaveLength(1);
    const { exchange, responseEnded } = seen[0];
    expect(responseEnded).toBe(true);
    expect(exchange).toMatchObject({
      method: 'POST',
      path: '/v1/models/m:predict',
      status: 200,
      requestBytes: 19,
      responseBytes: 19,
    });
    expect(exchange.requestBody?.toString()).toBe('{"instances":[[1]]}');
    expect(exchange.responseBody?.toString()).toBe('{"predictions":[1]}');
    expect(exchange.totalMs).toBeGreaterThanOrEqual(exchange.upstreamMs);
    expect(exchange.upstreamMs).toBeGreaterThan(0);
  });
});
