// The shared Elasticsearch connection shape: the loader takes the two secrets from the environment only (a config
// file holding one is refused), the factory reads the files and checks the keys together, and no message ever
// holds a secret. (The real secured cluster: tests/integration/elasticsearch-security.int.test.ts.)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  createConfigLoader,
  elasticsearchClientSettings,
  elasticsearchConnectionFromEnv,
  elasticsearchConnectionProblem,
  elasticsearchSecurityEnv,
  elasticsearchSecurityFields,
  ElasticsearchConnectionError,
} from '../index';

const SECRET = randomBytes(24).toString('hex');
const dir = mkdtempSync(path.join(tmpdir(), 'es-connection-'));
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const loader = createConfigLoader({
  schema: z.strictObject({
    sink: z.strictObject({ url: z.string(), ...elasticsearchSecurityFields }).optional(),
  }),
  env: {
    PLUMBLINE_ELASTICSEARCH_URL: { key: 'sink.url', kind: 'string' },
    ...elasticsearchSecurityEnv('sink'),
  },
});

function failure(run: () => unknown): Error & { key?: string } {
  try {
    run();
  } catch (err) {
    return err as Error & { key?: string };
  }
  throw new Error('expected an error');
}

test('the password and the API key come from the environment', () => {
  const env = {
    PLUMBLINE_ELASTICSEARCH_URL: 'https://127.0.0.1:9200',
    PLUMBLINE_ELASTICSEARCH_USERNAME: 'writer',
    PLUMBLINE_ELASTICSEARCH_PASSWORD: SECRET,
  };
  const sink = loader.load({ env }).sink!;
  expect(elasticsearchClientSettings(sink, 'sink')).toStrictEqual({
    node: 'https://127.0.0.1:9200',
    auth: { username: 'writer', password: SECRET },
  });
  const keyed = loader.load({
    env: { PLUMBLINE_ELASTICSEARCH_URL: 'http://h:9200', PLUMBLINE_ELASTICSEARCH_API_KEY: SECRET },
  }).sink!;
  expect(elasticsearchClientSettings(keyed, 'sink').auth).toStrictEqual({ apiKey: SECRET });
});

test('a config file that holds a password or an API key is refused, naming the key and the variable', () => {
  for (const field of ['password', 'apiKey']) {
    const config = file(`${field}.yaml`, `sink:\n  url: http://h:9200\n  ${field}: ${SECRET}\n`);
    const err = failure(() => loader.load({ file: config, env: {} }));
    expect(err.key).toBe(`sink.${field}`);
    expect(err.message).toContain(
      field === 'password' ? 'PLUMBLINE_ELASTICSEARCH_PASSWORD' : 'PLUMBLINE_ELASTICSEARCH_API_KEY',
    );
    expect(err.message).not.toContain(SECRET);
  }
});

test('secrets from files: trailing newline dropped, id:api_key encoded as the header wants', () => {
  const password = file('password', `${SECRET}\n`);
  expect(
    elasticsearchClientSettings({ url: 'http://h:9200', username: 'writer', passwordFile: password }, 'sink')
      .auth,
  ).toStrictEqual({ username: 'writer', password: SECRET });
  const idAndKey = file('api-key', `the-id:${SECRET}\n`);
  expect(
    elasticsearchClientSettings({ url: 'http://h:9200', apiKeyFile: idAndKey }, 'sink').auth,
  ).toStrictEqual({
    apiKey: Buffer.from(`the-id:${SECRET}`).toString('base64'),
  });
});

test('a missing or empty secret file names the key, never the contents', () => {
  const missing = failure(() =>
    elasticsearchClientSettings({ url: 'http://h:9200', apiKeyFile: path.join(dir, 'nope') }, 'source'),
  );
  expect(missing).toBeInstanceOf(ElasticsearchConnectionError);
  expect(missing.key).toBe('source.apiKeyFile');
  expect(missing.message).toMatch(/cannot be read \(ENOENT\)/);
  const empty = failure(() =>
    elasticsearchClientSettings(
      { url: 'http://h:9200', username: 'u', passwordFile: file('empty', '\n') },
      'source',
    ),
  );
  expect(empty.key).toBe('source.passwordFile');
  expect(empty.message).toMatch(/is empty/);
});

test('the keys must fit together', () => {
  const url = 'https://h:9200';
  const cases: [Record<string, string>, string][] = [
    [{ apiKey: SECRET, apiKeyFile: '/f' }, 's.apiKeyFile'],
    [{ username: 'u', password: SECRET, passwordFile: '/f' }, 's.passwordFile'],
    [{ apiKey: SECRET, username: 'u', password: SECRET }, 's.username'],
    [{ username: 'u' }, 's.passwordFile'],
    [{ password: SECRET }, 's.username'],
    [{ caFile: '/ca', caFingerprint: 'AB'.repeat(32) }, 's.caFingerprint'],
  ];
  for (const [fields, key] of cases) {
    const problem = elasticsearchConnectionProblem({ url, ...fields }, 's');
    expect(problem?.key).toBe(key);
    expect(problem?.problem).not.toContain(SECRET);
    expect(failure(() => elasticsearchClientSettings({ url, ...fields }, 's')).key).toBe(key);
  }
  expect(elasticsearchConnectionProblem({ url: 'http://h:9200', caFile: '/ca' }, 's')?.key).toBe('s.caFile');
  expect(elasticsearchConnectionProblem({ url, username: 'u', password: SECRET }, 's')).toBeUndefined();
});

test('a CA file is read as PEM; a fingerprint pins the CA in place of the chain check', () => {
  expect(
    failure(() =>
      elasticsearchClientSettings({ url: 'https://h:9200', caFile: file('ca.txt', 'not pem') }, 's'),
    ).key,
  ).toBe('s.caFile');
  const fingerprint = 'AB:'.repeat(31) + 'AB';
  expect(
    elasticsearchClientSettings({ url: 'https://h:9200', caFingerprint: fingerprint }, 's'),
  ).toStrictEqual({
    node: 'https://h:9200',
    caFingerprint: fingerprint,
    tls: { rejectUnauthorized: false },
  });
  const bad = failure(() =>
    loader.load({
      env: { PLUMBLINE_ELASTICSEARCH_URL: 'https://h:9200', PLUMBLINE_ELASTICSEARCH_CA_FINGERPRINT: 'AB:CD' },
    }),
  );
  expect(bad.key).toBe('sink.caFingerprint');
});

test('a secret setting cannot be a flag', () => {
  expect(() =>
    createConfigLoader({
      schema: z.strictObject({ password: z.string().optional() }),
      flags: { password: { key: 'password', kind: 'string', secret: true } },
    }),
  ).toThrow(/cannot be a secret/);
});

test('a command without a config file takes the connection from the variables', () => {
  expect(
    elasticsearchConnectionFromEnv('https://es:9200', {
      PLUMBLINE_ELASTICSEARCH_API_KEY_FILE: '/run/secrets/key',
      PLUMBLINE_ELASTICSEARCH_CA_FINGERPRINT: 'AB'.repeat(32),
      PLUMBLINE_ELASTICSEARCH_USERNAME: '',
      PLUMBLINE_ELASTICSEARCH_URL: 'http://ignored:9200',
    }),
  ).toStrictEqual({ url: 'https://es:9200', apiKeyFile: '/run/secrets/key', caFingerprint: 'AB'.repeat(32) });
});
