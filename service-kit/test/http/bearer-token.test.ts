// A server with a token: writes need `Authorization: Bearer <token>` (401 with WWW-Authenticate and the service's
// code otherwise, the body unread), reads only when `auth.reads` is on, 'public' routes never; without a token
// every route is open.
import { createHttpHandler, tokenMatches } from '../../src';
import { call, serve, type Served } from './serve';
import { testSecret } from '@plumbline/harness';

const TOKEN = testSecret('bearer-token token');
const CODES = {
  notFound: 'TEST_ERR_NOT_FOUND',
  methodNotAllowed: 'TEST_ERR_METHOD',
  badRequest: 'TEST_ERR_BAD_REQUEST',
  unauthorized: 'TEST_ERR_UNAUTHORIZED',
  internal: 'TEST_ERR_INTERNAL',
};

let handled: string[] = [];
const routes = [
  { method: 'GET' as const, path: '/healthz', auth: 'public' as const, handle: ok('healthz') },
  { method: 'GET' as const, path: '/metrics', handle: ok('metrics') },
  {
    method: 'POST' as const,
    path: '/feedback',
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a route context as the handler sees it
    handle: async (ctx: any) => {
      handled.push(`feedback ${(await ctx.readBody()).length}`);
      ctx.send(202, { ok: true });
    },
  },
];
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a route context as the handler sees it
function ok(name: string): (ctx: any) => void {
  return (ctx) => {
    handled.push(name);
    ctx.send(200, { name });
  };
}

const servers: Served[] = [];
afterEach(async () => {
  handled = [];
  while (servers.length) await servers.pop()!.close();
});
async function start(auth: { token: string | undefined; reads?: boolean }): Promise<Served> {
  const s = await serve({ codes: CODES, auth, routes });
  servers.push(s);
  return s;
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

test('a write without the token, or with a wrong one, is refused with 401 before its body is read', async () => {
  const s = await start({ token: TOKEN });
  for (const headers of [{}, bearer(`${TOKEN}x`), bearer(TOKEN.slice(0, -1)), { authorization: TOKEN }]) {
    const res = await call(s.url, 'POST', '/feedback', '{"a":1}', headers);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json.error.code).toBe('TEST_ERR_UNAUTHORIZED');
    expect(res.text).not.toContain(TOKEN.slice(0, 8));
  }
  expect(handled).toEqual([]);
  expect(s.errors).toEqual([]);
});

test('a write with the token goes through; the scheme is case-insensitive', async () => {
  const s = await start({ token: TOKEN });
  expect((await call(s.url, 'POST', '/feedback', '{"a":1}', bearer(TOKEN))).status).toBe(202);
  expect((await call(s.url, 'POST', '/feedback', '{}', { authorization: `bearer  ${TOKEN}` })).status).toBe(
    202,
  );
  expect(handled).toEqual(['feedback 7', 'feedback 2']);
});

test('reads stay open unless auth.reads is on; public routes stay open always', async () => {
  const open = await start({ token: TOKEN });
  expect((await call(open.url, 'GET', '/metrics')).status).toBe(200);
  const closed = await start({ token: TOKEN, reads: true });
  const refused = await call(closed.url, 'GET', '/metrics');
  expect(refused.status).toBe(401);
  expect(refused.headers['www-authenticate']).toBe('Bearer');
  expect((await call(closed.url, 'GET', '/metrics', undefined, bearer(TOKEN))).status).toBe(200);
  expect((await call(closed.url, 'GET', '/healthz')).status).toBe(200);
});

test('without a token every route is open', async () => {
  const s = await start({ token: undefined, reads: true });
  expect((await call(s.url, 'POST', '/feedback', '{}')).status).toBe(202);
  expect((await call(s.url, 'GET', '/metrics')).status).toBe(200);
});

test('a token without a 401 code is a programming error', () => {
  const { unauthorized: _, ...withoutCode } = CODES;
  expect(() =>
    createHttpHandler({ codes: withoutCode, auth: { token: TOKEN }, routes, onError: () => undefined }),
  ).toThrow('auth.token needs codes.unauthorized');
});

test('tokenMatches: only the exact bearer token matches, an empty configured token never does', () => {
  expect(tokenMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
  expect(tokenMatches(`Basic ${TOKEN}`, TOKEN)).toBe(false);
  expect(tokenMatches(undefined, TOKEN)).toBe(false);
  expect(tokenMatches('Bearer ', '')).toBe(false);
  expect(tokenMatches(`Bearer ${TOKEN}`, `${TOKEN} `)).toBe(false);
});
