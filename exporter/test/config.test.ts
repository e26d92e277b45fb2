import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../src/config';
import { configError } from './helpers/config-error';

const dir = mkdtempSync(join(tmpdir(), 'plumbline-exporter-config-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('fills every default from a minimal file', () => {
    const c = loadConfig({ file: file('min.yaml', 'models:\n  - name: iris\n') });
    expect(c.models[0]).toMatchObject({ name: 'iris', version: null, features: [], correction: 'none' });
    expect(c.source).toEqual({ kind: 'spool', dir: './plumbline-spool' });
    expect(c.baselineStore).toEqual({ kind: 'file', dir: null });
    expect(c.window).toEqual({
      kind: 'sliding',
      sizeSeconds: 3600,
      stepSeconds: 60,
      minimumSamples: 100,
      graceSeconds: 5,
      bucketSeconds: null,
      bucketSampleSize: 2000,
      sampleSize: 50_000,
    });
    expect(c.checkpoint).toEqual({ dir: null, intervalSeconds: 30 });
    expect(c.dedupe).toEqual({ horizonSeconds: 900, maxIds: 2_000_000 });
    expect(c.port).toBe(9465);
    expect(c.notify.cooldownSeconds).toBe(900);
  });

  it('lets env override the file and flags override env', () => {
    const path = file('layered.json', JSON.stringify({ models: [{ name: 'iris' }], port: 1000 }));
    const env = { PLUMBLINE_EXPORTER_PORT: '2000', PLUMBLINE_WINDOW_SECONDS: '600' };
    expect(loadConfig({ file: path }).port).toBe(1000);
    expect(loadConfig({ file: path, env }).port).toBe(2000);
    const c = loadConfig({ file: path, env, flags: { port: '3000' } });
    expect(c.port).toBe(3000);
    expect(c.window.sizeSeconds).toBe(600);
  });

  it('switches the source kind from env and fills that kind’s defaults', () => {
    const c = loadConfig({
      base: { models: [{ name: 'iris' }] },
      env: { PLUMBLINE_SOURCE: 'kafka', PLUMBLINE_KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093' },
    });
    expect(c.source).toMatchObject({
      kind: 'kafka',
      brokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
      groupId: 'plumbline-exporter',
      inferenceTopic: 'plumbline.inference',
    });
  });

  it('source.scaleOut is off by default; on, it names the state topic (and nothing else)', () => {
    const off = parseConfig({ models: [{ name: 'iris' }], source: { kind: 'kafka' } }).source;
    expect(off).toMatchObject({ kind: 'kafka', scaleOut: null });
    const on = parseConfig({
      models: [{ name: 'iris' }],
      source: { kind: 'kafka', scaleOut: { stateTopic: 'plumbline.exporter-state' } },
    }).source;
    expect(on).toMatchObject({ scaleOut: { stateTopic: 'plumbline.exporter-state' } });
    for (const scaleOut of [{}, { stateTopic: '' }, { stateTopic: 's', topic: 's' }])
      expect(() => parseConfig({ models: [{ name: 'iris' }], source: { kind: 'kafka', scaleOut } })).toThrow(
        /source\.scaleOut/,
      );
  });

  it('infers the source and baseline store kind from the keys given (PLUMBLINE_SPOOL_DIR alone is a spool)', () => {
    const c = loadConfig({
      base: { models: [{ name: 'iris' }] },
      env: { PLUMBLINE_SPOOL_DIR: '/var/spool/plumbline', PLUMBLINE_BASELINE_DIR: '/var/lib/baselines' },
    });
    expect(c.source).toEqual({ kind: 'spool', dir: '/var/spool/plumbline' });
    expect(c.baselineStore).toEqual({ kind: 'file', dir: '/var/lib/baselines' });
    const es = loadConfig({
      base: { models: [{ name: 'iris' }] },
      env: { PLUMBLINE_ELASTICSEARCH_URL: 'http://127.0.0.1:9201' },
    });
    expect(es.source).toMatchObject({ kind: 'elasticsearch', url: 'http://127.0.0.1:9201' });
  });

  it('names the key and where the bad value came from, with exit code 2', () => {
    const e = configError(() =>
      loadConfig({ base: { models: [{ name: 'iris' }] }, env: { PLUMBLINE_WINDOW_SECONDS: 'soon' } }),
    );
    expect(e.exitCode).toBe(2);
    expect(e.key).toBe('window.sizeSeconds');
    expect(e.message).toMatch(/window\.sizeSeconds \(from PLUMBLINE_WINDOW_SECONDS\)/);

    const nested = configError(() =>
      loadConfig({ file: file('bad.yaml', 'models:\n  - name: iris\n    correction: holm\n') }),
    );
    expect(nested.key).toBe('models.0.correction');

    const range = configError(() =>
      loadConfig({ base: { models: [{ name: 'x' }] }, flags: { port: '70000' } }),
    );
    expect(range.message).toMatch(/invalid config key port \(from command line\)/);

    expect(configError(() => loadConfig({})).key).toBe('models');
    expect(
      configError(() =>
        loadConfig({ base: { models: [{ name: 'x' }], window: { sizeSeconds: 60, stepSeconds: 120 } } }),
      ).key,
    ).toBe('window.stepSeconds');
    expect(
      configError(() =>
        loadConfig({ base: { models: [{ name: 'x' }], notify: { webhookUrl: 'not a url' } } }),
      ).key,
    ).toBe('notify.webhookUrl');
  });

  it('reports unreadable and malformed files by name', () => {
    expect(configError(() => loadConfig({ file: join(dir, 'missing.yaml') })).message).toMatch(
      /missing\.yaml/,
    );
    expect(configError(() => loadConfig({ file: file('broken.json', '{') })).message).toMatch(/broken\.json/);
    expect(configError(() => loadConfig({ file: file('list.yaml', '- 1\n') })).message).toMatch(/an object/);
  });
});
