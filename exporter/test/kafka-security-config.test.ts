// The exporter's Kafka source takes the shared TLS / SASL keys (service-kit's kafkaSecurityFields) from the
// PLUMBLINE_KAFKA_* variables; keys that do not fit together name the key at fault.
import { loadConfig, parseConfig } from '../src/config';
import { configError } from './helpers/config-error';

const models = [{ name: 'iris' }];

it('PLUMBLINE_KAFKA_* variables set the source connection', () => {
  const config = loadConfig({
    base: { models },
    env: {
      PLUMBLINE_KAFKA_BROKERS: 'kafka-1:9094',
      PLUMBLINE_KAFKA_TLS: 'true',
      PLUMBLINE_KAFKA_CA_FILE: '/etc/kafka-ca.crt',
      PLUMBLINE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      PLUMBLINE_KAFKA_USERNAME: 'plumbline-exporter',
      PLUMBLINE_KAFKA_PASSWORD_FILE: '/run/secrets/kafka_password',
    },
  });
  expect(config.source).toMatchObject({
    kind: 'kafka',
    brokers: ['kafka-1:9094'],
    tls: true,
    caFile: '/etc/kafka-ca.crt',
    saslMechanism: 'scram-sha-512',
    username: 'plumbline-exporter',
    passwordFile: '/run/secrets/kafka_password',
  });
});

it('an unknown mechanism or a user without a mechanism names the key', () => {
  const mechanism = configError(() =>
    parseConfig({ models, source: { kind: 'kafka', saslMechanism: 'gssapi', username: 'u' } }),
  );
  expect(mechanism.key).toBe('source.saslMechanism');
  expect(mechanism.code).toBe('EXPORTER_ERR_CONFIG');
  expect(
    configError(() => parseConfig({ models, source: { kind: 'kafka', username: 'u', passwordFile: '/p' } }))
      .key,
  ).toBe('source.saslMechanism');
});
