// A 500 never carries the error's message: the client gets the internal code and a generic message, onError the
// error. HttpErrors are answered as they are, with their headers; a custom error body replaces the shape.
import { HttpError, INTERNAL_ERROR_MESSAGE } from '../../src';
import { call, CODES, serve, type Served } from './serve';

let s: Served;
beforeAll(async () => {
  s = await serve({
    jsonHeaders: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    routes: [
      {
        method: 'GET',
        path: '/bug',
        handle: () => {
          throw new Error('password=hunter2 at /srv/secret/config.yaml');
        },
      },
      {
        method: 'GET',
        path: '/async-bug',
        handle: async () => {
          await Promise.resolve();
          throw new TypeError("Cannot read properties of undefined (reading 'x')");
        },
      },
      {
        method: 'GET',
        path: '/coded-500',
        handle: () => {
          throw new HttpError(500, 'TEST_ERR_INFERENCE', 'inference failed', {
            cause: new Error('onnx: bad'),
          });
        },
      },
      {
        method: 'GET',
        path: '/busy',
        handle: () => {
          throw new HttpError(429, 'TEST_ERR_BUSY', 'try again in 5s', { headers: { 'retry-after': '5' } });
        },
      },
      {
        method: 'GET',
        path: '/half-written',
        handle: (ctx) => {
          ctx.res.writeHead(200, { 'content-type': 'text/plain' });
          ctx.res.write('partial');
          throw new Error('broke mid-body');
        },
      },
    ],
  });
});
afterAll(() => s.close());
beforeEach(() => (s.errors.length = 0));

it('answers a thrown error with 500, the internal code and a generic message, and hands it to onError', async () => {
  for (const path of ['/bug', '/async-bug']) {
    const res = await call(s.url, 'GET', path);
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ error: { code: CODES.internal, message: INTERNAL_ERROR_MESSAGE } });
    expect(res.text).not.toMatch(/hunter2|secret|Cannot read/);
    expect(res.headers['cache-control']).toBe('no-store');
  }
  expect(s.errors.map((e) => (e as Error).message)).toEqual([
    'password=hunter2 at /srv/secret/config.yaml',
    "Cannot read properties of undefined (reading 'x')",
  ]);
});

it('answers a 500 HttpError with its own code and message, and still hands it to onError', async () => {
  const res = await call(s.url, 'GET', '/coded-500');
  expect(res.status).toBe(500);
  expect(res.json).toEqual({ error: { code: 'TEST_ERR_INFERENCE', message: 'inference failed' } });
  expect(s.errors).toHaveLength(1);
  expect(((s.errors[0] as Error).cause as Error).message).toBe('onnx: bad');
});

it('answers other HttpErrors as they are, with their headers, and does not call onError', async () => {
  const res = await call(s.url, 'GET', '/busy');
  expect(res.status).toBe(429);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.json).toEqual({ error: { code: 'TEST_ERR_BUSY', message: 'try again in 5s' } });
  expect(s.errors).toEqual([]);
});

it('cuts a response whose headers were already sent instead of appending an error to it', async () => {
  await expect(call(s.url, 'GET', '/half-written')).rejects.toThrow();
  expect(s.errors).toHaveLength(1);
});

it('takes the service error body (the Open Inference Protocol answers { error: message })', async () => {
  const oip = await serve({
    errorBody: ({ message }) => ({ error: message }),
    routes: [
      {
        method: 'GET',
        path: '/x',
        handle: () => {
          throw new Error('secret');
        },
      },
    ],
  });
  try {
    expect((await call(oip.url, 'GET', '/y')).json).toEqual({ error: 'no such endpoint: GET /y' });
    expect((await call(oip.url, 'GET', '/x')).json).toEqual({ error: INTERNAL_ERROR_MESSAGE });
  } finally {
    await oip.close();
  }
});
