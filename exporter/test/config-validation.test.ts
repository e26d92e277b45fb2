// Regression tests for what the exporter's config let through before it went through service-kit's loader:
// z.object dropped unknown keys silently (docs/config.md says they are errors), stat test ids were any string,
// and the retrain section was an opaque record validated only later, with keys not named from the top.
import { loadConfig, parseConfig } from '../src/config';
import { configError } from './helpers/config-error';

const models = [{ name: 'iris' }];

it('an unknown key in the exporter config names the key, at any depth (it used to be dropped silently)', () => {
  const top = configError(() => parseConfig({ models, windw: { sizeSeconds: 60 } }));
  expect(top.key).toBe('windw');
  expect(top.message).toMatch(/^invalid config key windw: unknown key/);
  expect(top.code).toBe('EXPORTER_ERR_CONFIG');
  expect(top.exitCode).toBe(2);
  expect(configError(() => parseConfig({ models: [{ name: 'iris', treshold: 1 }] })).key).toBe(
    'models.0.treshold',
  );
  expect(configError(() => parseConfig({ models, source: { kind: 'kafka', broker: ['a:1'] } })).key).toBe(
    'source.broker',
  );
  expect(configError(() => parseConfig({ models, notify: { webhook: 'http://h' } })).key).toBe(
    'notify.webhook',
  );
});

it('stat test ids are the registry’s: a wrong one is named with the known ids listed', () => {
  const known = 'known stat tests: ks, chisquare, psi, wasserstein, jensenshannon';
  const perFeature = configError(() => parseConfig({ models: [{ name: 'iris', stattests: { x: 'kss' } }] }));
  expect(perFeature.key).toBe('models.0.stattests.x');
  expect(perFeature.message).toContain(`unknown stat test "kss"; ${known}`);
  const threshold = configError(() => parseConfig({ models: [{ name: 'iris', thresholds: { pси: 0.1 } }] }));
  expect(threshold.key).toBe('models.0.thresholds.pси');
  expect(threshold.message).toContain(known);
  const perFeatureThreshold = configError(() =>
    parseConfig({ models: [{ name: 'iris', featureThresholds: { x: { chi2: 0.01 } } }] }),
  );
  expect(perFeatureThreshold.key).toBe('models.0.featureThresholds.x.chi2');
  const ok = parseConfig({
    models: [
      {
        name: 'iris',
        stattests: { x: 'psi' },
        thresholds: { ks: 0.01 },
        featureThresholds: { x: { psi: 0.2 } },
      },
    ],
  });
  expect(ok.models[0].thresholds).toEqual({ ks: 0.01 });
});

it('the retrain section is validated with the rest, its errors naming retrain.<key>', () => {
  const e = configError(() =>
    parseConfig({
      models,
      retrain: { token: 'x'.repeat(16), webhook: { kind: 'generic', url: 'not a url' } },
    }),
  );
  expect(e.key).toBe('retrain.webhook.url');
  expect(
    configError(() =>
      parseConfig({ models, retrain: { webhook: { kind: 'generic', url: 'http://h' }, cooldown: 1 } }),
    ).key,
  ).toBe('retrain.cooldown');
  const config = parseConfig({ models, retrain: { webhook: { kind: 'generic', url: 'http://h' } } });
  expect(config.retrain).toMatchObject({ cooldownSeconds: 3600, tokenEnv: 'PLUMBLINE_RETRAIN_TOKEN' });
});

it('durations from the environment take units too; an unreadable one names its variable', () => {
  const c = loadConfig({
    base: { models },
    env: { PLUMBLINE_WINDOW_SECONDS: '10m', PLUMBLINE_SCHEDULE_SECONDS: '30' },
  });
  expect([c.window.sizeSeconds, c.schedule.intervalSeconds]).toEqual([600, 30]);
  expect(
    configError(() => loadConfig({ base: { models }, env: { PLUMBLINE_MIN_SAMPLES: '1.5' } })).message,
  ).toBe(
    'invalid config key window.minimumSamples (from PLUMBLINE_MIN_SAMPLES): expected an integer, got "1.5"',
  );
});

it('refuses a bucket width that does not divide the window (names window.bucketSeconds)', () => {
  expect(() =>
    parseConfig({
      models: [{ name: 'iris' }],
      window: { sizeSeconds: 3600, stepSeconds: 60, bucketSeconds: 50 },
    }),
  ).toThrow(/window\.bucketSeconds/);
});

it('refuses a window of more than 100,000 buckets at start (names window.bucketSeconds), not hours into traffic', () => {
  const models = [{ name: 'iris' }];
  // Two days in one-second buckets: 172,800 buckets, each with its own sample, merged at every evaluation.
  const explicit = configError(() =>
    parseConfig({ models, window: { sizeSeconds: 172_800, stepSeconds: 60, bucketSeconds: 1 } }),
  );
  expect(explicit.key).toBe('window.bucketSeconds');
  expect(explicit.message).toContain(
    'a window of 172800 s in buckets of 1 s is 172800 buckets, more than 100000: set a larger bucketSeconds',
  );
  // The derived width (the largest common divisor of size and step up to 60) is 1 s for a one-second step.
  const derived = configError(() =>
    parseConfig({ models, window: { sizeSeconds: 604_800, stepSeconds: 1 } }),
  );
  expect(derived.key).toBe('window.bucketSeconds');
  expect(derived.message).toContain('(or a size and step with a larger common divisor)');
  // A week moving by a minute is 10,080 one-minute buckets: fine.
  expect(parseConfig({ models, window: { sizeSeconds: 604_800, stepSeconds: 60 } }).window.sizeSeconds).toBe(
    604_800,
  );
});
