import { parseFeedback } from '../../src/admin/feedback';

describe('POST /feedback with a review (what the exporter review API forwards)', () => {
  it('keeps the action, the reviewer and the review event id', () => {
    const parsed = parseFeedback({
      request_id: 'req-1',
      row: 2,
      ground_truth: 'setosa',
      source: 'human',
      action: 'correct',
      reviewer: 'ana',
      event_id: 'req-1:2:review:1767225600000',
      '@timestamp': '2026-01-01T00:00:00.000Z',
    });
    expect(parsed).toEqual({
      ok: true,
      events: [
        expect.objectContaining({
          event_id: 'req-1:2:review:1767225600000',
          action: 'correct',
          reviewer: 'ana',
          source: 'human',
        }),
      ],
    });
  });

  it('refuses an unknown action, naming the field', () => {
    const parsed = parseFeedback({ request_id: 'r', ground_truth: 'a', action: 'delete' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/^action: /);
  });

  it('leaves plain feedback without action or reviewer', () => {
    const parsed = parseFeedback({ request_id: 'r', ground_truth: 'a' });
    expect(parsed).toMatchObject({
      ok: true,
      events: [{ action: null, reviewer: null, event_id: 'r:0:feedback' }],
    });
  });
});
