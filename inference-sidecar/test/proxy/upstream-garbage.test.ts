import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { eventually } from '../helpers/eventually';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

describe('an upstream that answers with something that is not HTTP', () => {
  let upstream: Server;
  let sidecar: TestSidecar;

  beforeAll(async () => {
    upstream = createServer((socket) => {
      socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    sidecar = await startTestSidecar(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await sidecar.stop();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('is answered with 502 SIDECAR_ERR_UPSTREAM_INVALID_RESPONSE and counted, the sidecar keeps serving', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await request(`${sidecar.url}/v2/models/m/infer`, { method: 'POST', body: '{}' });
      expect(res.statusCode).toBe(502);
      const body = (await res.body.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('SIDECAR_ERR_UPSTREAM_INVALID_RESPONSE');
    }
    await eventually(async () =>
      expect(await sidecar.metrics()).toMatch(
        /plumbline_sidecar_upstream_errors_total\{model="m",model_version="",reason="invalid_response"\} 2/,
      ),
    );
  });
});
