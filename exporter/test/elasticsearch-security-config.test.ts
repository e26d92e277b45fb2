// The exporter's three Elasticsearch connections (source, baseline store, retrain audit store) take the shared
// security keys; the variables set the source's; keys that do not fit together name the key at fault.
import { loadConfig, parseConfig } from '../src/config';
import { configError } from './helpers/config-error';

const models = [{ name: 'iris' }];

it('PLUMBLINE_ELASTICSEARCH_* variables set the source connection (its kind follows from the url)', () => {
  const config = loadConfig({
    base: { models },
    env: {
      PLUMBLINE_ELASTICSEARCH_URL: 'https://es:9200',
      PLUMBLINE_ELASTICSEARCH_API_KEY_FILE: '/run/secrets/es_api_key',
      PLUMBLINE_ELASTICSEARCH_CA_FINGERPRINT: 'AB'.repeat(32),
    },
  });
  expect(config.source).toMatchObject({
    kind: 'elasticsearch',
    url: 'https://es:9200',
    apiKeyFile: '/run/secrets/es_api_key',
    caFingerprint: 'AB'.repeat(32),
  });
});

it('each connection is checked and named: source, baselineStore, retrain.audit.elasticsearch', () => {
  expect(
    configError(() =>
      parseConfig({ models, source: { kind: 'elasticsearch', url: 'https://es:9200', username: 'u' } }),
    ).key,
  ).toBe('source.passwordFile');
  expect(
    configError(() =>
      parseConfig({
        models,
        baselineStore: { kind: 'elasticsearch', url: 'http://es:9200', caFile: '/ca.crt' },
      }),
    ).key,
  ).toBe('baselineStore.caFile');
  const audit = configError(() =>
    parseConfig({
      models,
      retrain: {
        token: 'retrain-token-0123456789',
        webhook: { kind: 'generic', url: 'http://ci/hook' },
        audit: { elasticsearch: { url: 'https://es:9200', apiKeyFile: '/k', passwordFile: '/p' } },
      },
    }),
  );
  expect(audit.key).toBe('retrain.audit.elasticsearch.username');
  expect(audit.code).toBe('EXPORTER_ERR_CONFIG');
});
