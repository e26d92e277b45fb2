/** The retraining policy, decision by decision (pure: no I/O). */
import { DEFAULT_POLICY, decide, parsePayload, preCheck, type AlertmanagerAlert } from '../src/bridge/policy';
import { DRIFT_ALERT_LABELS } from './drift-alert';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const drift = (
  over: Partial<AlertmanagerAlert> = {},
  labels: Record<string, string> = {},
): AlertmanagerAlert => ({
  status: 'firing',
  labels: { ...DRIFT_ALERT_LABELS, ...labels },
  annotations: {},
  startsAt: '2026-11-23T11:40:00Z',
  fingerprint: 'abc123',
  ...over,
});

describe('preCheck', () => {
  test('a firing drift alert of a model out of cooldown passes', () => {
    expect(preCheck(drift(), DEFAULT_POLICY, undefined, NOW)).toEqual({ ok: true, model: 'iris' });
  });
  test('resolved alerts never trigger', () => {
    expect(preCheck(drift({ status: 'resolved' }), DEFAULT_POLICY, undefined, NOW)).toMatchObject({
      ok: false,
      decision: { action: 'skip', reason: 'resolved' },
    });
  });
  test.each(['quality', 'latency', 'pipeline', 'predictions', ''])(
    'category "%s" does not trigger',
    (category) => {
      const r = preCheck(drift({}, { category }), DEFAULT_POLICY, undefined, NOW);
      expect(r).toMatchObject({ ok: false, decision: { action: 'skip' } });
      if (!r.ok) expect(r.decision.reason).toMatch(/does not trigger retraining/);
    },
  );
  test('an alert without a model label is skipped', () => {
    const a = drift();
    delete a.labels.model;
    expect(preCheck(a, DEFAULT_POLICY, undefined, NOW)).toMatchObject({
      ok: false,
      decision: { reason: 'alert has no model label' },
    });
  });
  test('cooldown: skipped one second before it ends, allowed when it ends', () => {
    const last = NOW - DEFAULT_POLICY.cooldownSeconds * 1000;
    expect(preCheck(drift(), DEFAULT_POLICY, last + 1000, NOW)).toMatchObject({
      ok: false,
      decision: { reason: 'cooldown: 1s remaining' },
    });
    expect(preCheck(drift(), DEFAULT_POLICY, last, NOW)).toEqual({ ok: true, model: 'iris' });
  });
});

describe('output drift (the predictionDrift switch)', () => {
  const output = (): AlertmanagerAlert => {
    const a = drift({}, { alertname: 'PlumblinePredictionDriftPersistent' });
    delete a.labels.feature;
    return a;
  };
  test('off by default: a firing output-drift alert is skipped, saying how to turn it on', () => {
    expect(DEFAULT_POLICY.predictionDrift).toBe(false);
    expect(preCheck(output(), DEFAULT_POLICY, undefined, NOW)).toMatchObject({
      ok: false,
      decision: {
        action: 'skip',
        model: 'iris',
        reason: 'output drift triggers retraining only with PLUMBLINE_BRIDGE_PREDICTION_DRIFT=true',
      },
    });
  });
  test('on: it passes like any drift alert, and the quality gate and the reason name the output', () => {
    const policy = { ...DEFAULT_POLICY, predictionDrift: true };
    expect(preCheck(output(), policy, undefined, NOW)).toEqual({ ok: true, model: 'iris' });
    expect(decide(output(), 'iris', { accuracy: 0.8, windowSamples: 500 }, policy)).toMatchObject({
      action: 'trigger',
      reason: 'PlumblinePredictionDriftPersistent: the model output drifts (accuracy 0.8, 500 rows)',
    });
    expect(decide(output(), 'iris', { accuracy: 0.97, windowSamples: 500 }, policy)).toMatchObject({
      action: 'skip',
    });
  });
  test('the switch does not open other categories, and input drift triggers with it off', () => {
    const policy = { ...DEFAULT_POLICY, predictionDrift: true };
    expect(preCheck(drift({}, { category: 'pipeline' }), policy, undefined, NOW)).toMatchObject({
      ok: false,
    });
    expect(preCheck(drift(), DEFAULT_POLICY, undefined, NOW)).toEqual({ ok: true, model: 'iris' });
  });
});

describe('decide (quality gate)', () => {
  test('too few rows in the window: drift on a handful of rows is noise', () => {
    expect(decide(drift(), 'iris', { accuracy: 0.5, windowSamples: 99 }, DEFAULT_POLICY)).toMatchObject({
      action: 'skip',
      reason: 'quality gate: 99 rows in the latest window, fewer than 100',
    });
    expect(decide(drift(), 'iris', { accuracy: 0.5, windowSamples: null }, DEFAULT_POLICY)).toMatchObject({
      action: 'skip',
    });
  });
  test('a model that still performs is not retrained', () => {
    expect(decide(drift(), 'iris', { accuracy: 0.95, windowSamples: 500 }, DEFAULT_POLICY)).toMatchObject({
      action: 'skip',
      reason: 'quality gate: accuracy 0.95 is still at or above 0.95',
    });
  });
  test('accuracy below the gate triggers, with a key stable across Alertmanager resends', () => {
    const d = decide(drift(), 'iris', { accuracy: 0.8, windowSamples: 500 }, DEFAULT_POLICY);
    expect(d).toEqual({
      action: 'trigger',
      model: 'iris',
      reason: 'PlumblineFeatureDriftPersistent: feature petal_length drifts (accuracy 0.8, 500 rows)',
      idempotencyKey: 'alertmanager-abc123-2026-11-23T11:40:00Z',
    });
    expect(decide(drift(), 'iris', { accuracy: 0.7, windowSamples: 900 }, DEFAULT_POLICY)).toMatchObject({
      idempotencyKey: 'alertmanager-abc123-2026-11-23T11:40:00Z',
    });
  });
  test('unknown accuracy (labels not in yet) does not block a retrain', () => {
    const a = drift({}, { alertname: 'PlumblineDatasetDriftShareHigh' });
    delete a.labels.feature;
    expect(decide(a, 'iris', { accuracy: null, windowSamples: 150 }, DEFAULT_POLICY)).toMatchObject({
      action: 'trigger',
      reason: 'PlumblineDatasetDriftShareHigh: dataset drifts (accuracy unknown, 150 rows)',
    });
  });
});

describe('parsePayload', () => {
  test('accepts an Alertmanager v4 payload', () => {
    expect(
      parsePayload({ version: '4', status: 'firing', receiver: 'r', alerts: [drift()] }).alerts,
    ).toHaveLength(1);
  });
  test.each([
    [null, 'body: expected a JSON object'],
    [{ alerts: 'x' }, 'alerts: expected an array (Alertmanager webhook payload v4)'],
    [{ alerts: [{ ...drift(), status: 'pending' }] }, 'alerts[0].status: firing or resolved'],
    [{ alerts: [{ ...drift(), fingerprint: 1 }] }, 'alerts[0].fingerprint: expected a string'],
  ])('rejects %j naming the field', (body, message) => {
    expect(() => parsePayload(body)).toThrow(message);
  });
});
