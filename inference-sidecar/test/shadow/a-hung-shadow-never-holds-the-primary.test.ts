/**
 * A challenger that hangs (answers after 10 s, long past shadow.timeoutMs) never holds the primary: the client's
 * answers come while the copies are still hung, copies past maxConcurrent are dropped and counted (not queued),
 * and a hung copy is abandoned as a timeout after timeoutMs and recorded as a shadow event with a 504.
 */
import { request } from 'undici';
import { eventually } from '../helpers/eventually';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const REQUEST = JSON.stringify({ instances: [[1, 2]] });
const PRIMARY = JSON.stringify({ predictions: [1] });

describe('a hung shadow never holds the primary', () => {
  let primary: TestUpstream;
  let challenger: TestUpstream;
  let sidecar: TestSidecar;
  const hung = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    primary = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(PRIMARY);
    });
    challenger = await startUpstream((_req, res) => {
      // 10 s: far longer than the shadow's timeout.
      const timer = setTimeout(() => res.end(PRIMARY), 10_000);
      hung.add(timer);
    });
    sidecar = await startTestSidecar(primary.url, {
      shadow: { url: challenger.url, maxConcurrent: 2, timeoutMs: 3000 },
    });
  });
  afterAll(async () => {
    hung.forEach((t) => clearTimeout(t));
    await sidecar.stop();
    await primary.close();
    await challenger.close().catch(() => undefined);
  });

  it('answers every client while the copies hang, drops what is past maxConcurrent, times the rest out', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(`${sidecar.url}/v1/models/m:predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': `hung-${i}` },
        body: REQUEST,
      });
      answers.push(`${res.statusCode} ${await res.body.text()}`);
      if (i === 0) {
        // The first copy reached the challenger, which holds it: the next requests are answered meanwhile.
        await eventually(() => expect(challenger.requests.length).toBe(1));
      }
    }
    expect(answers).toEqual(Array.from({ length: 5 }, () => `200 ${PRIMARY}`));
    // Every client answer came while both admitted copies were still hung; the three others were dropped at once.
    await sidecar.metricsMatching(/plumbline_sidecar_shadow_requests_total\{model="m",outcome="dropped"\} 3/);
    expect(await sidecar.metrics()).not.toMatch(/outcome="timeout"/);

    // After timeoutMs the two hung copies are abandoned, counted and recorded.
    await sidecar.metricsMatching(
      /plumbline_sidecar_shadow_requests_total\{model="m",outcome="timeout"\} 2/,
      8000,
    );
    const events = await sidecar.waitForEvents(7);
    const shadows = events.filter((e) => e.role === 'shadow');
    expect(shadows).toHaveLength(2);
    for (const e of shadows) {
      expect(e.http_status).toBe(504);
      expect(e.error).toMatch(/^SIDECAR_ERR_UPSTREAM_TIMEOUT: shadow: no answer in 3000 ms/);
    }
    expect(events.filter((e) => e.role === 'primary')).toHaveLength(5);
  });
});
