import { request } from 'undici';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { eventually } from '../helpers/eventually';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

describe('an upstream that resets the connection', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.url === '/reset-before-headers') {
        req.socket.destroy();
      } else if (req.url === '/reset-mid-body') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"predictions":[');
        setImmediate(() => req.socket.destroy());
      } else {
        res.end('ok');
      }
    });
    sidecar = await startTestSidecar(upstream.url);
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  it('before the headers: 502 SIDECAR_ERR_UPSTREAM_RESET', async () => {
    const res = await request(`${sidecar.url}/reset-before-headers`, { method: 'POST', body: '{}' });
    expect(res.statusCode).toBe(502);
    expect(((await res.body.json()) as { error: { code: string } }).error.code).toBe(
      'SIDECAR_ERR_UPSTREAM_RESET',
    );
  });

  it('mid-body: the client sees a cut response (never a made-up complete one), the sidecar keeps serving', async () => {
    const res = await request(`${sidecar.url}/reset-mid-body`);
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    const ok = await request(`${sidecar.url}/fine`);
    expect(await ok.body.text()).toBe('ok');
    // before the headers (previous test) and mid-body: both counted as resets
    await eventually(async () =>
      expect(await sidecar.metrics()).toMatch(
        /plumbline_sidecar_upstream_errors_total\{model="default",model_version="",reason="reset"\} 2/,
      ),
    );
  });
});
