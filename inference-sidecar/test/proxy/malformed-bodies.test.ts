import { request } from 'undici';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString());
    return true;
  } catch {
    return false;
  }
}

describe('malformed JSON and wrong content types', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;

  beforeAll(async () => {
    upstream = await startUpstream((req, res, body) => {
      if (req.url === '/v2/models/m/infer' && isJson(body)) {
        res.writeHead(200, { 'content-type': 'text/html' }); // a wrong content type for a good body
        res.end('{"outputs":[{"name":"y","shape":[1],"datatype":"INT64","data":[1]}]}');
        return;
      }
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(`{"error":"bad body of ${body.length} bytes"}`);
    });
    sidecar = await startTestSidecar(upstream.url);
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  it('passes the upstream 400 for malformed JSON through and records an unparsed event', async () => {
    const res = await request(`${sidecar.url}/v2/models/m/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'broken' },
      body: '{"inputs": [ {"name": "x", ',
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.text()).toBe('{"error":"bad body of 27 bytes"}');
    const [event] = await sidecar.waitForEvents(1);
    expect(event).toMatchObject({
      event_id: 'broken:0',
      parsed: false,
      protocol: 'v2',
      http_status: 400,
      features: {},
    });
    expect(event.error).toMatch(/^upstream returned 400/);
    expect(await sidecar.metrics()).toMatch(
      /plumbline_sidecar_unparsed_bodies_total\{model="m",model_version="",protocol="v2",direction="request"\} 1/,
    );
  });

  it('reads JSON whatever the content types say (text/plain request, text/html response)', async () => {
    const before = (await sidecar.events()).length;
    const res = await request(`${sidecar.url}/v2/models/m/infer`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[4.5]}]}',
    });
    expect(res.headers['content-type']).toBe('text/html');
    expect(await res.body.text()).toBe(
      '{"outputs":[{"name":"y","shape":[1],"datatype":"INT64","data":[1]}]}',
    );
    const events = await sidecar.waitForEvents(before + 1);
    expect(events[before]).toMatchObject({ parsed: true, features: { x: 4.5 }, outputs: { label: '1' } });
  });

  it('proxies binary garbage to an inference route unchanged', async () => {
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22, 0x80]);
    const res = await request(`${sidecar.url}/v1/models/m:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: garbage,
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.text()).toBe('{"error":"bad body of 6 bytes"}');
    expect(upstream.requests[upstream.requests.length - 1].body.equals(garbage)).toBe(true);
  });
});
