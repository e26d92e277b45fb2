import {
  validateInferenceEvent,
  validateFeedbackEvent,
  inferenceEventId,
  inferenceEventJsonSchema,
  feedbackEventJsonSchema,
  type InferenceEvent,
} from './index';
import { makeEvent } from './testing';

// The shared fixture, with features of every kind the schema accepts (number, string, boolean, null).
const event: InferenceEvent = {
  ...makeEvent(1),
  features: { sepal_length: 5.1, colour: 'red', flag: true, missing: null },
};

describe('inference event', () => {
  it('accepts a complete event', () => {
    expect(validateInferenceEvent(event)).toEqual({ ok: true, value: event });
  });

  it('names the field that is wrong', () => {
    const bad = { ...event, row: -1, features: { x: [1, 2] } };
    const result = validateInferenceEvent(bad);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain('row');
      expect(result.error).toContain('features.x');
    }
  });

  it('rejects an unknown protocol and a missing timestamp', () => {
    const { '@timestamp': _t, ...noTime } = event;
    expect(validateInferenceEvent({ ...noTime, protocol: 'grpc' }).ok).toBe(false);
  });

  it('reads an event without a role (written before shadow traffic) as it was, and takes a shadow event', () => {
    expect(event).not.toHaveProperty('role');
    expect(validateInferenceEvent(event)).toEqual({ ok: true, value: event });
    const shadow: InferenceEvent = {
      ...event,
      event_id: 'req-1:shadow:0',
      request_id: 'req-1:shadow',
      model: { name: 'iris', version: '2' },
      role: 'shadow',
      shadow_of: { request_id: 'req-1', row: 0 },
    };
    expect(validateInferenceEvent(shadow)).toEqual({ ok: true, value: shadow });
  });

  it('refuses an unknown role and a shadow_of without its row', () => {
    expect(validateInferenceEvent({ ...event, role: 'canary' }).ok).toBe(false);
    const result = validateInferenceEvent({ ...event, role: 'shadow', shadow_of: { request_id: 'req-1' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain('shadow_of.row');
  });

  it('uses request id and row as the stable event id', () => {
    expect(inferenceEventId('abc', 3)).toBe('abc:3');
  });
});

describe('feedback event', () => {
  it('fills defaults for row and source', () => {
    const result = validateFeedbackEvent({
      schema_version: 1,
      event_id: 'r:0:feedback',
      request_id: 'r',
      '@timestamp': '2026-11-23T10:00:00Z',
      ground_truth: 'setosa',
    });
    expect(result).toMatchObject({ ok: true, value: { row: 0, source: 'api', model: null } });
  });

  it('rejects feedback without ground truth', () => {
    const result = validateFeedbackEvent({
      schema_version: 1,
      event_id: 'x',
      request_id: 'r',
      '@timestamp': '2026-11-23T10:00:00Z',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain('ground_truth');
  });
});

describe('JSON Schema', () => {
  it('lists the required fields of both events', () => {
    expect(inferenceEventJsonSchema().required).toEqual(
      expect.arrayContaining(['event_id', 'request_id', 'row', '@timestamp', 'model', 'features', 'outputs']),
    );
    expect(feedbackEventJsonSchema().required).toEqual(
      expect.arrayContaining(['request_id', 'ground_truth']),
    );
  });
});
