// The sink's Elasticsearch security keys (service-kit's shared shape): set from PLUMBLINE_ELASTICSEARCH_* variables,
// the password never from a config file, and keys that do not fit together stop start-up naming the key.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { resolveConfig } from '../../src/config';

const SECRET = randomBytes(24).toString('hex');
const upstream = 'http://127.0.0.1:8081';

function errorOf(fn: () => unknown): Error & { code?: string; key?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string; key?: string };
  }
  throw new Error('expected an error');
}

it('PLUMBLINE_ELASTICSEARCH_* variables set the sink connection', () => {
  const config = resolveConfig(
    { upstream },
    {
      PLUMBLINE_ELASTICSEARCH_URL: 'https://es:9200',
      PLUMBLINE_ELASTICSEARCH_USERNAME: 'plumbline-sidecar',
      PLUMBLINE_ELASTICSEARCH_PASSWORD: SECRET,
      PLUMBLINE_ELASTICSEARCH_CA_FILE: '/etc/es-ca.crt',
    },
  );
  expect(config.sinks.elasticsearch).toMatchObject({
    url: 'https://es:9200',
    username: 'plumbline-sidecar',
    password: SECRET,
    caFile: '/etc/es-ca.crt',
  });
});

it('a password in the config file is refused, without quoting it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'es-security-config-'));
  const file = join(dir, 'sidecar.yaml');
  writeFileSync(
    file,
    `upstream: ${upstream}\nsinks:\n  elasticsearch:\n    url: https://es:9200\n    username: u\n    password: ${SECRET}\n`,
  );
  const err = errorOf(() => resolveConfig({ config: file }, {}));
  expect(err.code).toBe('SIDECAR_ERR_CONFIG');
  expect(err.key).toBe('sinks.elasticsearch.password');
  expect(err.message).toContain('PLUMBLINE_ELASTICSEARCH_PASSWORD');
  expect(err.message).not.toContain(SECRET);
});

it('an API key together with basic auth, or a CA on http://, names the key', () => {
  const both = errorOf(() =>
    resolveConfig(
      { upstream },
      {
        PLUMBLINE_ELASTICSEARCH_URL: 'https://es:9200',
        PLUMBLINE_ELASTICSEARCH_API_KEY: SECRET,
        PLUMBLINE_ELASTICSEARCH_USERNAME: 'u',
        PLUMBLINE_ELASTICSEARCH_PASSWORD_FILE: '/run/secrets/pw',
      },
    ),
  );
  expect(both.code).toBe('SIDECAR_ERR_CONFIG');
  expect(both.key).toBe('sinks.elasticsearch.username');
  expect(both.message).not.toContain(SECRET);
  const plain = errorOf(() =>
    resolveConfig(
      { upstream },
      {
        PLUMBLINE_ELASTICSEARCH_URL: 'http://es:9200',
        PLUMBLINE_ELASTICSEARCH_CA_FINGERPRINT: 'AB'.repeat(32),
      },
    ),
  );
  expect(plain.key).toBe('sinks.elasticsearch.caFingerprint');
});
