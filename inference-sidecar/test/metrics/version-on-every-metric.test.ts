/**
 * Every sidecar metric that names a model names its version (issue #14): the version the path names labels the
 * upstream errors, payload sizes and unparsed bodies of that request, and the feedback counter takes the version
 * the feedback names. Before, these four carried `model` alone.
 */
import { request } from 'undici';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

describe('model_version on the sidecar metrics', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.url?.includes('/versions/5/')) {
        req.socket.destroy(); // the model server resets the connection: an upstream error
        return;
      }
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":"bad input"}');
    });
    sidecar = await startTestSidecar(upstream.url);
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  it('labels upstream errors, payload bytes and unparsed bodies with the version of the path', async () => {
    const bad = await request(`${sidecar.url}/v2/models/m/versions/4/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"inputs": [',
    });
    expect(bad.statusCode).toBe(400);
    await bad.body.dump();
    const reset = await request(`${sidecar.url}/v2/models/m/versions/5/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"inputs": []}',
    });
    expect(reset.statusCode).toBe(502);
    await reset.body.dump();
    const text = await sidecar.metricsMatching(/plumbline_sidecar_upstream_errors_total\{[^}]*\} 1/);
    expect(text).toMatch(
      /plumbline_sidecar_unparsed_bodies_total\{model="m",model_version="4",protocol="v2",direction="request"\} 1/,
    );
    expect(text).toMatch(
      /plumbline_sidecar_payload_bytes_count\{model="m",model_version="4",direction="request"\} 1/,
    );
    expect(text).toMatch(
      /plumbline_sidecar_upstream_errors_total\{model="m",model_version="5",reason="reset"\} 1/,
    );
  });

  it('counts feedback under the version it names', async () => {
    const res = await request(`${sidecar.adminUrl}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { request_id: 'a', ground_truth: 1, model: { name: 'm', version: '4' } },
        { request_id: 'b', ground_truth: 1, model: { name: 'm', version: '4' } },
        { request_id: 'c', ground_truth: 1, model: { name: 'm' } },
      ]),
    });
    expect(res.statusCode).toBe(202);
    await res.body.dump();
    const text = await sidecar.metrics();
    expect(text).toMatch(/plumbline_sidecar_feedback_events_total\{model="m",model_version="4"\} 2/);
    expect(text).toMatch(/plumbline_sidecar_feedback_events_total\{model="m",model_version=""\} 1/);
  });
});
