/**
 * The sidecar's configuration: one zod schema with every default written next to its field, validated once at
 * start-up. Sources, lowest precedence first: a YAML/JSON file (`--config`), `PLUMBLINE_*` environment variables,
 * command-line flags. An invalid value ends start-up with one message naming the key (exit code 2).
 */
import {
  API_AUTH_ENV,
  apiAuthFields,
  createConfigLoader,
  elasticsearchConnectionProblem,
  elasticsearchSecurityEnv,
  elasticsearchSecurityFields,
  kafkaConnectionProblem,
  kafkaSecurityEnv,
  kafkaSecurityFields,
  type Settings,
} from '@plumbline/service-kit';
import { z } from 'zod';
import { REDACTIONS, type Redaction } from './capture/redact';
import { configError } from './errors';
import { isJsonPointer } from './protocols/json';
import { MAX_RING_BYTES, ringBytesFor } from './capture-thread/exchange-ring';

/** captureBacklog.exchanges by default: seconds of backlog at saturation. */
export const DEFAULT_BACKLOG_EXCHANGES = 100_000;

const port = z.number().int().min(0).max(65535);
const pointer = z.string().refine(isJsonPointer, 'must be a JSON pointer ("" or starting with "/")');
const positiveMs = z.number().int().positive();
const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name')
  .transform((s) => s.toLowerCase());

/**
 * A challenger that gets a copy of a model's requests after the primary answered (src/shadow/). Its answers become
 * events with `role: "shadow"`; the client never sees them.
 */
const ModelShadowSchema = z.strictObject({
  /** The challenger's base URL, like `upstream` (a path prefix is kept). Required. */
  url: z.url({ protocol: /^https?$/ }),
  /** Share of requests copied to the challenger, 0..1. @default 1 */
  sampleRate: z.number().min(0).max(1).default(1),
  /** The challenger's version when neither its path, its answer nor its `versionHeader` names one. @default none */
  version: z.string().min(1).optional(),
});

const ModelSettingsObject = z.strictObject({
  /** The model's version when neither the path, the answer nor the `versionHeader` names one. @default none */
  version: z.string().min(1).optional(),
  /** Copies of this model's requests to a challenger (overrides the top-level `shadow`). @default none */
  shadow: ModelShadowSchema.optional(),
  /** Share of requests whose events are kept, 0..1 (metrics always see every request). @default 1 */
  sampleRate: z.number().min(0).max(1).default(1),
  /** Feature names in column order, for requests whose rows are positional arrays. @default none */
  features: z.array(z.string().min(1)).optional(),
  /** Class names by class id / probability column. @default none (ids are used as names) */
  classes: z.array(z.string().min(1)).optional(),
  /** How numeric outputs are read: auto (integers are classes), classification or regression. @default 'auto' */
  task: z.enum(['auto', 'classification', 'regression']).default('auto'),
  /**
   * Per-feature redaction of personal data (src/capture/redact.ts): `drop` the field, `hmac-sha256` (keyed with
   * `redaction.keyFile`: not reversible without the key), or `sha256` (plain digest, reversible by dictionary for
   * low-entropy values; kept for existing configs, warned about at start-up). @default {}
   */
  redact: z.record(z.string(), z.enum(REDACTIONS)).default({}),
  /**
   * Which features events keep (src/capture/allowlist.ts): `all`, or `allowlist` with the `fields` kept; the others
   * are dropped before anything is stored or observed. Outputs are always kept. @default { mode: 'all' }
   */
  capture: z
    .discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('all') }),
      z.strictObject({ mode: z.literal('allowlist'), fields: z.array(z.string().min(1)) }),
    ])
    .default({ mode: 'all' }),
  /** Numeric features observed in plumbline_sidecar_feature_value (bounded cardinality). @default [] */
  histogramFeatures: z.array(z.string().min(1)).max(50).default([]),
  /** Generic adapter: where the rows and outputs are (RFC 6901 pointers). @default none */
  generic: z
    .strictObject({ features: pointer, outputs: pointer, probabilities: pointer.optional() })
    .optional(),
});

