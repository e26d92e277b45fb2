// 404 for a path no route has, 405 with Allow for a path that has other methods; HEAD rides on GET.
import { call, serve, type Served } from './serve';

let s: Served;
beforeAll(async () => {
  s = await serve({
    routes: [
      { method: 'GET', path: '/things', handle: (ctx) => ctx.send(200, { things: [] }) },
      { method: 'POST', path: '/things', handle: (ctx) => ctx.send(201, { created: true }) },
      { method: 'POST', path: '/run', handle: (ctx) => ctx.send(202, { ran: true }) },
      { method: 'GET', path: '/', handle: (ctx) => ctx.send(200, { root: true }) },
    ],
  });
});
afterAll(() => s.close());

it('answers 404 with the service code and the method and path', async () => {
  const res = await call(s.url, 'GET', '/nope?x=1');
  expect(res.status).toBe(404);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.json).toEqual({ error: { code: 'TEST_ERR_NOT_FOUND', message: 'no such endpoint: GET /nope' } });
});

it('answers 404 for an unknown path whatever the method, and drains its body', async () => {
  const res = await call(s.url, 'DELETE', '/nope/deeper', 'x'.repeat(100_000));
  expect(res.status).toBe(404);
  expect(res.json.error.code).toBe('TEST_ERR_NOT_FOUND');
});

it('answers 405 with Allow listing every method the path has', async () => {
  const res = await call(s.url, 'DELETE', '/things');
  expect(res.status).toBe(405);
  expect(res.headers.allow).toBe('GET, HEAD, POST');
  expect(res.json.error).toEqual({
    code: 'TEST_ERR_METHOD',
    message: 'DELETE is not allowed here; use GET, HEAD, POST',
  });
  const get = await call(s.url, 'GET', '/run');
  expect(get.status).toBe(405);
  expect(get.headers.allow).toBe('POST');
});

it('routes each method of one path to its own handler, HEAD to GET, and ignores a trailing slash', async () => {
  expect((await call(s.url, 'GET', '/things')).json).toEqual({ things: [] });
  expect((await call(s.url, 'POST', '/things/')).status).toBe(201);
  const head = await call(s.url, 'HEAD', '/things');
  expect(head.status).toBe(200);
  expect(head.text).toBe('');
  expect((await call(s.url, 'GET', '/')).json).toEqual({ root: true });
});

it('never sent anything to onError: none of these is a bug', () => {
  expect(s.errors).toEqual([]);
});
