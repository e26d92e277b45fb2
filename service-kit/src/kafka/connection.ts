/**
 * The one shape of a Kafka connection's security, shared by the sidecar's Kafka sink and the exporter's Kafka
 * source (its follower and its state topic), and the one factory that turns it into kafkajs client options.
 *
 * Each of those config objects spreads {@link kafkaSecurityFields} next to its `brokers`:
 * - `tls: true` encrypts (SSL, or SASL_SSL with a mechanism), trusting `caFile` (PEM) or the system's CAs;
 * - `saslMechanism` (`scram-sha-512`, `scram-sha-256` or `plain`) with `username` and `passwordFile` (or `password`
 *   from PLUMBLINE_KAFKA_PASSWORD) authenticates.
 *
 * Secrets come from files or the environment (the loader's `secret` settings), never from flags; no error message
 * holds one. docs/security.md lists the ACLs the producer and the consumer group need.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import type { Settings } from '../config/loader';
import { UsageError } from '../usage-error';

export const KAFKA_SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** The security keys of every Kafka connection (spread into its strict object, next to `brokers`). */
export const kafkaSecurityFields = {
  /** TLS to the brokers (the SSL / SASL_SSL listener). @default false (unset) */
  tls: z.boolean().optional(),
  /** PEM file of the CA that signed the brokers' certificates (with `tls`). @default none: the system's CAs */
  caFile: z.string().min(1).optional(),
  /** SASL mechanism; with `tls` this is SASL_SSL. @default none: no SASL */
  saslMechanism: z.enum(KAFKA_SASL_MECHANISMS).optional(),
  /** SASL user. @default none */
  username: z.string().min(1).optional(),
  /** SASL password; from PLUMBLINE_KAFKA_PASSWORD only (refused in a config file). @default none */
  password: z.string().min(1).optional(),
  /** File holding the SASL password (trailing newline dropped). @default none */
  passwordFile: z.string().min(1).optional(),
};

/** One Kafka connection's security as configured. */
export interface KafkaConnection {
  tls?: boolean;
  caFile?: string;
  saslMechanism?: KafkaSaslMechanism;
  username?: string;
  password?: string;
  passwordFile?: string;
}

/** The variables of a service's Kafka connection, each setting `<prefix>.<key>` (`sinks.kafka`, `source`). */
export function kafkaSecurityEnv(prefix: string): Settings {
  return {
    PLUMBLINE_KAFKA_TLS: { key: `${prefix}.tls`, kind: 'boolean' },
    PLUMBLINE_KAFKA_CA_FILE: { key: `${prefix}.caFile`, kind: 'string' },
    PLUMBLINE_KAFKA_SASL_MECHANISM: { key: `${prefix}.saslMechanism`, kind: 'string' },
    PLUMBLINE_KAFKA_USERNAME: { key: `${prefix}.username`, kind: 'string' },
    PLUMBLINE_KAFKA_PASSWORD: { key: `${prefix}.password`, kind: 'string', secret: true },
    PLUMBLINE_KAFKA_PASSWORD_FILE: { key: `${prefix}.passwordFile`, kind: 'string' },
  };
}

/** What the factory hands to `new Kafka(…)` of kafkajs (its `ssl` and `sasl` options). */
export interface KafkaClientSettings {
  ssl?: true | { ca: string[] };
  sasl?: KafkaSasl;
}

/** kafkajs' SASL options: one object type per mechanism. */
export type KafkaSasl = {
  [M in KafkaSaslMechanism]: { mechanism: M; username: string; password: string };
}[KafkaSaslMechanism];

/** A connection's security keys do not fit together, or a file they name cannot be used; names the key. */
export class KafkaConnectionError extends UsageError {
  constructor(
    key: string,
    /** What is wrong, without the key (for a service that words its own config errors). */
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super(`invalid config key ${key}: ${problem}`, { key, cause: options.cause });
    this.name = 'KafkaConnectionError';
  }
}

/** What is wrong with how a connection's keys fit together (no file is read), or undefined. */
export function kafkaConnectionProblem(
  connection: KafkaConnection,
  key: string,
): { key: string; problem: string } | undefined {
  const at = (field: string) => `${key}.${field}`;
  const hasPassword = connection.password !== undefined || connection.passwordFile !== undefined;
  if (connection.password !== undefined && connection.passwordFile !== undefined)
    return { key: at('passwordFile'), problem: 'set password or passwordFile, not both' };
  if (connection.caFile !== undefined && connection.tls !== true)
    return { key: at('caFile'), problem: 'a CA file is set but tls is not true' };
  if (connection.saslMechanism === undefined) {
    if (connection.username !== undefined || hasPassword)
      return { key: at('saslMechanism'), problem: 'a SASL user is set but no saslMechanism' };
    return undefined;
  }
  if (connection.username === undefined)
    return { key: at('username'), problem: `saslMechanism ${connection.saslMechanism} needs a username` };
  if (!hasPassword)
    return {
      key: at('passwordFile'),
      problem: `saslMechanism ${connection.saslMechanism} needs a password (${at('passwordFile')} or PLUMBLINE_KAFKA_PASSWORD)`,
    };
  return undefined;
}

function readFileAt(key: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new KafkaConnectionError(key, `"${path}" cannot be read (${reason})`, { cause: err });
  }
  const value = text.replace(/(\r?\n)+$/, '');
  if (value.trim() === '') throw new KafkaConnectionError(key, `"${path}" is empty`);
  return value;
}

/**
 * kafkajs `ssl` and `sasl` options of one connection: files read now (call it at start-up), the keys checked
 * together. `key` is the connection's config key (`sinks.kafka`, `source`). Throws {@link KafkaConnectionError}.
 */
export function kafkaClientSettings(connection: KafkaConnection, key: string): KafkaClientSettings {
  const problem = kafkaConnectionProblem(connection, key);
  if (problem) throw new KafkaConnectionError(problem.key, problem.problem);
  const settings: KafkaClientSettings = {};
  if (connection.tls === true) {
    if (connection.caFile === undefined) settings.ssl = true;
    else {
      const ca = readFileAt(`${key}.caFile`, connection.caFile);
      try {
        new X509Certificate(ca);
      } catch (err) {
        throw new KafkaConnectionError(`${key}.caFile`, `"${connection.caFile}" is not a PEM certificate`, {
          cause: err,
        });
      }
      settings.ssl = { ca: [ca] };
    }
  }
  if (connection.saslMechanism !== undefined) {
    const password =
      connection.passwordFile !== undefined
        ? readFileAt(`${key}.passwordFile`, connection.passwordFile)
        : (connection.password as string);
    settings.sasl = {
      mechanism: connection.saslMechanism,
      username: connection.username as string,
      password,
    } as KafkaSasl;
  }
  return settings;
}
