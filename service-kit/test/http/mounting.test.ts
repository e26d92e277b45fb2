// One server's routes mounted in another: handle() answers what its table has and leaves the rest untouched.
import { createHttpHandler } from '../../src';
import { call, serve } from './serve';

it('answers mounted routes with their own codes, 405 included, and passes other paths on', async () => {
  const mountedErrors: unknown[] = [];
  const retrain = createHttpHandler({
    codes: {
      notFound: 'MOUNTED_ERR_NOT_FOUND',
      methodNotAllowed: 'MOUNTED_ERR_METHOD',
      badRequest: 'MOUNTED_ERR_BAD_REQUEST',
      internal: 'MOUNTED_ERR_INTERNAL',
    },
    onError: (err) => mountedErrors.push(err),
    routes: [
      { method: 'POST', path: '/api/retrain', handle: (ctx) => ctx.send(202, { mounted: true }) },
      {
        method: 'GET',
        path: '/api/retrain/status',
        handle: () => {
          throw new Error('store down');
        },
      },
    ],
  });
  const s = await serve({
    mounted: [retrain.handle],
    routes: [{ method: 'GET', path: '/api/health', handle: (ctx) => ctx.send(200, { status: 'ok' }) }],
  });
  try {
    expect(await call(s.url, 'POST', '/api/retrain', '{}')).toMatchObject({
      status: 202,
      json: { mounted: true },
    });
    const wrong = await call(s.url, 'GET', '/api/retrain');
    expect(wrong.status).toBe(405);
    expect(wrong.json.error.code).toBe('MOUNTED_ERR_METHOD');
    const bug = await call(s.url, 'GET', '/api/retrain/status');
    expect(bug.json.error.code).toBe('MOUNTED_ERR_INTERNAL');
    expect(mountedErrors).toHaveLength(1);
    expect((await call(s.url, 'GET', '/api/health')).json).toEqual({ status: 'ok' });
    expect((await call(s.url, 'GET', '/api/nope')).json.error.code).toBe('TEST_ERR_NOT_FOUND');
    expect(s.errors).toEqual([]);
  } finally {
    await s.close();
  }
});

it('answers 500 with its own code when a mounted handler throws', async () => {
  const s = await serve({
    mounted: [
      () => {
        throw new Error('mounted bug');
      },
    ],
    routes: [],
  });
  try {
    const res = await call(s.url, 'GET', '/anything');
    expect(res.status).toBe(500);
    expect(res.json.error.code).toBe('TEST_ERR_INTERNAL');
    expect(s.errors).toHaveLength(1);
  } finally {
    await s.close();
  }
});
