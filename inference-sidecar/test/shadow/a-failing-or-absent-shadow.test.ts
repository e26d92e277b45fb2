/**
 * A challenger that answers 500, or that is not there at all, changes nothing for the client: the primary's answer
 * comes back unchanged, and each copy is counted as an error (a 500 answer is still recorded as a shadow event).
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const REQUEST = JSON.stringify({ instances: [[1, 2]] });
const PRIMARY = JSON.stringify({ predictions: [1] });

/** A port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function predict(url: string, model: string, id: string): Promise<string> {
  const res = await request(`${url}/v1/models/${model}:predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': id },
    body: REQUEST,
  });
  return `${res.statusCode} ${await res.body.text()}`;
}

describe('a failing or absent shadow', () => {
  let primary: TestUpstream;
  let failing: TestUpstream;
  let sidecar: TestSidecar;

  beforeAll(async () => {
    primary = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(PRIMARY);
    });
    failing = await startUpstream((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"challenger broke"}');
    });
    sidecar = await startTestSidecar(primary.url, {
      models: {
        failing: { shadow: { url: failing.url, version: 'c-9' } },
        absent: { shadow: { url: `http://127.0.0.1:${await closedPort()}` } },
      },
    });
  });
  afterAll(async () => {
    await sidecar.stop();
    await primary.close();
    await failing.close();
  });

  it('a 500 from the challenger: the client gets the primary answer, the copy counts as an error', async () => {
    expect(await predict(sidecar.url, 'failing', 'f-1')).toBe(`200 ${PRIMARY}`);
    await sidecar.metricsMatching(
      /plumbline_sidecar_shadow_requests_total\{model="failing",outcome="error"\} 1/,
    );
    const events = await sidecar.waitForEvents(2);
    const shadow = events.find((e) => e.role === 'shadow');
    expect(shadow).toMatchObject({
      request_id: 'f-1:shadow',
      shadow_of: { request_id: 'f-1', row: 0 },
      model: { name: 'failing', version: 'c-9' },
      http_status: 500,
    });
    expect(shadow?.error).toMatch(/^upstream returned 500/);
  });

  it('no challenger listening: the client gets the primary answer, the copy counts as an error', async () => {
    expect(await predict(sidecar.url, 'absent', 'a-1')).toBe(`200 ${PRIMARY}`);
    await sidecar.metricsMatching(
      /plumbline_sidecar_shadow_requests_total\{model="absent",outcome="error"\} 1/,
    );
    const events = await sidecar.waitForEvents(4);
    const shadow = events.find((e) => e.role === 'shadow' && e.request_id === 'a-1:shadow');
    expect(shadow).toMatchObject({ http_status: 502 });
    expect(shadow?.error).toMatch(/^SIDECAR_ERR_UPSTREAM_REFUSED: shadow: /);
  });
});
