// Regression: a sink credential file that cannot be read used to end the capture thread ("the capture thread
// exited (code 1)", exit 1). It is now read on the main thread first: SIDECAR_ERR_CONFIG naming the key, exit 2.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createSidecar } from '../../src/app';
import { parseConfig } from '../../src/config';

function startError(
  sinks: Record<string, unknown>,
): Error & { code?: string; key?: string; exitCode?: number } {
  const config = parseConfig({ upstream: 'http://127.0.0.1:9', sinks });
  try {
    createSidecar(config, { logger: pino({ level: 'silent' }) });
  } catch (err) {
    return err as Error & { code?: string; key?: string; exitCode?: number };
  }
  throw new Error('expected start-up to fail');
}

it('a missing Elasticsearch password file stops start-up naming the key', () => {
  const err = startError({
    elasticsearch: { url: 'https://127.0.0.1:9200', username: 'u', passwordFile: '/nonexistent/pw' },
  });
  expect(err.code).toBe('SIDECAR_ERR_CONFIG');
  expect(err.key).toBe('sinks.elasticsearch.passwordFile');
  expect(err.exitCode).toBe(2);
  expect(err.message).toMatch(/cannot be read \(ENOENT\)/);
});

it('an empty Kafka password file and a CA file that is not PEM do too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sink-credentials-'));
  const empty = join(dir, 'empty');
  writeFileSync(empty, '\n');
  const kafka = startError({
    kafka: {
      brokers: ['127.0.0.1:9094'],
      saslMechanism: 'scram-sha-512',
      username: 'u',
      passwordFile: empty,
    },
  });
  expect(kafka.key).toBe('sinks.kafka.passwordFile');
  expect(kafka.message).toMatch(/is empty/);
  const ca = join(dir, 'ca.crt');
  writeFileSync(ca, 'not a certificate');
  expect(startError({ elasticsearch: { url: 'https://127.0.0.1:9200', caFile: ca } }).key).toBe(
    'sinks.elasticsearch.caFile',
  );
});
