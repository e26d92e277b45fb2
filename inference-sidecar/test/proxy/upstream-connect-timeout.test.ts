// An upstream that takes no new connections: its accept queue is full (a model server stuck in a long GC pause,
// or swamped), so the kernel drops further SYNs and a connect hangs instead of being refused. The sidecar must give
// up after timeouts.connectMs and answer 504, not hang or answer 502.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { request } from 'undici';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

/** A child process that listens with a backlog of 1, then blocks its only thread at once: nothing is accepted. */
const STUCK_LISTENER = `
const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(server.address().port + '\\n'); // synchronous on a pipe (Linux)
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});
`;

function connects(port: number, withinMs: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const timer = setTimeout(() => resolve(null), withinMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', () => undefined);
    held.push(socket);
  });
}

const held: Socket[] = [];
let listener: ChildProcess;
let port: number;
let sidecar: TestSidecar;

beforeAll(async () => {
  listener = spawn(process.execPath, ['-e', STUCK_LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] });
  port = await new Promise<number>((resolve, reject) => {
    listener.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    listener.once('exit', (code) => reject(new Error(`stuck listener exited with ${code}`)));
  });
  // Fill the accept queue: connections complete until it is full, then a connect no longer completes.
  let full = false;
  for (let i = 0; i < 32 && !full; i++) full = (await connects(port, 500)) === null;
  if (!full) throw new Error('could not fill the accept queue of the stuck listener');
  sidecar = await startTestSidecar(`http://127.0.0.1:${port}`, {
    timeouts: { connectMs: 300, headersMs: 30_000, bodyMs: 30_000 },
  });
});

afterAll(async () => {
  await sidecar?.stop();
  for (const s of held) s.destroy();
  listener?.kill('SIGKILL');
});

describe('an upstream that accepts no connection', () => {
  it('is answered with 504 SIDECAR_ERR_UPSTREAM_TIMEOUT after connectMs, and the request is still captured', async () => {
    const res = await request(`${sidecar.url}/v2/models/m/infer`, {
      method: 'POST',
      headers: { 'x-request-id': 'stuck-1' },
      body: JSON.stringify({ inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }] }),
    });
    expect(res.statusCode).toBe(504);
    const body = (await res.body.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('SIDECAR_ERR_UPSTREAM_TIMEOUT');
    // undici's connect timeout (not the 30 s headers timeout) is what fired.
    expect(body.error.message).toMatch(/connect timeout/i);

    const [event] = await sidecar.waitForEvents(1);
    expect(event).toMatchObject({ request_id: 'stuck-1', http_status: 504, features: { x: 1 } });
    expect(event.error).toMatch(/^SIDECAR_ERR_UPSTREAM_TIMEOUT/);
    expect(await sidecar.metrics()).toMatch(
      /plumbline_sidecar_upstream_errors_total\{model="m",model_version="",reason="timeout"\} 1/,
    );
  });
});
