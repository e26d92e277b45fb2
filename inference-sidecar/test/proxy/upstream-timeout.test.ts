import { request } from 'undici';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

describe('a slow upstream is answered with 504 and a JSON error', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;
  const pending: (() => void)[] = [];

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.url === '/slow-body') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"predictions": [');
        pending.push(() => res.end('1]}'));
        return;
      }
      pending.push(() => res.end('late')); // never in time
    });
    sidecar = await startTestSidecar(upstream.url, {
      timeouts: { connectMs: 1000, headersMs: 150, bodyMs: 150 },
    });
  });
  afterAll(async () => {
    pending.forEach((f) => f());
    await sidecar.stop();
    await upstream.close();
  });

  it('waits headersMs for the response headers, then answers 504 SIDECAR_ERR_UPSTREAM_TIMEOUT', async () => {
    const res = await request(`${sidecar.url}/v2/models/m/infer`, {
      method: 'POST',
      headers: { 'x-request-id': 'slow-1' },
      body: JSON.stringify({ inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }] }),
    });
    expect(res.statusCode).toBe(504);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const body = (await res.body.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('SIDECAR_ERR_UPSTREAM_TIMEOUT');
    expect(body.error.message).toMatch(/did not answer in time/);

    // The request is not lost: an event records the features and the failure.
    const [event] = await sidecar.waitForEvents(1);
    expect(event).toMatchObject({ request_id: 'slow-1', http_status: 504, parsed: true, features: { x: 1 } });
    expect(event.error).toMatch(/^SIDECAR_ERR_UPSTREAM_TIMEOUT/);
    const metrics = await sidecar.metrics();
    expect(metrics).toMatch(
      /plumbline_sidecar_upstream_errors_total\{model="m",model_version="",reason="timeout"\} 1/,
    );
    expect(metrics).toMatch(
      /plumbline_sidecar_requests_total\{model="m",model_version="",protocol="v2",status="504"\} 1/,
    );
  });

  it('cuts a response whose body stalls longer than bodyMs short (headers were already sent)', async () => {
    const res = await request(`${sidecar.url}/slow-body`);
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    // and keeps serving
    const again = await request(`${sidecar.url}/slow-body`, { headersTimeout: 1000 });
    expect(again.statusCode).toBe(200);
    await again.body.text().catch(() => undefined);
  });
});
