// A scrape while the proxy thread is stalled: the admin server (capture thread) waits PROCESS_METRICS_TIMEOUT_MS
// for the proxy thread's process metrics, then answers with its own; the next scrape shows the stall.
import { execFileSync } from 'node:child_process';
import { SIDECAR_METRICS, SIDECAR_PROCESS_METRICS } from '@plumbline/schema';
import { PROCESS_METRICS_TIMEOUT_MS } from '../../src/capture-thread/messages';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

let upstream: TestUpstream;
let sidecar: TestSidecar;
beforeAll(async () => {
  upstream = await startUpstream((_req, res) => res.end('{}'));
  sidecar = await startTestSidecar(upstream.url);
});
afterAll(async () => {
  await sidecar.stop();
  await upstream.close();
});

it('answers /metrics without the process metrics after the timeout, and the next scrape shows the stall', async () => {
  expect(await sidecar.metrics()).toContain(SIDECAR_PROCESS_METRICS.cpu.name);
  await new Promise((resolve) => setTimeout(resolve, 50)); // a few 10 ms event-loop samples before the stall
  // curl runs while this thread — the proxy thread — is blocked in execFileSync: it cannot answer the capture thread.
  const started = Date.now();
  const stalled = execFileSync('curl', ['-sS', '--max-time', '10', `${sidecar.adminUrl}/metrics`], {
    encoding: 'utf8',
  });
  const waitedMs = Date.now() - started;
  expect(waitedMs).toBeGreaterThanOrEqual(PROCESS_METRICS_TIMEOUT_MS);
  expect(waitedMs).toBeLessThan(PROCESS_METRICS_TIMEOUT_MS + 3000);
  expect(stalled).toContain(`# TYPE ${SIDECAR_METRICS.spoolBytes.name} gauge`);
  expect(stalled).not.toContain('_process_');
  expect(stalled).not.toContain('_nodejs_');

  // The stalled scrape's request reaches this thread late: unanswered, it leaves the event-loop summary in place.
  const next = await sidecar.metrics();
  const max = next.split('\n').find((l) => l.startsWith(`${SIDECAR_PROCESS_METRICS.eventLoopLagMax.name} `));
  expect(Number(max?.split(' ')[1])).toBeGreaterThanOrEqual(PROCESS_METRICS_TIMEOUT_MS / 1000);
});
