/**
 * The one shape of an Elasticsearch connection's security, shared by every place Plumbline talks to
 * Elasticsearch (the sidecar's sink, the exporter's source, the baseline store, the retrain audit store), and
 * the one factory that turns it into client options.
 *
 * Each of those config objects spreads {@link elasticsearchSecurityFields} next to its `url`:
 * - authentication: an API key (`apiKeyFile`, or `apiKey` from PLUMBLINE_ELASTICSEARCH_API_KEY) or basic auth
 *   (`username` + `passwordFile`, or `password` from PLUMBLINE_ELASTICSEARCH_PASSWORD);
 * - trust for an `https://` URL: a CA file (`caFile`, PEM) or the CA certificate's SHA-256 fingerprint
 *   (`caFingerprint`, which pins that CA instead of checking the chain and host name); neither = the system's CAs.
 *
 * Secrets come from files (the `…File` keys, a Docker or Kubernetes secret) or from the environment (the
 * loader's `secret` settings, refused in a config file), never from flags; no error message holds one.
 * docs/config.md ("Secured Elasticsearch") lists the variables and the least privileges each use needs.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { UsageError } from '../usage-error';
import type { Settings } from '../config/loader';

/** `AA:BB:…` (32 pairs) or the same 64 hex digits without colons. */
const FINGERPRINT = /^(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{64}$/;

/** The security keys of every Elasticsearch connection (spread into its strict object, next to `url`). */
export const elasticsearchSecurityFields = {
  /** Basic auth user; its password from `passwordFile` or PLUMBLINE_ELASTICSEARCH_PASSWORD. @default none */
  username: z.string().min(1).optional(),
  /** Basic auth password; from PLUMBLINE_ELASTICSEARCH_PASSWORD only (refused in a config file). @default none */
  password: z.string().min(1).optional(),
  /** File holding the basic auth password (trailing newline dropped). @default none */
  passwordFile: z.string().min(1).optional(),
  /** API key (the base64 `encoded` form); from PLUMBLINE_ELASTICSEARCH_API_KEY only. @default none */
  apiKey: z.string().min(1).optional(),
  /** File holding the API key (`encoded`, or `id:api_key`). @default none */
  apiKeyFile: z.string().min(1).optional(),
  /** PEM file of the CA that signed the cluster's HTTP certificate. @default none: the system's CAs */
  caFile: z.string().min(1).optional(),
  /** SHA-256 fingerprint of the cluster's CA certificate (`AA:BB:…`); pins that CA. @default none */
  caFingerprint: z
    .string()
    .regex(FINGERPRINT, 'must be a SHA-256 fingerprint (AA:BB:… or 64 hex digits)')
    .optional(),
};

/** One Elasticsearch connection as configured: its URL and the security keys. */
export interface ElasticsearchConnection {
  url: string;
  username?: string;
  password?: string;
  passwordFile?: string;
  apiKey?: string;
  apiKeyFile?: string;
  caFile?: string;
  caFingerprint?: string;
}

/**
 * The environment variables of a service's main Elasticsearch connection, each setting `<prefix>.<key>`
 * (`sinks.elasticsearch` for the sidecar, `source` for the exporter). The two secrets are `secret` settings: the
 * loader takes them from the environment only.
 */
export function elasticsearchSecurityEnv(prefix: string): Settings {
  return {
    PLUMBLINE_ELASTICSEARCH_USERNAME: { key: `${prefix}.username`, kind: 'string' },
    PLUMBLINE_ELASTICSEARCH_PASSWORD: { key: `${prefix}.password`, kind: 'string', secret: true },
    PLUMBLINE_ELASTICSEARCH_PASSWORD_FILE: { key: `${prefix}.passwordFile`, kind: 'string' },
    PLUMBLINE_ELASTICSEARCH_API_KEY: { key: `${prefix}.apiKey`, kind: 'string', secret: true },
    PLUMBLINE_ELASTICSEARCH_API_KEY_FILE: { key: `${prefix}.apiKeyFile`, kind: 'string' },
    PLUMBLINE_ELASTICSEARCH_CA_FILE: { key: `${prefix}.caFile`, kind: 'string' },
    PLUMBLINE_ELASTICSEARCH_CA_FINGERPRINT: { key: `${prefix}.caFingerprint`, kind: 'string' },
  };
}

/**
 * A connection to `url` with the security keys the PLUMBLINE_ELASTICSEARCH_* variables set, for a command that
 * takes its URL as a flag and has no config file (`plumbline baseline import --elasticsearch URL`).
 */
export function elasticsearchConnectionFromEnv(
  url: string,
  env: Record<string, string | undefined>,
): ElasticsearchConnection {
  const connection: ElasticsearchConnection = { url };
  for (const [name, setting] of Object.entries(elasticsearchSecurityEnv('connection'))) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const field = setting.key.slice('connection.'.length) as Exclude<keyof ElasticsearchConnection, 'url'>;
    connection[field] = value;
  }
  return connection;
}

