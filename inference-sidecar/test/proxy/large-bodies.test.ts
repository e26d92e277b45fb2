import { createHash } from 'node:crypto';
import { request } from 'undici';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

const TEN_MB = 10 * 1024 * 1024;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('10 MB bodies', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;
  const big = Buffer.alloc(TEN_MB);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;

  beforeAll(async () => {
    upstream = await startUpstream((_req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-request-sha': sha(body) });
      res.end(big);
    });
    // A 1 MiB capture cap: the 10 MB bodies are proxied whole but not kept for capture.
    sidecar = await startTestSidecar(upstream.url, { captureMaxBytes: 1024 * 1024 });
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  it('are proxied whole in both directions and become one unparsed event', async () => {
    const res = await request(`${sidecar.url}/v2/models/big/infer`, {
      method: 'POST',
      headers: { 'content-length': String(TEN_MB), 'x-request-id': 'big-1' },
      body: big,
    });
    const received = Buffer.from(await res.body.arrayBuffer());
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-sha']).toBe(sha(big));
    expect(received.length).toBe(TEN_MB);
    expect(sha(received)).toBe(sha(big));

    const [event] = await sidecar.waitForEvents(1);
    expect(event).toMatchObject({ request_id: 'big-1', parsed: false, http_status: 200 });
    expect(event.error).toMatch(/over the capture cap \(1048576 bytes\)/);
    const metrics = await sidecar.metrics();
    expect(metrics).toMatch(
      /plumbline_sidecar_payload_bytes_bucket\{le="16777216",model="big",model_version="",direction="request"\} 1/,
    );
    expect(metrics).toMatch(
      /plumbline_sidecar_payload_bytes_bucket\{le="4194304",model="big",model_version="",direction="response"\} 0/,
    );
  });
});
