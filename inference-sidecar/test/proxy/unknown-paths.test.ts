import { request } from 'undici';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

describe('every path and method is proxied', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;

  beforeAll(async () => {
    upstream = await startUpstream((req, res, body) => {
      res.writeHead(req.url === '/v2/health/ready' ? 200 : 404, {
        'content-type': 'text/plain',
        'x-method': req.method ?? '',
      });
      res.end(req.method === 'HEAD' ? undefined : `${req.method} ${req.url} ${body.length}`);
    });
    sidecar = await startTestSidecar(upstream.url, { model: 'iris' });
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const)(
    '%s on unknown paths',
    async (method) => {
      const res = await request(`${sidecar.url}/no/such/route%20x?q=1&r=%C3%A9`, {
        method,
        body: method === 'GET' || method === 'DELETE' || method === 'OPTIONS' ? undefined : 'plain text',
      });
      expect(res.statusCode).toBe(404);
      expect(res.headers['x-method']).toBe(method);
      const expectedLength = method === 'GET' || method === 'DELETE' || method === 'OPTIONS' ? 0 : 10;
      expect(await res.body.text()).toBe(`${method} /no/such/route%20x?q=1&r=%C3%A9 ${expectedLength}`);
    },
  );

  it('HEAD keeps its headers and has no body; health routes produce no events', async () => {
    const head = await request(`${sidecar.url}/v2/health/ready`, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(await head.body.text()).toBe('');
    const get = await request(`${sidecar.url}/v2/health/ready`);
    expect(await get.body.text()).toBe('GET /v2/health/ready 0');
    await sidecar.metricsMatching(
      /plumbline_sidecar_requests_total\{model="iris",model_version="",protocol="unknown",status="200"\} 2/,
    );
    expect((await sidecar.settled()).events).toHaveLength(0);
  });

  it('keeps an upstream path prefix', async () => {
    const prefixed = await startTestSidecar(`${upstream.url}/serving/`);
    try {
      const res = await request(`${prefixed.url}/v2/health/ready`);
      expect(await res.body.text()).toBe('GET /serving/v2/health/ready 0');
    } finally {
      await prefixed.stop();
    }
  });
});
