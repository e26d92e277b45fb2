import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, resolveConfig } from '../../src/config';
import type { SidecarConfigError as SidecarError } from '../../src/errors';

function errorOf(fn: () => unknown): SidecarError {
  try {
    fn();
  } catch (err) {
    return err as SidecarError;
  }
  throw new Error('expected an error');
}

describe('sidecar config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-config-'));

  it('fills every default', () => {
    const config = parseConfig({ upstream: 'http://127.0.0.1:8081' });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      adminPort: 9464,
      model: 'default',
      protocol: 'auto',
      requestIdHeader: 'x-request-id',
      captureMaxBytes: 4 * 1024 * 1024,
      timeouts: { connectMs: 5000, headersMs: 60000, bodyMs: 60000 },
      sinks: { spoolDir: './plumbline-spool', batchSize: 500, flushIntervalMs: 1000 },
      models: {},
    });
  });

  it('layers file < PLUMBLINE_* env < flags', () => {
    const file = join(dir, 'sidecar.yaml');
    writeFileSync(
      file,
      [
        'upstream: http://127.0.0.1:1111',
        'port: 7000',
        'model: from-file',
        'models:',
        '  iris:',
        '    sampleRate: 0.5',
        '    features: [sepal_length, sepal_width, petal_length, petal_width]',
        '    redact: { email: sha256 }',
        'sinks:',
        '  kafka: { brokers: ["127.0.0.1:9092"], inferenceTopic: t1 }',
      ].join('\n'),
    );
    const config = resolveConfig(
      { port: '9000', kafka: '127.0.0.1:9093,127.0.0.1:9094' },
      {
        PLUMBLINE_CONFIG: file,
        PLUMBLINE_PORT: '8000',
        PLUMBLINE_MODEL: 'from-env',
        PLUMBLINE_UPSTREAM: 'http://127.0.0.1:2222',
      },
    );
    expect(config.upstream).toBe('http://127.0.0.1:2222');
    expect(config.port).toBe(9000);
    expect(config.model).toBe('from-env');
    expect(config.models.iris).toMatchObject({ sampleRate: 0.5, redact: { email: 'sha256' }, task: 'auto' });
    expect(config.sinks.kafka).toEqual({
      brokers: ['127.0.0.1:9093', '127.0.0.1:9094'],
      inferenceTopic: 't1',
    });
  });

  it('reads JSON config files too', () => {
    const file = join(dir, 'sidecar.json');
    writeFileSync(file, JSON.stringify({ upstream: 'http://127.0.0.1:3333', protocol: 'mlflow' }));
    expect(resolveConfig({ config: file }, {}).protocol).toBe('mlflow');
  });

  it.each([
    [{}, 'upstream'],
    [{ upstream: 'ftp://x' }, 'upstream'],
    [{ upstream: 'http://x:1', port: 70000 }, 'port'],
    [{ upstream: 'http://x:1', protocol: 'grpc' }, 'protocol'],
    [{ upstream: 'http://x:1', models: { iris: { sampleRate: 2 } } }, 'models.iris.sampleRate'],
    [
      { upstream: 'http://x:1', models: { iris: { redact: { email: 'rot13' } } } },
      'models.iris.redact.email',
    ],
    [
      { upstream: 'http://x:1', models: { m: { generic: { features: 'rows', outputs: '/o' } } } },
      'models.m.generic.features',
    ],
    [{ upstream: 'http://x:1', sinks: { kafka: { brokers: ['nohost'] } } }, 'sinks.kafka.brokers.0'],
    [
      { upstream: 'http://x:1', sinks: { kafka: { brokers: ['a:9092'], partitionBy: 'row' } } },
      'sinks.kafka.partitionBy',
    ],
    [{ upstream: 'http://x:1', timeouts: { headersMs: -1 } }, 'timeouts.headersMs'],
    [{ upstream: 'http://x:1', prot: 'v2' }, 'prot'],
    [{ upstream: 'http://x:1', models: { m: { sample_rate: 1 } } }, 'models.m.sample_rate'],
    [{ upstream: 'http://x:1', protocol: 'generic' }, 'models.<name>.generic'],
  ])('%j → one message naming %s, exit code 2', (input, key) => {
    const err = errorOf(() => parseConfig(input));
    expect(err.code).toBe('SIDECAR_ERR_CONFIG');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(new RegExp(`^invalid config: ${key.replace(/[.*<>]/g, '\\$&')}: `));
  });

  it('names the flag/env key for a non-numeric port and the file for unreadable YAML', () => {
    expect(errorOf(() => resolveConfig({ upstream: 'http://x:1', adminPort: 'abc' }, {})).message).toBe(
      'invalid config: adminPort: must be a port number, got "abc"',
    );
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'upstream: [unclosed');
    expect(errorOf(() => resolveConfig({ config: bad }, {})).message).toMatch(
      /^invalid config: config: .*bad\.yaml is not valid YAML/,
    );
    expect(errorOf(() => resolveConfig({ config: join(dir, 'missing.yaml') }, {})).message).toMatch(
      /^invalid config: config: cannot read/,
    );
  });
});
