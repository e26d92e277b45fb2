import { createServer } from 'node:net';
import { request } from 'undici';
import { startTestSidecar } from '../helpers/sidecar';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('an upstream that refuses connections', () => {
  it('is answered with 502 SIDECAR_ERR_UPSTREAM_REFUSED, the cause in the message, and /readyz is 503', async () => {
    const port = await closedPort();
    const sidecar = await startTestSidecar(`http://127.0.0.1:${port}`);
    try {
      const res = await request(`${sidecar.url}/v1/models/m:predict`, {
        method: 'POST',
        body: '{"instances":[[1,2]]}',
      });
      expect(res.statusCode).toBe(502);
      const body = (await res.body.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('SIDECAR_ERR_UPSTREAM_REFUSED');
      expect(body.error.message).toMatch(/ECONNREFUSED/);
      expect(res.headers['x-request-id']).toEqual(expect.any(String));

      const ready = await request(`${sidecar.adminUrl}/readyz`);
      expect(ready.statusCode).toBe(503);
      expect(await ready.body.json()).toMatchObject({ status: 'not ready' });
      const health = await request(`${sidecar.adminUrl}/healthz`);
      expect(health.statusCode).toBe(200);
      await health.body.dump();

      const [event] = await sidecar.waitForEvents(1);
      expect(event).toMatchObject({ protocol: 'kserve-v1', http_status: 502, features: { f0: 1, f1: 2 } });
    } finally {
      await sidecar.stop();
    }
  });
});
