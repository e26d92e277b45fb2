/** @jest-environment @plumbline/harness/onnx-test-environment */
// The demo traffic generator against the real embedded model server, a closed port and a server that never
// answers: it counts what happens, never throws, and never has more than maxInFlight requests outstanding.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SHIPPED_MODEL, startModelServer, type RunningModelServer } from '@plumbline/sidecar';
import { DEFAULT_DRIFT } from './drift-plan';
import { readTrainingData } from './training-data';
import { createDemoTraffic, type DemoTrafficOptions } from './traffic';

const data = readTrainingData(SHIPPED_MODEL.trainCsvPath);
let model: RunningModelServer;
beforeAll(async () => {
  model = await startModelServer({ modelPath: SHIPPED_MODEL.modelPath, port: 0 });
});
afterAll(() => model.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the generator against the server at `base` for `ms` (50 requests/s, no drift, no feedback unless given). */
async function runFor(ms: number, base: string, options: Partial<DemoTrafficOptions> = {}) {
  const traffic = createDemoTraffic({
    inferUrl: `${base}/v2/models/iris/infer`,
    feedbackUrl: null,
    data,
    model: 'iris',
    requestsPerSecond: 50,
    driftAfterMs: null,
    drift: DEFAULT_DRIFT,
    ...options,
  });
  traffic.start();
  await sleep(ms);
  await traffic.stop();
  return { traffic, s: traffic.stats() };
}

it('sends answered requests at the configured rate and plants the drift on time', async () => {
  const planted: number[] = [];
  const started = Date.now();
  const { traffic, s } = await runFor(1000, model.url, {
    maxRowsPerRequest: 4,
    driftAfterMs: 400,
    onDriftPlanted: () => planted.push(Date.now() - started),
  });
  // Never more than the rate allows; the lower bound is loose (a loaded CI machine delays timers).
  expect(s.requests).toBeGreaterThanOrEqual(10);
  expect(s.requests).toBeLessThanOrEqual(55);
  expect(s).toMatchObject({ failed: 0, skipped: 0, lastError: null, driftPlanted: true });
  expect(s.ok).toBe(s.requests);
  expect(s.rows).toBeGreaterThanOrEqual(s.requests);
  expect(s.rows).toBeLessThanOrEqual(4 * s.requests);
  expect(planted).toHaveLength(1);
  expect(planted[0]).toBeGreaterThanOrEqual(400);
  // Nothing is sent after stop().
  await sleep(100);
  expect(traffic.stats().requests).toBe(s.requests);
});

it('counts refused requests and feedback without throwing', async () => {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const { s } = await runFor(300, `http://127.0.0.1:${port}`, {
    feedbackUrl: `http://127.0.0.1:${port}/feedback`,
  });
  expect(s.requests).toBeGreaterThan(0);
  expect(s.failed).toBe(s.requests);
  expect(s.ok).toBe(0);
  expect(s.lastError).toMatch(/^infer failed/);
  expect(s.driftPlanted).toBe(false);
});

it('never has more than maxInFlight requests outstanding against a server that does not answer', async () => {
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as AddressInfo).port;
  try {
    const { s } = await runFor(300, `http://127.0.0.1:${port}`, {
      requestsPerSecond: 100,
      maxInFlight: 3,
      timeoutMs: 2000,
    });
    // Nothing answered, so only the first maxInFlight ticks sent a request; the rest were skipped and counted.
    expect(s.requests).toBe(3);
    expect(s.skipped).toBeGreaterThan(5);
    expect(s.failed).toBe(3);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});
