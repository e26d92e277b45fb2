import { Readable } from 'node:stream';
import { request } from 'undici';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

const RESPONSE_PARTS = ['{"predictions":', ' [0.5,', ' 1.5,', ' 2.5]}'];

describe('chunked bodies (no content-length) in both directions', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // no content-length: chunked
      let i = 0;
      const next = (): void => {
        if (i === RESPONSE_PARTS.length) {
          res.end();
          return;
        }
        res.write(RESPONSE_PARTS[i++]);
        setImmediate(next);
      };
      next();
    });
    sidecar = await startTestSidecar(upstream.url);
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  it('streams a chunked request up and a chunked response down unchanged, and captures both', async () => {
    const parts = ['{"instances": [[1, 2],', ' [3, 4],', ' [5, 6]]}'];
    const res = await request(`${sidecar.url}/v1/models/reg:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'chunky' },
      body: Readable.from(parts.map((p) => Buffer.from(p))),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(await res.body.text()).toBe(RESPONSE_PARTS.join(''));
    expect(upstream.requests[0].body.toString()).toBe(parts.join(''));
    expect(upstream.requests[0].headers['transfer-encoding']).toBe('chunked');

    const events = await sidecar.waitForEvents(3);
    expect(events.map((e) => [e.features, e.outputs.value])).toEqual([
      [{ f0: 1, f1: 2 }, 0.5],
      [{ f0: 3, f1: 4 }, 1.5],
      [{ f0: 5, f1: 6 }, 2.5],
    ]);
  });
});
