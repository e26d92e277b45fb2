// Bodies: read up to maxBodyBytes, 413 with the service's code beyond it (declared or streamed), 400 for bad JSON.
import { call, CODES, serve, type Served } from './serve';

let s: Served;
const seen: unknown[] = [];
beforeAll(async () => {
  s = await serve({
    maxBodyBytes: 1000,
    routes: [
      {
        method: 'POST',
        path: '/json',
        handle: async (ctx) => {
          const value = await ctx.readJson();
          seen.push(value);
          ctx.send(200, { value });
        },
      },
      {
        method: 'POST',
        path: '/lenient',
        handle: async (ctx) =>
          ctx.send(200, {
            value: await ctx.readJson({
              empty: {},
              parse: (text) => JSON.parse(text.replace(/NaN/g, 'null')),
              invalidMessage: (detail) => `(root): not JSON: ${detail}`,
            }),
          }),
      },
      {
        method: 'POST',
        path: '/raw',
        handle: async (ctx) => ctx.send(200, { bytes: (await ctx.readBody()).length }),
      },
    ],
  });
});
afterAll(() => s.close());
beforeEach(() => (seen.length = 0));

it('reads a body up to the limit, with or without a content-length', async () => {
  expect((await call(s.url, 'POST', '/raw', 'x'.repeat(1000))).json).toEqual({ bytes: 1000 });
  expect((await call(s.url, 'POST', '/raw', ['x'.repeat(500), 'y'.repeat(500)])).json).toEqual({
    bytes: 1000,
  });
  expect((await call(s.url, 'POST', '/json', '{"a":[1,2]}')).json).toEqual({ value: { a: [1, 2] } });
});

it('reads a declared content-length over the limit to its end, answers 413, and keeps the connection', async () => {
  const res = await call(s.url, 'POST', '/json', `{"a":"${'x'.repeat(2000)}"}`);
  expect(res.status).toBe(413);
  expect(res.headers.connection).not.toBe('close');
  expect(res.json.error).toEqual({ code: CODES.tooLarge, message: 'the request body is over 1000 bytes' });
  expect(seen).toEqual([]);
});

it('answers a declared content-length over maxDrainBytes with 413 at once, and closes the connection', async () => {
  const small = await serve({
    maxBodyBytes: 10,
    maxDrainBytes: 100,
    routes: [{ method: 'POST', path: '/', handle: async (ctx) => ctx.send(200, await ctx.readJson()) }],
  });
  try {
    const res = await call(small.url, 'POST', '/', `{"a":"${'x'.repeat(200)}"}`);
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(res.json.error.code).toBe(CODES.tooLarge);
  } finally {
    await small.close();
  }
});

it('reads a streamed body over the limit to its end, answers 413, and keeps the connection', async () => {
  const res = await call(
    s.url,
    'POST',
    '/raw',
    Array.from({ length: 20 }, () => 'z'.repeat(512)),
  );
  expect(res.status).toBe(413);
  expect(res.headers.connection).not.toBe('close');
  expect(res.json.error.code).toBe(CODES.tooLarge);
});

it('uses the bad-request code for 413 when the service has no too-large code', async () => {
  const plain = await serve({
    codes: { ...CODES, tooLarge: undefined },
    maxBodyBytes: 10,
    routes: [{ method: 'POST', path: '/', handle: async (ctx) => ctx.send(200, await ctx.readJson()) }],
  });
  try {
    const res = await call(plain.url, 'POST', '/', '{"abcdefghijk": 1}');
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe(CODES.badRequest);
  } finally {
    await plain.close();
  }
});

it('answers a body that is not JSON with 400, the bad-request code and the parser message', async () => {
  const res = await call(s.url, 'POST', '/json', '{"a":');
  expect(res.status).toBe(400);
  expect(res.json.error.code).toBe(CODES.badRequest);
  expect(res.json.error.message).toMatch(/^the request body is not JSON: /);
  expect((await call(s.url, 'POST', '/json', '')).status).toBe(400);
  expect(s.errors).toEqual([]);
});

it("takes the route's parser, empty-body value and message", async () => {
  expect((await call(s.url, 'POST', '/lenient', '  ')).json).toEqual({ value: {} });
  expect((await call(s.url, 'POST', '/lenient', '[NaN]')).json).toEqual({ value: [null] });
  const bad = await call(s.url, 'POST', '/lenient', '{');
  expect(bad.status).toBe(400);
  expect(bad.json.error.message).toMatch(/^\(root\): not JSON: /);
});
