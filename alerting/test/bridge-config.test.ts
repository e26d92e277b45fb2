/** The bridge's environment configuration: defaults, and errors that name the variable (exit code 2). */
import { bridgeConfigFromEnv, BridgeConfigError } from '../src/bridge/config';
import { DEFAULT_POLICY } from '../src/bridge/policy';

const BASE = {
  PLUMBLINE_RETRAIN_URL: 'http://exporter:9464/api/retrain',
  PLUMBLINE_RETRAIN_TOKEN: 'secret',
  PLUMBLINE_PROMETHEUS_URL: 'http://prometheus:9090',
};

test('defaults around the three required variables', () => {
  expect(bridgeConfigFromEnv(BASE)).toEqual({
    host: '0.0.0.0',
    port: 9099,
    prometheusUrl: 'http://prometheus:9090',
    retrainUrl: 'http://exporter:9464/api/retrain',
    retrainToken: 'secret',
    timeoutMs: 10_000,
    // Scheduled triggers (issue #13) are off unless configured.
    models: [],
    triggers: [],
    triggerIntervalSeconds: 300,
    policy: DEFAULT_POLICY,
  });
});

test('policy knobs are read from the environment', () => {
  const c = bridgeConfigFromEnv({
    ...BASE,
    PLUMBLINE_BRIDGE_CATEGORIES: 'drift, quality',
    PLUMBLINE_BRIDGE_COOLDOWN_SECONDS: '60',
    PLUMBLINE_BRIDGE_MIN_WINDOW_SAMPLES: '10',
    PLUMBLINE_BRIDGE_MAX_ACCURACY: '0.9',
    PLUMBLINE_BRIDGE_PREDICTION_DRIFT: 'true',
  });
  expect(c.policy).toEqual({
    categories: ['drift', 'quality'],
    cooldownSeconds: 60,
    minWindowSamples: 10,
    maxAccuracy: 0.9,
    predictionDrift: true,
  });
});

test.each([
  [{ PLUMBLINE_RETRAIN_TOKEN: '' }, 'PLUMBLINE_RETRAIN_TOKEN: required'],
  [
    { PLUMBLINE_RETRAIN_URL: 'exporter:9464' },
    'PLUMBLINE_RETRAIN_URL: expected an http(s) URL, got "exporter:9464"',
  ],
  [{ PLUMBLINE_BRIDGE_PORT: '70000' }, 'PLUMBLINE_BRIDGE_PORT: expected a port, got "70000"'],
  [
    { PLUMBLINE_BRIDGE_MAX_ACCURACY: '1.5' },
    'PLUMBLINE_BRIDGE_MAX_ACCURACY: expected a number in (0, 1], got "1.5"',
  ],
  [{ PLUMBLINE_BRIDGE_CATEGORIES: ' , ' }, 'PLUMBLINE_BRIDGE_CATEGORIES: at least one category'],
  [
    { PLUMBLINE_BRIDGE_PREDICTION_DRIFT: 'yes' },
    'PLUMBLINE_BRIDGE_PREDICTION_DRIFT: expected true or false, got "yes"',
  ],
])('%j → %s (exit 2)', (override, message) => {
  let error: unknown;
  try {
    bridgeConfigFromEnv({ ...BASE, ...override });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(BridgeConfigError);
  expect((error as BridgeConfigError).message).toBe(message);
  expect((error as BridgeConfigError).exitCode).toBe(2);
});

test('the cooldown takes a unit too; a text that is no number names the variable and the text', () => {
  expect(
    bridgeConfigFromEnv({ ...BASE, PLUMBLINE_BRIDGE_COOLDOWN_SECONDS: '6h' }).policy.cooldownSeconds,
  ).toBe(21_600);
  expect(() => bridgeConfigFromEnv({ ...BASE, PLUMBLINE_BRIDGE_TIMEOUT_MS: 'soon' })).toThrow(
    'PLUMBLINE_BRIDGE_TIMEOUT_MS: expected a number, got "soon"',
  );
});