/** Per-model settings, with the rule across their keys. */
export const ModelSettingsSchema = ModelSettingsObject.superRefine((settings, ctx) => {
  // A feature kept out of events (not on the allowlist, dropped or hashed) is not observed in a histogram either.
  settings.histogramFeatures.forEach((name, i) => {
    const problem =
      settings.capture.mode === 'allowlist' && !settings.capture.fields.includes(name)
        ? 'is not on the capture allowlist (capture.fields)'
        : Object.prototype.hasOwnProperty.call(settings.redact, name)
          ? `is redacted (${settings.redact[name]})`
          : undefined;
    if (problem !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['histogramFeatures', i],
        message: `"${name}" ${problem}: a feature kept out of events is not observed in a histogram either`,
      });
    }
  });
});
export type ModelSettings = z.infer<typeof ModelSettingsSchema>;

export const SidecarConfigSchema = z.strictObject({
  /** The model server to wrap, e.g. http://127.0.0.1:8081 (a path prefix is kept). Required. */
  upstream: z.url({ protocol: /^https?$/ }),
  /** Address both servers listen on. @default '127.0.0.1' */
  host: z.string().min(1).default('127.0.0.1'),
  /** Proxy port; 0 picks a free one. @default 8080 */
  port: port.default(8080),
  /** Admin port (/metrics, /healthz, /readyz, /feedback); 0 picks a free one. @default 9464 */
  adminPort: port.default(9464),
  /** POST /feedback needs `Authorization: Bearer <apiToken>` (and reads too with requireTokenForReads). */
  ...apiAuthFields,
  /** Model name for events whose path does not name the model. @default 'default' */
  model: z.string().min(1).default('default'),
  /** Wire protocol, or auto-detection from path and body. @default 'auto' */
  protocol: z.enum(['auto', 'v2', 'kserve-v1', 'tfserving', 'mlflow', 'seldon', 'generic']).default('auto'),
  /** Header carrying the request id; propagated when the client sends one, added otherwise. @default 'x-request-id' */
  requestIdHeader: headerName.default('x-request-id'),
  /**
   * Header naming the model version, read from the model server's response, else from the request, when the path
   * and the body name none (MLflow, Seldon, generic servers). @default 'x-model-version'
   */
  versionHeader: headerName.default('x-model-version'),
  /**
   * Shadow traffic: a copy of every request (or a `sampleRate` sample) goes to a challenger after the primary's
   * response was written; `models.<m>.shadow` overrides `url`, `sampleRate` and `version` per model. The copies
   * have their own bounded concurrency and timeout: what cannot be sent is counted, never queued.
   */
  shadow: z
    .strictObject({
      /** The challenger for every model without its own `models.<m>.shadow`. @default none (no shadow traffic) */
      url: z.url({ protocol: /^https?$/ }).optional(),
      /** Share of requests copied, 0..1. @default 1 */
      sampleRate: z.number().min(0).max(1).default(1),
      /** The challenger's version when nothing else names it. @default none */
      version: z.string().min(1).optional(),
      /**
       * Shadow calls in flight at once (over every challenger); a copy past it is dropped and counted. 64, not 16:
       * exchanges reach the capture thread in batches (5 ms, more after a stall on shared cores), and a batch's
       * copies all leave at once — at 16, half of the drops measured at 1,000 req/s were 16 copies sent within
       * 2 ms, not a slow challenger (inference-sidecar README, "Shadow traffic"). @default 64
       */
      maxConcurrent: z.number().int().positive().default(64),
      /** Longest a shadow call may take, request sent → answer read; then it is abandoned as a timeout. @default 5000 */
      timeoutMs: positiveMs.default(5_000),
    })
    .default({ sampleRate: 1, maxConcurrent: 64, timeoutMs: 5_000 }),
  /**
   * How proxied bytes are handled. 'raw': only the HTTP/1.1 framing is parsed (src/proxy/raw/) and bytes pass
   * through as received, with the same header rules, errors and capture as 'node', at less of the proxy thread's
   * CPU and latency (`npm run bench:sidecar`); as strict as Node's parser. 'node': node:http parses each request
   * and undici sends it upstream. @default 'raw'
   */
  dataPlane: z.enum(['node', 'raw']).default('raw'),
  /**
   * Added to the capture thread's nice value at start-up (Linux; 0 = off): where CPU is short, the proxy thread,
   * which a client waits on, runs first and capture, sinks and shadow copies use what it leaves. Off by default:
   * under sustained saturation it also takes away the back-pressure a capture thread of equal priority puts on
   * the proxy, so capture falls behind and slow sinks' events wait in the spool (inference-sidecar/README.md,
   * "Shadow traffic"). Best effort: logged once, and ignored elsewhere than Linux or where the system refuses.
   * No effect with capture on the proxy thread.
   * @default 0
   */
  captureThreadNice: z.number().int().min(0).max(19).default(0),
  /** Upstream keep-alive pool. */
  upstreamPool: z
    .strictObject({
      /** Concurrent connections to the model server. @default 128 */
      connections: z.number().int().positive().default(128),
      /** Idle keep-alive time of a pooled connection. @default 30000 */
      keepAliveMs: positiveMs.default(30_000),
    })
    .default({ connections: 128, keepAliveMs: 30_000 }),
  /** Upstream timeouts, each answered with 504 SIDECAR_ERR_UPSTREAM_TIMEOUT. */
  timeouts: z
    .strictObject({
      /** TCP connect. @default 5000 */
      connectMs: positiveMs.default(5_000),
      /** Request sent → response headers received. @default 60000 */
      headersMs: positiveMs.default(60_000),
      /** Longest gap between two response body chunks. @default 60000 */
      bodyMs: positiveMs.default(60_000),
    })
    .default({ connectMs: 5_000, headersMs: 60_000, bodyMs: 60_000 }),
  /** Bytes of each request and response body kept for capture; larger bodies are proxied whole but become unparsed events. @default 4194304 */
  captureMaxBytes: z
    .number()
    .int()
    .min(0)
    .default(4 * 1024 * 1024),
  /**
   * How far capture may fall behind the proxy thread before new exchanges are dropped (counted as
   * dropped{sink="capture",reason="capture_backlog"}; the requests are still proxied): `exchanges` not yet taken in by
   * the capture thread, and `ringBytes`, the hand-off ring's size (null: twice a largest exchange, at least 16 MiB —
   * 18 MiB with the default captureMaxBytes). Only what a backlog reaches of the ring is ever resident.
   * @default { exchanges: 100000, ringBytes: null }
   */
  captureBacklog: z
    .strictObject({
      exchanges: z.number().int().positive().default(DEFAULT_BACKLOG_EXCHANGES),
      ringBytes: z.number().int().max(MAX_RING_BYTES).nullable().default(null),
    })
    .default({ exchanges: DEFAULT_BACKLOG_EXCHANGES, ringBytes: null }),
  /** Path the /readyz probe requests on the upstream; any answer below 500 means ready. @default '/' ('/v2/health/ready' when protocol is v2) */
  upstreamHealthPath: z.string().startsWith('/').optional(),
  /** Classes per model in plumbline_sidecar_predictions_total before the rest fold into class="other". @default 50 */
  maxClassesPerModel: z.number().int().positive().default(50),
  /** Distinct `model` label values in the sidecar's metrics before the rest count as model="other" (clients name
   * models in paths and feedback bodies); the models under `models` always keep theirs. @default 100 */
  maxModels: z.number().int().positive().default(100),
  /** pino level. @default 'info' */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Per-model settings keyed by model name; '*' applies to models not listed. @default {} */
  models: z.record(z.string(), ModelSettingsSchema).default({}),
  /** Keyed redaction (`hmac-sha256` in models.<m>.redact). */
  redaction: z
    .strictObject({
      /**
       * File whose bytes, as they are, are the secret key: at least 32 bytes, read once at start-up, never logged.
       * Required when a field is `hmac-sha256`. @default none
       */
      keyFile: z.string().min(1).optional(),
    })
    .default({}),
  /**
   * How long captured events are kept (docs/security.md#retention): older ones are deleted from Elasticsearch (a
   * delete-by-query of both indices), the spool and the embedded store (whole segments), and topics the Kafka sink
   * creates get it as `retention.ms`. Checked every `intervalSeconds`.
   */
  retention: z
    .strictObject({
      /** Age past which events go; null keeps them forever. @default 2592000 (30 days) */
      maxAgeSeconds: z
        .number()
        .positive()
        .nullable()
        .default(30 * 86_400),
      /** How often the age is enforced. @default 3600 */
      intervalSeconds: z.number().positive().default(3600),
    })
    .default({ maxAgeSeconds: 30 * 86_400, intervalSeconds: 3600 }),
  /** Where events go (src/pipeline). With neither Elasticsearch nor Kafka, the spool is the store the exporter reads. */
  sinks: z
    .strictObject({
      elasticsearch: z
        .strictObject({
          /** e.g. http://127.0.0.1:9200 */
          url: z.url({ protocol: /^https?$/ }),
          /** @default 'plumbline-inference' */
          inferenceIndex: z.string().min(1).optional(),
          /** @default 'plumbline-feedback' */
          feedbackIndex: z.string().min(1).optional(),
          /** API key or basic auth, CA file or fingerprint (docs/config.md#secured-elasticsearch). */
          ...elasticsearchSecurityFields,
        })
        .optional(),
      kafka: z
        .strictObject({
          /** host:port list. */
          brokers: z.array(z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port')).min(1),
          /** @default 'plumbline.inference' */
          inferenceTopic: z.string().min(1).optional(),
          /** @default 'plumbline.feedback' */
          feedbackTopic: z.string().min(1).optional(),
          /**
           * Key of inference messages: 'model' = the model name (a model's events on one partition, read by one
           * exporter instance); 'request' = model + request id (a model's events spread over every partition, for
           * an exporter scaled out with `source.scaleOut`). Feedback is keyed by model either way. @default 'model'
           */
          partitionBy: z.enum(['model', 'request']).optional(),
          /** TLS and SASL (docs/config.md#secured-kafka). */
          ...kafkaSecurityFields,
        })
        .optional(),
      /** Local spool directory (takes events while a sink is down; the embedded store without ES/Kafka). @default './plumbline-spool' */
      spoolDir: z.string().min(1).default('./plumbline-spool'),
      /** Spool size bound per sink; past it the oldest segment is dropped and counted. @default 536870912 */
      spoolMaxBytes: z
        .number()
        .int()
        .positive()
        .default(512 * 1024 * 1024),
      /** 'batch': fdatasync every append (survives power loss); 'never': survives a process kill only. @default 'batch' */
      spoolFsync: z.enum(['batch', 'never']).default('batch'),
      /** Events per sink write. @default 500 */
      batchSize: z.number().int().positive().default(500),
      /** Longest wait before a partial batch is written. @default 1000 */
      flushIntervalMs: positiveMs.default(1000),
      /** Events held in memory per sink before spilling to the spool. @default 10000 */
      maxQueueEvents: z.number().int().positive().default(10_000),
    })
    .default({
      spoolDir: './plumbline-spool',
      spoolMaxBytes: 512 * 1024 * 1024,
      spoolFsync: 'batch',
      batchSize: 500,
      flushIntervalMs: 1000,
      maxQueueEvents: 10_000,
    }),
});
export type SidecarConfig = z.infer<typeof SidecarConfigSchema>;
export type SidecarConfigInput = z.input<typeof SidecarConfigSchema>;

/** PLUMBLINE_* variables the sidecar reads and the config key each one sets. */
export const SIDECAR_ENV: Settings = {
  PLUMBLINE_UPSTREAM: { key: 'upstream', kind: 'string' },
  PLUMBLINE_HOST: { key: 'host', kind: 'string' },
  PLUMBLINE_PORT: { key: 'port', kind: 'port' },
  PLUMBLINE_ADMIN_PORT: { key: 'adminPort', kind: 'port' },
  PLUMBLINE_MODEL: { key: 'model', kind: 'string' },
  PLUMBLINE_PROTOCOL: { key: 'protocol', kind: 'string' },
  PLUMBLINE_ELASTICSEARCH_URL: { key: 'sinks.elasticsearch.url', kind: 'string' },
  PLUMBLINE_ELASTICSEARCH: {
    key: 'sinks.elasticsearch.url',
    kind: 'string',
    replacedBy: 'PLUMBLINE_ELASTICSEARCH_URL',
  },
  ...elasticsearchSecurityEnv('sinks.elasticsearch'),
  PLUMBLINE_KAFKA_BROKERS: { key: 'sinks.kafka.brokers', kind: 'list' },
  PLUMBLINE_KAFKA: { key: 'sinks.kafka.brokers', kind: 'list', replacedBy: 'PLUMBLINE_KAFKA_BROKERS' },
  ...kafkaSecurityEnv('sinks.kafka'),
  PLUMBLINE_SPOOL_DIR: { key: 'sinks.spoolDir', kind: 'string' },
  PLUMBLINE_RETENTION_MAX_AGE_SECONDS: { key: 'retention.maxAgeSeconds', kind: 'duration' },
  PLUMBLINE_LOG_LEVEL: { key: 'logLevel', kind: 'string' },
  PLUMBLINE_SHADOW_URL: { key: 'shadow.url', kind: 'string' },
  PLUMBLINE_DATA_PLANE: { key: 'dataPlane', kind: 'string' },
  PLUMBLINE_CAPTURE_THREAD_NICE: { key: 'captureThreadNice', kind: 'integer' },
  PLUMBLINE_REDACTION_KEY_FILE: { key: 'redaction.keyFile', kind: 'string' },
  ...API_AUTH_ENV,
};

/** The variable naming the config file when `--config` is not given. */
export const CONFIG_FILE_ENV = 'PLUMBLINE_CONFIG';

/** `plumbline sidecar` flags (commander attribute names) and the config key each one sets. */
export const SIDECAR_FLAGS = {
  upstream: { key: 'upstream', kind: 'string' },
  host: { key: 'host', kind: 'string' },
  port: { key: 'port', kind: 'port' },
  adminPort: { key: 'adminPort', kind: 'port' },
  model: { key: 'model', kind: 'string' },
  protocol: { key: 'protocol', kind: 'string' },
  elasticsearchUrl: { key: 'sinks.elasticsearch.url', kind: 'string' },
  elasticsearch: { key: 'sinks.elasticsearch.url', kind: 'string', replacedBy: 'elasticsearchUrl' },
  kafkaBrokers: { key: 'sinks.kafka.brokers', kind: 'list' },
  kafka: { key: 'sinks.kafka.brokers', kind: 'list', replacedBy: 'kafkaBrokers' },
  spoolDir: { key: 'sinks.spoolDir', kind: 'string' },
  logLevel: { key: 'logLevel', kind: 'string' },
  shadow: { key: 'shadow.url', kind: 'string' },
} satisfies Settings;

/** The command-line flags the sidecar reads: texts, or values already read by `sidecarConfigLoader.argParser`. */
export type ConfigOverrides = { [flag in keyof typeof SIDECAR_FLAGS]?: string | number | string[] };

/** The sidecar's use of the one config loader; every error is a SIDECAR_ERR_CONFIG naming the key (exit 2). */
export const sidecarConfigLoader = createConfigLoader({
  schema: SidecarConfigSchema,
  env: SIDECAR_ENV,
  flags: SIDECAR_FLAGS,
  apiToken: true,
  error: (issue) =>
    configError(
      issue.key,
      issue.received === undefined ? issue.problem : `${issue.problem}, got "${issue.received}"`,
      issue.cause,
    ),
  check: (config) =>
    config.protocol === 'generic' && !Object.values(config.models).some((m) => m.generic)
      ? {
          key: 'models.<name>.generic',
          problem: 'protocol "generic" needs JSON pointers for features and outputs',
        }
      : (checkRedactionKey(config) ??
        checkRingBytes(config) ??
        (config.sinks.elasticsearch &&
          elasticsearchConnectionProblem(config.sinks.elasticsearch, 'sinks.elasticsearch')) ??
        (config.sinks.kafka && kafkaConnectionProblem(config.sinks.kafka, 'sinks.kafka'))),
});

/** The capture ring must hold a largest exchange wherever its positions are: twice one, at least 16 MiB. */
function checkRingBytes(config: SidecarConfig): { key: string; problem: string } | undefined {
  const { ringBytes } = config.captureBacklog;
  const least = ringBytesFor(config.captureMaxBytes);
  return ringBytes === null || ringBytes >= least
    ? undefined
    : {
        key: 'captureBacklog.ringBytes',
        problem: `must be at least ${least} (twice a largest exchange with captureMaxBytes ${config.captureMaxBytes}, at least 16 MiB), got ${ringBytes}`,
      };
}

/** An `hmac-sha256` field needs the key file (whose content is read and checked at start-up, readRedactionKey). */
function checkRedactionKey(config: SidecarConfig): { key: string; problem: string } | undefined {
  if (config.redaction.keyFile !== undefined) return undefined;
  const field = hmacFields(config)[0];
  return field === undefined
    ? undefined
    : {
        key: 'redaction.keyFile',
        problem: `models.${field} is hmac-sha256, which needs a secret key file (redaction.keyFile or PLUMBLINE_REDACTION_KEY_FILE)`,
      };
}

/** `<model>.redact.<field>` of every field redacted with the given mode. */
export function redactedFields(config: SidecarConfig, mode: Redaction): string[] {
  return Object.entries(config.models).flatMap(([model, settings]) =>
    Object.entries(settings.redact)
      .filter(([, rule]) => rule === mode)
      .map(([field]) => `${model}.redact.${field}`),
  );
}

const hmacFields = (config: SidecarConfig): string[] => redactedFields(config, 'hmac-sha256');

/** Validates a config object; throws a SIDECAR_ERR_CONFIG error (exit code 2) naming the first wrong key. */
export function parseConfig(input: unknown): SidecarConfig {
  return sidecarConfigLoader.parse(input);
}

/** Settings of one model: its own entry, else the '*' entry, else the defaults. */
export function modelSettings(config: SidecarConfig, model: string): ModelSettings {
  return config.models[model] ?? config.models['*'] ?? DEFAULT_MODEL_SETTINGS;
}

export const DEFAULT_MODEL_SETTINGS: ModelSettings = ModelSettingsSchema.parse({});

/**
 * The whole resolution: file (flag `--config` or PLUMBLINE_CONFIG) < PLUMBLINE_* env < flags, then validation.
 * Key names in errors are config-file keys (`sinks.kafka.brokers`, `port`). Old names (PLUMBLINE_KAFKA,
 * --elasticsearch, …) still work with a deprecation warning on stderr.
 */
export function resolveConfig(
  flags: ConfigOverrides & { config?: string },
  env: NodeJS.ProcessEnv,
  warn?: (line: string) => void,
): SidecarConfig {
  const { config, ...overrides } = flags;
  const file = config ?? (env[CONFIG_FILE_ENV] || undefined);
  return sidecarConfigLoader.load({ file, env, flags: overrides, warn });
}

/** Where a model's shadow copies go: its own `shadow` (or the '*' entry's), else the top-level one. */
export interface ShadowTarget {
  url: string;
  sampleRate: number;
  version?: string;
}

/** The challenger of a model, or undefined when its requests are not copied. */
export function shadowSettings(config: SidecarConfig, model: string): ShadowTarget | undefined {
  const own = modelSettings(config, model).shadow;
  if (own !== undefined) return own;
  const { url, sampleRate, version } = config.shadow;
  return url === undefined ? undefined : { url, sampleRate, version };
}
