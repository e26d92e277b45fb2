// Regression: a client that went away before its body was complete (a cut upload, a destroyed socket) made
// readBody reject with Node's "aborted" error, which the router took for a bug: onError got it (services logged
// `SIDECAR_ERR_INTERNAL` / `BRIDGE_ERR_INTERNAL` with a stack for every dropped upload) and a 500 was written to
// the dead socket. Now nobody is answered and nothing reaches onError; the server keeps serving.
import { connect } from 'node:net';
import { call, serve, type Served } from './serve';

let s: Served;
const settled: string[] = [];
beforeAll(async () => {
  s = await serve({
    routes: [
      {
        method: 'POST',
        path: '/upload',
        handle: async (ctx) => {
          try {
            ctx.send(200, { bytes: (await ctx.readBody()).length });
          } finally {
            settled.push('upload');
          }
        },
      },
      { method: 'GET', path: '/healthz', handle: (ctx) => ctx.send(200, { status: 'ok' }) },
    ],
  });
});
afterAll(() => s.close());

/** Sends the head and part of the body, then destroys the socket; resolves once the route has given up. */
async function cutUpload(framing: string, partial: string): Promise<void> {
  const before = settled.length;
  const { port } = new URL(s.url);
  const socket = connect({ host: '127.0.0.1', port: Number(port) });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(`POST /upload HTTP/1.1\r\nhost: x\r\n${framing}\r\n\r\n${partial}`);
  await new Promise((resolve) => setTimeout(resolve, 50)); // the route is reading the body now
  socket.destroy();
  for (let i = 0; settled.length === before; i++) {
    if (i > 200) throw new Error('the route never finished');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await new Promise((resolve) => setImmediate(resolve));
}

it('a body cut short (content-length) is not an internal error', async () => {
  await cutUpload('content-length: 1000', 'x'.repeat(10));
  expect(s.errors).toEqual([]);
  expect((await call(s.url, 'GET', '/healthz')).status).toBe(200);
});

it('a chunked body cut short is not an internal error', async () => {
  await cutUpload('transfer-encoding: chunked', '100\r\nabc');
  expect(s.errors).toEqual([]);
  expect((await call(s.url, 'GET', '/healthz')).status).toBe(200);
});
