// The sidecar's process metrics (prom-client's defaults, plumbline_sidecar_ prefix) on the admin port's /metrics,
// collected on the proxy thread even when the admin server runs in the capture thread.
import { SIDECAR_PROCESS_METRICS } from '@plumbline/schema';
import { catalogMismatches } from '@plumbline/schema/testing';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const P = SIDECAR_PROCESS_METRICS;

/** The value of an unlabelled series in Prometheus text. */
function value(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no series ${name}`);
  return Number(line.slice(name.length + 1));
}

/** Keeps this thread's event loop busy for `ms`. */
function block(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

describe.each(['thread', 'inline'] as const)('process metrics, capture %s', (captureMode) => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;
  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => res.end('{}'));
    sidecar = await startTestSidecar(upstream.url, {}, { captureMode });
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  it('are on /metrics under the sidecar prefix, and every exposed family is in the catalog', async () => {
    const text = await sidecar.metrics();
    expect(catalogMismatches(text, 'sidecar', Object.values(P))).toEqual([]);
    expect(value(text, P.cpu.name)).toBeGreaterThan(0);
    expect(value(text, P.residentMemory.name)).toBeGreaterThan(1024 * 1024);
    expect(text).toMatch(new RegExp(`^${P.version.name}\\{version="${process.version}",`, 'm'));
  });

  it('measure the event loop of the proxy thread (this one, which the test blocks)', async () => {
    await sidecar.metrics(); // starts a fresh event-loop delay interval…
    await new Promise((resolve) => setTimeout(resolve, 50)); // …with a few 10 ms samples in it
    block(400);
    const text = await sidecar.metrics();
    expect(value(text, P.eventLoopLagMax.name)).toBeGreaterThanOrEqual(0.35);
    expect(value(text, P.eventLoopLagMin.name)).toBeLessThan(0.35);
  });
});
