import { canTrigger, cooldownLeft, formatDuration, formatWhen, outcomeText } from './retrain';

describe('retrain panel helpers', () => {
  it('formats durations the way an on-call reads them', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(552)).toBe('9m 12s');
    expect(formatDuration(3725)).toBe('1h 02m');
  });

  it('lets Editors, Admins and Grafana admins trigger; never Viewers or read-only contexts', () => {
    expect(canTrigger({ orgRole: 'Viewer', isGrafanaAdmin: false })).toBe(false);
    expect(canTrigger({ orgRole: 'None', isGrafanaAdmin: false })).toBe(false);
    expect(canTrigger({ orgRole: 'Editor', isGrafanaAdmin: false })).toBe(true);
    expect(canTrigger({ orgRole: 'Admin', isGrafanaAdmin: false })).toBe(true);
    expect(canTrigger({ orgRole: 'Viewer', isGrafanaAdmin: true })).toBe(true);
    expect(canTrigger({ orgRole: 'Admin', isGrafanaAdmin: true, canExecuteActions: false })).toBe(false);
  });

  it('counts the cooldown down from when the status was fetched', () => {
    const status = { model: 'iris', cooldownSeconds: 600, cooldownRemainingSeconds: 100, inFlight: false, last: null };
    expect(cooldownLeft(status, 1_000, 1_000)).toBe(100);
    expect(cooldownLeft(status, 1_000, 31_500)).toBe(70);
    expect(cooldownLeft(status, 1_000, 500_000)).toBe(0);
    expect(cooldownLeft(null, 0, 0)).toBe(0);
    // Regression: a clock reading before the fetch showed "1s remaining" with no cooldown at all.
    expect(cooldownLeft({ ...status, cooldownRemainingSeconds: 0 }, 5_000, 4_950)).toBe(0);
  });

  it('describes outcomes and times', () => {
    const base = {
      requestId: 'r',
      idempotencyKey: null,
      model: 'iris',
      requestedBy: 'a',
      reason: 'x',
      at: '2026-11-23T10:05:00.000Z',
      detail: '',
    };
    expect(outcomeText({ ...base, outcome: 'triggered', webhookStatus: 204 })).toBe('pipeline started (HTTP 204)');
    expect(outcomeText({ ...base, outcome: 'failed', webhookStatus: null })).toBe('failed');
    expect(formatWhen('2026-11-23T10:05:00.000Z')).toBe('2026-11-23 10:05 UTC');
    expect(formatWhen('2026-11-23T10:05:00.000Z', 'Europe/Berlin')).toMatch(/^2026-11-23 11:05 (GMT\+1|CET)$/);
  });
});
