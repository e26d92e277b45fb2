import { request } from 'undici';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

// The upstream's exact bytes: odd spacing, key order and a trailing newline that re-serialisation would lose.
const V2_RESPONSE = Buffer.from(
  '{"model_name":"iris","id":"r1", "outputs":[{"name":"predict","shape":[2,1],"datatype":"INT64","data":[0, 2]}]}\n',
);

describe('responses reach the client byte for byte', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.url?.startsWith('/v2/models/iris/infer')) {
        res.writeHead(200, {
          'content-type': 'application/json',
          'x-upstream': 'yes',
          'set-cookie': ['a=1', 'b=2'],
        });
        res.end(V2_RESPONSE);
      } else if (req.url === '/bad') {
        res.writeHead(422, { 'content-type': 'application/json' });
        res.end('{"error":"shape mismatch"}');
      } else if (req.url === '/boom') {
        res.writeHead(500, 'Model Exploded', { 'content-type': 'text/plain' });
        res.end('Traceback (most recent call last): ...');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('nope');
      }
    });
    sidecar = await startTestSidecar(upstream.url);
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  it('returns the exact body, status and end-to-end headers of a 200', async () => {
    const body = JSON.stringify({
      inputs: [
        { name: 'input-0', shape: [2, 4], datatype: 'FP64', data: [5.1, 3.5, 1.4, 0.2, 6.3, 3.3, 6.0, 2.5] },
      ],
    });
    const res = await request(`${sidecar.url}/v2/models/iris/infer?trace=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-abc' },
      body,
    });
    const received = Buffer.from(await res.body.arrayBuffer());
    expect(res.statusCode).toBe(200);
    expect(received.equals(V2_RESPONSE)).toBe(true);
    expect(res.headers['x-upstream']).toBe('yes');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.headers['x-request-id']).toBe('req-abc');

    const seen = upstream.requests[upstream.requests.length - 1];
    expect(seen.url).toBe('/v2/models/iris/infer?trace=1');
    expect(seen.body.toString()).toBe(body);
    expect(seen.headers['x-request-id']).toBe('req-abc');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe(new URL(sidecar.url).host);

    const events = await sidecar.waitForEvents(2);
    expect(events.map((e) => e.event_id)).toEqual(['req-abc:0', 'req-abc:1']);
    expect(events[0]).toMatchObject({
      request_id: 'req-abc',
      row: 0,
      model: { name: 'iris', version: null },
      protocol: 'v2',
      parsed: true,
      features: { 'input-0_0': 5.1, 'input-0_1': 3.5, 'input-0_2': 1.4, 'input-0_3': 0.2 },
      outputs: { label: '0', value: null },
      http_status: 200,
      error: null,
    });
    expect(events[1].outputs.label).toBe('2');
  });

  it.each([
    ['/bad', 422, '{"error":"shape mismatch"}'],
    ['/boom', 500, 'Traceback (most recent call last): ...'],
    ['/unknown/path', 404, 'nope'],
  ])('passes the upstream %s answer through unchanged (%i)', async (path, status, text) => {
    const res = await request(`${sidecar.url}${path}`, { method: 'POST', body: '{"x":1}' });
    expect(res.statusCode).toBe(status);
    expect(await res.body.text()).toBe(text);
  });

  it('adds a request id when the client sent none, and forwards the same one', async () => {
    const res = await request(`${sidecar.url}/anything`);
    await res.body.dump();
    const id = res.headers['x-request-id'];
    expect(typeof id).toBe('string');
    expect(upstream.requests[upstream.requests.length - 1].headers['x-request-id']).toBe(id);
  });
});
