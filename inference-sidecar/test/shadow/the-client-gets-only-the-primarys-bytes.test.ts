/**
 * With a shadow configured, the client still gets the primary's bytes and nothing else; the challenger gets a copy
 * of the request (path, query, body, content type, request id) after the primary answered, and its answer becomes
 * events with `role: "shadow"`, its own version and a pointer to the primary row each answers.
 */
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const REQUEST = JSON.stringify({
  instances: [
    [1, 2],
    [3, 4],
  ],
});
const PRIMARY = '{"predictions": [0, 1]}  \n';
const CHALLENGER = JSON.stringify({ predictions: [0, 0] });

describe('shadow traffic: the client gets only the primary bytes', () => {
  let primary: TestUpstream;
  let challenger: TestUpstream;
  let sidecar: TestSidecar;
  let primaryEndedAt = 0;
  let copyArrivedAt = 0;

  beforeAll(async () => {
    primary = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-served-by': 'primary' });
      res.end(PRIMARY, () => (primaryEndedAt = performance.now()));
    });
    challenger = await startUpstream((_req, res) => {
      copyArrivedAt ||= performance.now();
      res.writeHead(200, { 'content-type': 'application/json', 'x-model-version': 'challenger-2' });
      res.end(CHALLENGER);
    });
    sidecar = await startTestSidecar(`${primary.url}/serving`, {
      shadow: { url: `${challenger.url}/candidate` },
      models: { iris: { version: '1' }, quiet: { shadow: { url: challenger.url, sampleRate: 0 } } },
    });
  });
  afterAll(async () => {
    await sidecar.stop();
    await primary.close();
    await challenger.close();
  });

  it('answers with the primary bytes, then copies the request to the challenger', async () => {
    const res = await request(`${sidecar.url}/v1/models/iris:predict?explain=0`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'shadowed-1' },
      body: REQUEST,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-served-by']).toBe('primary');
    expect(res.headers['x-model-version']).toBeUndefined();
    expect(await res.body.text()).toBe(PRIMARY);

    const events = await sidecar.waitForEvents(4);
    expect(challenger.requests).toHaveLength(1);
    const copy = challenger.requests[0];
    expect(copy).toMatchObject({ method: 'POST', url: '/candidate/v1/models/iris:predict?explain=0' });
    expect(copy.body.toString()).toBe(REQUEST);
    expect(copy.headers['content-type']).toBe('application/json');
    expect(copy.headers['x-request-id']).toBe('shadowed-1');
    // The copy left only after the primary's whole response was written.
    expect(primaryEndedAt).toBeGreaterThan(0);
    expect(copyArrivedAt).toBeGreaterThan(primaryEndedAt);

    const primaryRows = events.filter((e) => e.role === 'primary');
    const shadowRows = events.filter((e) => e.role === 'shadow');
    expect(primaryRows.map((e) => [e.request_id, e.row, e.model.version, e.outputs.label])).toEqual([
      ['shadowed-1', 0, '1', '0'],
      ['shadowed-1', 1, '1', '1'],
    ]);
    expect(shadowRows.map((e) => [e.event_id, e.shadow_of, e.model, e.outputs.label])).toEqual([
      [
        'shadowed-1:shadow:0',
        { request_id: 'shadowed-1', row: 0 },
        { name: 'iris', version: 'challenger-2' },
        '0',
      ],
      [
        'shadowed-1:shadow:1',
        { request_id: 'shadowed-1', row: 1 },
        { name: 'iris', version: 'challenger-2' },
        '0',
      ],
    ]);
    // Same features and time (the request reached the sidecar once) as the primary row it answers.
    expect(shadowRows.map((e) => e.features)).toEqual(primaryRows.map((e) => e.features));
    expect(shadowRows.map((e) => e['@timestamp'])).toEqual(primaryRows.map((e) => e['@timestamp']));

    const metrics = await sidecar.metricsMatching(
      /plumbline_sidecar_shadow_requests_total\{model="iris",outcome="sent"\} 1/,
    );
    // Client traffic is counted once: the copy is not a request.
    expect(metrics).toMatch(
      /plumbline_sidecar_requests_total\{model="iris",model_version="1",protocol="kserve-v1",status="200"\} 1\n/,
    );
    expect(metrics).not.toMatch(/model_version="challenger-2",protocol/);
  });

  it('copies nothing that is not an inference, and nothing of a model sampled at 0', async () => {
    const health = await request(`${sidecar.url}/v2/health/ready`);
    await health.body.dump();
    const quiet = await request(`${sidecar.url}/v1/models/quiet:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'quiet-1' },
      body: REQUEST,
    });
    expect(await quiet.body.text()).toBe(PRIMARY);
    await sidecar.metricsMatching(/plumbline_sidecar_requests_total\{model="quiet",[^}]*\} 1/);
    const { events } = await sidecar.settled();
    expect(events.filter((e) => e.request_id.startsWith('quiet-1'))).toHaveLength(2);
    expect(challenger.requests).toHaveLength(1);
    expect(await sidecar.metrics()).not.toMatch(/shadow_requests_total\{model="quiet"/);
  });
});