/** What the factory hands to `new Client(…)` of `@elastic/elasticsearch` (a subset of its ClientOptions). */
export interface ElasticsearchClientSettings {
  node: string;
  auth?: { username: string; password: string } | { apiKey: string };
  tls?: { ca?: string; rejectUnauthorized?: boolean };
  caFingerprint?: string;
}

/** A connection's security keys do not fit together, or a file they name cannot be used; names the key. */
export class ElasticsearchConnectionError extends UsageError {
  constructor(
    key: string,
    /** What is wrong, without the key (for a service that words its own config errors). */
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super(`invalid config key ${key}: ${problem}`, { key, cause: options.cause });
    this.name = 'ElasticsearchConnectionError';
  }
}

function readSecretFile(key: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ElasticsearchConnectionError(key, `"${path}" cannot be read (${reason})`, { cause: err });
  }
  const value = text.replace(/(\r?\n)+$/, '');
  if (value.trim() === '') throw new ElasticsearchConnectionError(key, `"${path}" is empty`);
  return value;
}

/**
 * What is wrong with how a connection's keys fit together (no file is read), as the config loader's `check`
 * reports it; undefined when nothing is. `key` is the connection's config key.
 */
export function elasticsearchConnectionProblem(
  connection: ElasticsearchConnection,
  key: string,
): { key: string; problem: string } | undefined {
  const at = (field: string) => `${key}.${field}`;
  const pairs: [keyof ElasticsearchConnection, keyof ElasticsearchConnection][] = [
    ['apiKey', 'apiKeyFile'],
    ['password', 'passwordFile'],
    ['caFile', 'caFingerprint'],
  ];
  for (const [a, b] of pairs) {
    if (connection[a] !== undefined && connection[b] !== undefined)
      return { key: at(b), problem: `set ${a} or ${b}, not both` };
  }
  const hasApiKey = connection.apiKey !== undefined || connection.apiKeyFile !== undefined;
  const hasPassword = connection.password !== undefined || connection.passwordFile !== undefined;
  if (hasApiKey && (connection.username !== undefined || hasPassword)) {
    return { key: at('username'), problem: 'an API key and basic auth are both set; use one of them' };
  }
  if (connection.username !== undefined && !hasPassword) {
    return {
      key: at('passwordFile'),
      problem: `username is set but no password (${at('passwordFile')} or PLUMBLINE_ELASTICSEARCH_PASSWORD)`,
    };
  }
  if (hasPassword && connection.username === undefined) {
    return { key: at('username'), problem: 'a password is set but no username' };
  }
  const https = connection.url.startsWith('https:');
  if (!https && (connection.caFile !== undefined || connection.caFingerprint !== undefined)) {
    return {
      key: at(connection.caFile !== undefined ? 'caFile' : 'caFingerprint'),
      problem: `a CA is set but the url is not https (${connection.url})`,
    };
  }
  return undefined;
}

/**
 * The client options of one connection: files read now (call it at start-up), the keys checked together.
 * `key` is the connection's config key (`sinks.elasticsearch`, `source`, `baselineStore`,
 * `retrain.audit.elasticsearch`), used in errors. Throws {@link ElasticsearchConnectionError}.
 */
export function elasticsearchClientSettings(
  connection: ElasticsearchConnection,
  key: string,
): ElasticsearchClientSettings {
  const problem = elasticsearchConnectionProblem(connection, key);
  if (problem) throw new ElasticsearchConnectionError(problem.key, problem.problem);
  const at = (field: string) => `${key}.${field}`;
  const settings: ElasticsearchClientSettings = { node: connection.url };
  if (connection.apiKeyFile !== undefined) {
    settings.auth = { apiKey: apiKeyOf(readSecretFile(at('apiKeyFile'), connection.apiKeyFile)) };
  } else if (connection.apiKey !== undefined) {
    settings.auth = { apiKey: apiKeyOf(connection.apiKey) };
  } else if (connection.username !== undefined) {
    const password =
      connection.passwordFile !== undefined
        ? readSecretFile(at('passwordFile'), connection.passwordFile)
        : (connection.password as string);
    settings.auth = { username: connection.username, password };
  }
  if (connection.caFile !== undefined) {
    const ca = readSecretFile(at('caFile'), connection.caFile);
    try {
      new X509Certificate(ca);
    } catch (err) {
      throw new ElasticsearchConnectionError(
        at('caFile'),
        `"${connection.caFile}" is not a PEM certificate`,
        {
          cause: err,
        },
      );
    }
    settings.tls = { ca };
  } else if (connection.caFingerprint !== undefined) {
    // The fingerprint pins the CA in place of the usual chain check (which a private CA would fail).
    settings.caFingerprint = connection.caFingerprint;
    settings.tls = { rejectUnauthorized: false };
  }
  return settings;
}

/** `id:api_key` (as Elasticsearch returns them) becomes the base64 `encoded` form the header takes. */
function apiKeyOf(value: string): string {
  const trimmed = value.trim();
  return /^[^:\s]+:[^:\s]+$/.test(trimmed) ? Buffer.from(trimmed).toString('base64') : trimmed;
}
