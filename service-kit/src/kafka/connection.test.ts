// The shared Kafka connection shape: TLS and SASL options for kafkajs from files or the environment, keys checked
// together and named, no message holding the password. (The real broker: tests/integration/kafka-sasl.int.test.ts.)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  createConfigLoader,
  kafkaClientSettings,
  kafkaConnectionProblem,
  kafkaSecurityEnv,
  kafkaSecurityFields,
} from '../index';

const SECRET = randomBytes(24).toString('hex');
const dir = mkdtempSync(path.join(tmpdir(), 'kafka-connection-'));

const loader = createConfigLoader({
  schema: z.strictObject({
    source: z.strictObject({ brokers: z.array(z.string()).default([]), ...kafkaSecurityFields }).optional(),
  }),
  env: kafkaSecurityEnv('source'),
});

test('SASL_SSL with SCRAM-SHA-512 from the environment', () => {
  const source = loader.load({
    env: {
      PLUMBLINE_KAFKA_TLS: 'true',
      PLUMBLINE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      PLUMBLINE_KAFKA_USERNAME: 'plumbline-exporter',
      PLUMBLINE_KAFKA_PASSWORD: SECRET,
    },
  }).source!;
  expect(kafkaClientSettings(source, 'source')).toStrictEqual({
    ssl: true,
    sasl: { mechanism: 'scram-sha-512', username: 'plumbline-exporter', password: SECRET },
  });
});

test('the password from a file; a config file holding the password is refused', () => {
  const file = path.join(dir, 'password');
  writeFileSync(file, `${SECRET}\n`);
  expect(
    kafkaClientSettings({ saslMechanism: 'plain', username: 'u', passwordFile: file }, 'sinks.kafka').sasl,
  ).toStrictEqual({ mechanism: 'plain', username: 'u', password: SECRET });
  const config = path.join(dir, 'config.yaml');
  writeFileSync(config, `source:\n  saslMechanism: plain\n  username: u\n  password: ${SECRET}\n`);
  let err: (Error & { key?: string }) | undefined;
  try {
    loader.load({ file: config, env: {} });
  } catch (e) {
    err = e as Error & { key?: string };
  }
  expect(err?.key).toBe('source.password');
  expect(err?.message).toContain('PLUMBLINE_KAFKA_PASSWORD');
  expect(err?.message).not.toContain(SECRET);
});

test('keys that do not fit together are named', () => {
  expect(kafkaConnectionProblem({ username: 'u', password: SECRET }, 's')?.key).toBe('s.saslMechanism');
  expect(kafkaConnectionProblem({ saslMechanism: 'plain', password: SECRET }, 's')?.key).toBe('s.username');
  expect(kafkaConnectionProblem({ saslMechanism: 'plain', username: 'u' }, 's')?.key).toBe('s.passwordFile');
  expect(kafkaConnectionProblem({ caFile: '/ca' }, 's')?.key).toBe('s.caFile');
  expect(
    kafkaConnectionProblem(
      { saslMechanism: 'plain', username: 'u', password: SECRET, passwordFile: '/p' },
      's',
    )?.key,
  ).toBe('s.passwordFile');
  expect(() => kafkaClientSettings({ tls: true, caFile: path.join(dir, 'missing') }, 's')).toThrow(
    /s\.caFile: .* cannot be read \(ENOENT\)/,
  );
  expect(kafkaConnectionProblem({}, 's')).toBeUndefined();
});
