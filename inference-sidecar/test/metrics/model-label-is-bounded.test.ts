// The `model` label of the sidecar's metrics is bounded: clients name models (in feedback bodies and request
// paths), so past `maxModels` distinct names the rest count as model="other", while events keep the real name and
// the models named in the config keep their own label. Regression: every new name in a POST /feedback body made a
// new series, without limit (found by the hostile-clients suite).
import { request } from 'undici';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

let upstream: TestUpstream;
let sidecar: TestSidecar;

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => res.end('{}'));
  sidecar = await startTestSidecar(upstream.url, { maxModels: 3, models: { iris: {} } });
});
afterAll(async () => {
  await sidecar.stop();
  await upstream.close();
});

it('counts feedback for the first maxModels names under their own label and the rest under model="other"', async () => {
  const names = ['iris', 'm1', 'm2', 'm3', 'm4', 'm5'];
  for (const [i, model] of names.entries()) {
    const res = await request(`${sidecar.adminUrl}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ request_id: `r-${i}`, ground_truth: 'a', model }),
    });
    expect(res.statusCode).toBe(202);
    await res.body.dump();
  }
  const text = await sidecar.metricsMatching(
    /plumbline_sidecar_feedback_events_total\{model="other",model_version=""\} 3/,
  );
  const labelled = [
    ...text.matchAll(/^plumbline_sidecar_feedback_events_total\{model="([^"]+)",model_version=""\} (\d+)$/gm),
  ].map((m) => [m[1], Number(m[2])]);
  expect(Object.fromEntries(labelled)).toEqual({ iris: 1, m1: 1, m2: 1, other: 3 });
  const stored = await sidecar.waitForFeedback(names.length);
  expect(stored.map((e) => e.model?.name).sort()).toEqual([...names].sort());
});
