import { request } from 'undici';
import { startAdminTestSidecar, type TestSidecar } from '../helpers/sidecar';

// plumbline_sidecar_human_labels_total is what the humanLabels retrain trigger counts: every human label posted to
// POST /feedback, by the exporter's review API (an action) or directly (`source: "human"`), not a reject or retract.
describe('human labels on POST /feedback', () => {
  let sidecar: TestSidecar;
  beforeAll(async () => {
    sidecar = await startAdminTestSidecar();
  });
  afterAll(() => sidecar.stop());

  it('counts confirms, corrections and direct human labels per model, not rejects, retracts or other sources', async () => {
    const res = await request(`${sidecar.adminUrl}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { request_id: 'h1', ground_truth: 'a', model: 'iris', source: 'human' },
        {
          request_id: 'h2',
          ground_truth: 'a',
          model: 'iris',
          source: 'human',
          action: 'confirm',
          reviewer: 'ana',
        },
        {
          request_id: 'h3',
          ground_truth: 'b',
          model: 'iris',
          source: 'human',
          action: 'correct',
          reviewer: 'ana',
        },
        {
          request_id: 'h4',
          ground_truth: 'b',
          model: 'iris',
          source: 'human',
          action: 'reject',
          reviewer: 'ana',
        },
        {
          request_id: 'h5',
          ground_truth: 'b',
          model: 'iris',
          source: 'human',
          action: 'retract',
          reviewer: 'ana',
        },
        { request_id: 'h6', ground_truth: 'b', model: 'iris', source: 'labelling-tool' },
        { request_id: 'h7', ground_truth: 'b', model: 'wine', source: 'human' },
      ]),
    });
    expect(res.statusCode).toBe(202);
    await res.body.dump();
    const text = await sidecar.metricsMatching(
      /plumbline_sidecar_feedback_events_total\{model="iris",model_version=""\} 6/,
    );
    expect(text).toMatch(/^plumbline_sidecar_human_labels_total\{model="iris",model_version=""\} 3$/m);
    expect(text).toMatch(/^plumbline_sidecar_human_labels_total\{model="wine",model_version=""\} 1$/m);
  });
});
