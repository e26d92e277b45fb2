import { request } from 'undici';
import { validateFeedbackEvent } from '@plumbline/schema';
import { startAdminTestSidecar, type TestSidecar } from '../helpers/sidecar';

describe('POST /feedback on the admin port', () => {
  let sidecar: TestSidecar;

  beforeAll(async () => {
    sidecar = await startAdminTestSidecar();
  });
  afterAll(() => sidecar.stop());

  async function post(body: string) {
    const res = await request(`${sidecar.adminUrl}/feedback`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
  }

  it('accepts a single feedback (request id + actual label) → one FeedbackEvent', async () => {
    const { status, json } = await post(
      JSON.stringify({ request_id: 'req-1', ground_truth: 'virginica', model: 'iris' }),
    );
    expect(status).toBe(202);
    expect(json).toEqual({ accepted: 1, event_ids: ['req-1:0:feedback'] });
    const [event] = await sidecar.waitForFeedback(1);
    expect(validateFeedbackEvent(event)).toMatchObject({ ok: true });
    expect(event).toMatchObject({
      schema_version: 1,
      event_id: 'req-1:0:feedback',
      request_id: 'req-1',
      row: 0,
      ground_truth: 'virginica',
      model: { name: 'iris', version: null },
      source: 'api',
    });
  });

  it('accepts a batch with rows, values and the `actual` alias', async () => {
    const before = (await sidecar.feedback()).length;
    const { status, json } = await post(
      JSON.stringify([
        {
          request_id: 'req-2',
          row: 3,
          actual: 12.5,
          source: 'billing-job',
          '@timestamp': '2026-01-01T00:00:00Z',
        },
        { request_id: 'req-2', row: 4, ground_truth: true, model: { name: 'fraud', version: '7' } },
      ]),
    );
    expect(status).toBe(202);
    expect(json.accepted).toBe(2);
    const [a, b] = (await sidecar.waitForFeedback(before + 2)).slice(before);
    expect(a).toMatchObject({
      event_id: 'req-2:3:feedback',
      row: 3,
      ground_truth: 12.5,
      source: 'billing-job',
      '@timestamp': '2026-01-01T00:00:00Z',
    });
    expect(b).toMatchObject({
      event_id: 'req-2:4:feedback',
      ground_truth: true,
      model: { name: 'fraud', version: '7' },
    });
    expect(await sidecar.metrics()).toMatch(
      /plumbline_sidecar_feedback_events_total\{model="fraud",model_version="7"\} 1/,
    );
  });

  it.each([
    ['not JSON', '{"request_id":', /^\(root\): not JSON/],
    ['no request id', JSON.stringify({ ground_truth: 1 }), /^request_id: /],
    ['no ground truth', JSON.stringify({ request_id: 'r' }), /^ground_truth: required/],
    ['a negative row', JSON.stringify({ request_id: 'r', row: -1, ground_truth: 1 }), /^row: /],
    ['an object as label', JSON.stringify({ request_id: 'r', ground_truth: { a: 1 } }), /^ground_truth: /],
    [
      'an unknown field in item 1',
      JSON.stringify([
        { request_id: 'r', ground_truth: 1 },
        { request_id: 'r', ground_truth: 1, lable: 'x' },
      ]),
      /^\[1\]\.lable: unknown field/,
    ],
    ['an empty batch', '[]', /^\(root\): empty batch/],
    [
      'a bad timestamp',
      JSON.stringify({ request_id: 'r', ground_truth: 1, '@timestamp': 'yesterday' }),
      /^@timestamp: /,
    ],
  ])(
    'rejects %s with 400 naming the field, and accepts nothing from the batch',
    async (_name, body, message) => {
      const before = (await sidecar.settled()).feedback.length;
      const { status, json } = await post(body);
      expect(status).toBe(400);
      const error = json.error as { code: string; message: string };
      expect(error.code).toBe('SIDECAR_ERR_FEEDBACK_INVALID');
      expect(error.message).toMatch(message);
      expect((await sidecar.settled()).feedback.length).toBe(before);
    },
  );

  it('rejects a body over the limit with 413, and unknown admin routes with 404', async () => {
    const huge = await request(`${sidecar.adminUrl}/feedback`, {
      method: 'POST',
      body: Buffer.alloc(5 * 1024 * 1024, 32),
    });
    expect(huge.statusCode).toBe(413);
    expect(((await huge.body.json()) as { error: { code: string } }).error.code).toBe(
      'SIDECAR_ERR_FEEDBACK_TOO_LARGE',
    );
    const missing = await request(`${sidecar.adminUrl}/nope`);
    expect(missing.statusCode).toBe(404);
    expect(((await missing.body.json()) as { error: { code: string } }).error.code).toBe(
      'SIDECAR_ERR_NOT_FOUND',
    );
  });
});
