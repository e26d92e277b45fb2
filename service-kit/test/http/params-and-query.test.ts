// `:name` parameters are whole segments, percent-decoded; a malformed one is the client's 400, not a 500.
import { request } from 'node:http';
import { call, serve, type Served } from './serve';

let s: Served;
beforeAll(async () => {
  s = await serve({
    routes: [
      {
        method: 'GET',
        path: '/api/models/:model/drift',
        handle: (ctx) => ctx.send(200, { params: ctx.params, limit: ctx.query.get('limit'), path: ctx.path }),
      },
      {
        method: 'GET',
        path: '/v2/models/:name/versions/:version',
        handle: (ctx) => ctx.send(200, ctx.params),
      },
    ],
  });
});
afterAll(() => s.close());

it('passes decoded parameters, the query and the path', async () => {
  const res = await call(s.url, 'GET', '/api/models/fraud%2Fv2%20eu/drift?limit=5');
  expect(res.status).toBe(200);
  expect(res.json).toEqual({
    params: { model: 'fraud/v2 eu' },
    limit: '5',
    path: '/api/models/fraud%2Fv2%20eu/drift',
  });
  expect((await call(s.url, 'GET', '/v2/models/iris/versions/3')).json).toEqual({
    name: 'iris',
    version: '3',
  });
});

it('matches a parameter against one non-empty segment only', async () => {
  expect((await call(s.url, 'GET', '/api/models//drift')).status).toBe(404);
  expect((await call(s.url, 'GET', '/api/models/a/b/drift')).status).toBe(404);
  expect((await call(s.url, 'GET', '/api/models/a/histograms')).status).toBe(404);
});

it('answers a parameter that is not valid percent-encoding with 400 and the bad-request code', async () => {
  const res = await call(s.url, 'GET', '/api/models/%E0%A4%A/drift');
  expect(res.status).toBe(400);
  expect(res.json.error.code).toBe('TEST_ERR_BAD_REQUEST');
  expect(res.json.error.message).toMatch(/not valid percent-encoding/);
  expect(s.errors).toEqual([]);
});

it('routes an absolute-form request target on its path', async () => {
  const { port } = new URL(s.url);
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: 'http://models.example/v2/models/iris/versions/1?x=1' },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
  expect(status).toBe(200);
});
