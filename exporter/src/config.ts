/**
 * The exporter's configuration: one zod schema, every default written next to its field, validated once at
 * start-up.
 *
 * Precedence: command-line flags over PLUMBLINE_* environment variables over a YAML/JSON file over defaults.
 * An invalid value ends the process with exit code 2 and one message naming the key (and where it came from).
 */
import {
  API_AUTH_ENV,
  apiAuthFields,
  createConfigLoader,
  durationSeconds,
  elasticsearchConnectionProblem,
  elasticsearchSecurityEnv,
  elasticsearchSecurityFields,
  formatConfigIssue,
  kafkaConnectionProblem,
  kafkaSecurityEnv,
  kafkaSecurityFields,
  UsageError,
  type LoadConfigOptions as LoaderOptions,
  type Settings,
} from '@plumbline/service-kit';
import { z } from 'zod';
import { bucketSecondsFor } from './windows/window';
import { DataQualityConfigSchema } from './data-quality/config';
import { RetrainConfigSchema } from './retrain/config';
import { StatTestIdSchema } from './stattests/registry';

const url = z.url({ protocol: /^https?$/ });

export const CORRECTIONS = ['none', 'bonferroni', 'bh'] as const;

/** A record key that must be a registered stat test id (the message lists the known ids). */
const StatTestIdKey = z.string().pipe(StatTestIdSchema);

export const ModelConfigSchema = z.strictObject({
  /** Model name as the sidecar records it in `model.name`. */
  name: z.string().min(1),
  /** Only events of this model version; null = every version (metrics still carry the version seen). */
  version: z.string().min(1).nullable().default(null),
  /** Which stored baseline to compare against. */
  baseline: z
    .object({
      /** Baseline version in the BaselineStore; null = the one stored for `version`, else the latest. */
      version: z.string().min(1).nullable().default(null),
    })
    .default({ version: null }),
  /** Features to watch; empty = every feature the baseline profiles. Bounds the `feature` label. */
  features: z.array(z.string().min(1)).default([]),
  /** Stat test id per feature, one of the registry's (`ks`, `chisquare`, `psi`, `wasserstein`, `jensenshannon`);
   * absent = automatic. */
  stattests: z.record(z.string(), StatTestIdSchema).default({}),
  /** Threshold per stat test id for every feature (α for p-value tests, a distance otherwise); absent = the
   * test's default (docs/stattests.md). */
  thresholds: z.partialRecord(StatTestIdKey, z.number().positive()).default({}),
  /** Thresholds per feature, then per stat test id: `{ petal_length: { psi: 0.2 } }` (wins over `thresholds`). */
  featureThresholds: z.record(z.string(), z.partialRecord(StatTestIdKey, z.number().positive())).default({}),
  /** p-value tests flag drift only when the effect size is at least this (a million rows do not flag a
   * negligible shift); null = no floor. */
  effectSizeFloor: z.number().min(0).nullable().default(null),
  /** Multiple-testing correction for the dataset verdict. */
  correction: z.enum(CORRECTIONS).default('none'),
  /** Dataset drift when at least this share of features drift. */
  driftShare: z.number().gt(0).max(1).default(0.5),
  /** Classification (confusion matrix, F1) or regression (MAE, RMSE). */
  task: z.enum(['classification', 'regression']).default('classification'),
  /** Data-quality checks (issue #12): margins per check, per model and per feature, and checks to skip; every
   * default is in exporter/src/data-quality/config.ts (docs/stattests.md, "Data-quality checks"). */
  dataQuality: DataQualityConfigSchema.prefault({}),
  /** Predictions of this model below this confidence go to people (the review queue); null = the exporter-wide
   * `confidenceThreshold`. */
  confidenceThreshold: z.number().min(0).max(1).nullable().default(null),
  /** A limit per predicted class (`{ spam: 0.9 }`), winning over `confidenceThreshold` (exporter/src/review/limits.ts). */
  classThresholds: z.record(z.string().min(1), z.number().min(0).max(1)).default({}),
  /** Features whose values split the traffic into segments (issue #12): drift, quality and traffic per value, for
   * the top `segments.topK` values (the rest pooled as `other`), exported with a `segment` label. */
  segments: z
    .array(z.string().min(1))
    .max(10)
    .refine((a) => new Set(a).size === a.length, 'a segment feature is listed twice')
    .default([]),
});
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

export const ElasticsearchSourceSchema = z.strictObject({
  kind: z.literal('elasticsearch'),
  /** Elasticsearch base URL. */
  url: url.default('http://127.0.0.1:9200'),
  /** Index (or pattern) the sidecar writes inference events to. */
  inferenceIndex: z.string().min(1).default('plumbline-inference'),
  /** Index (or pattern) the sidecar writes feedback events to. */
  feedbackIndex: z.string().min(1).default('plumbline-feedback'),
  /** Documents per search_after page. */
  pageSize: z.number().int().min(1).max(10_000).default(1000),
  /** Most events one range read holds (`--capture-baseline`); the newest are kept. The service reads every event. */
  maxEventsPerWindow: z.number().int().min(1).default(200_000),
  /** Request timeout. */
  timeoutMs: z.number().int().min(1).default(30_000),
  /** API key or basic auth, CA file or fingerprint (docs/config.md#secured-elasticsearch). */
  ...elasticsearchSecurityFields,
});

export const KafkaSourceSchema = z.strictObject({
  kind: z.literal('kafka'),
  /** Bootstrap brokers, host:port. */
  brokers: z
    .array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port'))
    .min(1)
    .default(['127.0.0.1:9092']),
  inferenceTopic: z.string().min(1).default('plumbline.inference'),
  feedbackTopic: z.string().min(1).default('plumbline.feedback'),
  /** Consumer group: exporter instances in one group split the partitions. */
  groupId: z.string().min(1).default('plumbline-exporter'),
  clientId: z.string().min(1).default('plumbline-exporter'),
  /** Read the topics from the start when the group has no committed offset. */
  fromBeginning: z.boolean().default(true),
  /** Most events held in memory per partition (the oldest are evicted first). */
  maxBufferedEvents: z.number().int().min(1).default(200_000),
  /**
   * One model's traffic over several instances of the group (the sidecar's `sinks.kafka.partitionBy: request`):
   * each instance folds the partitions it is assigned, publishes their buckets to `stateTopic` (a compacted topic,
   * created if missing) and reads everyone else's; the owner of a model's home partition evaluates the merge of
   * every partition's buckets. exporter/README.md "Scale out". null = off: one instance per model.
   */
  scaleOut: z
    .strictObject({ stateTopic: z.string().min(1) })
    .nullable()
    .default(null),
  /** TLS and SASL (docs/config.md#secured-kafka). */
  ...kafkaSecurityFields,
});

export const SpoolSourceSchema = z.strictObject({
  kind: z.literal('spool'),
  /** The sidecar's local spool directory (the embedded store); the sidecar's default too. */
  dir: z.string().min(1).default('./plumbline-spool'),
});

export const SourceConfigSchema = z.discriminatedUnion('kind', [
  ElasticsearchSourceSchema,
  KafkaSourceSchema,
  SpoolSourceSchema,
]);
export type SourceConfig = z.infer<typeof SourceConfigSchema>;
export type ElasticsearchSourceConfig = z.infer<typeof ElasticsearchSourceSchema>;
export type KafkaSourceConfig = z.infer<typeof KafkaSourceSchema>;
export type SpoolSourceConfig = z.infer<typeof SpoolSourceSchema>;

/**
 * The most buckets a window may be merged from. Each bucket keeps its own counts and a sample of up to
 * bucketSampleSize rows, and every evaluation merges all of a window's: past this, memory and merge time grow
 * without use (a week of one-minute buckets is 10,080). A config that would exceed it is refused at start, not
 * after the hours of traffic it takes to fill the buckets.
 */
export const MAX_BUCKETS_PER_WINDOW = 100_000;

export const WindowConfigSchema = z
  .object({
    /** tumbling: back-to-back windows, each evaluated once when it closes; sliding: a window of `sizeSeconds`
     * evaluated every `stepSeconds`. */
    kind: z.enum(['tumbling', 'sliding']).default('sliding'),
    /** Window length. */
    sizeSeconds: z.number().int().min(1).default(3600),
    /** Sliding windows: how far the window moves between evaluations (ignored for tumbling). */
    stepSeconds: z.number().int().min(1).default(60),
    /** Below this many rows a window gets no verdict (reported as `insufficient_data`). */
    minimumSamples: z.number().int().min(1).default(100),
    /** A window is evaluated this long after it closes, so events still in flight (sink batching, index
     * refresh) are in it. */
    graceSeconds: z.number().min(0).default(5),
    /** Width of the time buckets events are folded into; must divide the size and (sliding) the step. null = the
     * largest divisor of both that is at most 60 (one minute for the default window). */
    bucketSeconds: z.number().int().min(1).nullable().default(null),
    /** Rows each bucket samples uniformly (k) for the tests on raw values (KS, Wasserstein, quantiles). */
    bucketSampleSize: z.number().int().min(10).max(1_000_000).default(2000),
    /** Rows of a window's uniform sample (K) those tests run on; counts are exact over every row whatever this is. */
    sampleSize: z.number().int().min(100).max(10_000_000).default(50_000),
  })
  .refine((w) => w.kind === 'tumbling' || w.stepSeconds <= w.sizeSeconds, {
    message: 'stepSeconds must not exceed sizeSeconds',
    path: ['stepSeconds'],
  })
  .refine(
    (w) =>
      w.bucketSeconds === null ||
      (w.sizeSeconds % w.bucketSeconds === 0 &&
        (w.kind === 'tumbling' || w.stepSeconds % w.bucketSeconds === 0)),
    {
      message: 'bucketSeconds must divide sizeSeconds and (sliding windows) stepSeconds',
      path: ['bucketSeconds'],
    },
  )
  .superRefine((w, ctx) => {
    const bucket = bucketSecondsFor(w);
    const buckets = w.sizeSeconds / bucket;
    if (buckets > MAX_BUCKETS_PER_WINDOW)
      ctx.addIssue({
        code: 'custom',
        message:
          `a window of ${w.sizeSeconds} s in buckets of ${bucket} s is ${buckets} buckets, more than ` +
          `${MAX_BUCKETS_PER_WINDOW}: set a larger bucketSeconds` +
          (w.bucketSeconds === null ? ' (or a size and step with a larger common divisor)' : ''),
        path: ['bucketSeconds'],
      });
  });
export type WindowConfig = z.infer<typeof WindowConfigSchema>;

export const BaselineStoreConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('file'),
    /** Directory of the local baseline store; null = `plumbline baseline`'s default ($PLUMBLINE_BASELINE_DIR, else
     * $XDG_DATA_HOME/plumbline/baselines, else ~/.local/share/plumbline/baselines). */
    dir: z.string().min(1).nullable().default(null),
  }),
  z.strictObject({
    kind: z.literal('elasticsearch'),
    url: url.default('http://127.0.0.1:9200'),
    /** Index holding baseline profiles. */
    index: z.string().min(1).default('plumbline-baselines'),
    /** API key or basic auth, CA file or fingerprint (docs/config.md#secured-elasticsearch). */
    ...elasticsearchSecurityFields,
  }),
]);
export type BaselineStoreConfig = z.infer<typeof BaselineStoreConfigSchema>;

export const NotifyConfigSchema = z.strictObject({
  /** Generic webhook receiving Slack-compatible JSON (`text` + `blocks`); null = off. */
  webhookUrl: url.nullable().default(null),
  /** Alertmanager base URL (alerts go to `/api/v2/alerts`); null = off. */
  alertmanagerUrl: url.nullable().default(null),
  /** Least time between two notifications for one model (a state change inside it is held back). */
  cooldownSeconds: z.number().min(0).default(900),
  /** Per-request timeout. */
  timeoutMs: z.number().int().min(1).default(5000),
});
export type NotifyConfig = z.infer<typeof NotifyConfigSchema>;

/** A duration: seconds (`86400`) or a number with a unit (`90s`, `5m`, `1h`, `14d`), read as seconds. */
const DurationSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const seconds = typeof v === 'number' ? v : durationSeconds(v);
  if (seconds === undefined || !(seconds > 0)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration > 0 (seconds, or 30s, 5m, 1h, 14d), got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return seconds;
});

/** A reporting range of realized quality: as written (its `range` label), and its length. */
const ReportingRangeSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const seconds = typeof v === 'number' ? v : durationSeconds(v);
  if (seconds === undefined || !(seconds >= 300) || seconds % 300 !== 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration of whole five minutes (1h, 24h, 7d), got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return { range: typeof v === 'number' ? `${v}s` : v.trim(), seconds };
});

/** The reporting ranges when `quality.ranges` is not set (those that fit in the horizon). */
export const DEFAULT_REPORTING_RANGES: readonly { range: string; seconds: number }[] = [
  { range: '1h', seconds: 3600 },
  { range: '24h', seconds: 86_400 },
  { range: '7d', seconds: 7 * 86_400 },
];

/**
 * Realized quality from late labels (issue #11): the label horizon store (exporter/src/label-horizon/) and the
 * reporting ranges of quality by prediction time (docs/stattests.md, "Realized quality by prediction time").
 */
export const QualityConfigSchema = z
  .strictObject({
    /** Feedback up to this long after its prediction is joined to it (predictions are kept on disk that long). */
    labelHorizon: DurationSchema.default(14 * 86_400),
    /** Reporting ranges: quality of the predictions made in the last of each, with the labels arrived so far;
     * null = 1h, 24h and 7d, those of them that fit in the horizon. */
    ranges: z.array(ReportingRangeSchema).min(1).max(10).nullable().default(null),
    /** Directory of the store; null = `<checkpoint.dir>/label-horizon`, else a directory of its own under the
     * system's temporary directory, removed when the exporter stops. */
    dir: z.string().min(1).nullable().default(null),
  })
  .refine(
    (q) =>
      q.ranges === null ||
      (new Set(q.ranges.map((r) => r.range)).size === q.ranges.length &&
        new Set(q.ranges.map((r) => r.seconds)).size === q.ranges.length),
    {
      message: 'ranges must not repeat (nor two name the same length)',
      path: ['ranges'],
    },
  )
  .refine((q) => q.ranges === null || q.ranges.every((r) => r.seconds <= q.labelHorizon), {
    message: 'every range must be at most labelHorizon (older predictions are not kept)',
    path: ['ranges'],
  })
  .transform((q) => ({
    ...q,
    ranges: q.ranges ?? DEFAULT_REPORTING_RANGES.filter((r) => r.seconds <= q.labelHorizon),
  }));
export type QualityConfig = z.infer<typeof QualityConfigSchema>;

export const ReviewConfigSchema = z.strictObject({
  /**
   * The sidecar's admin URL (`http://sidecar:9466`): review actions are posted to its `POST /feedback` as feedback
   * events with `source: "human"`, so they take the path every feedback takes (Elasticsearch, Kafka, the spool
   * store), with the exporter's API token. null = review writes answer 503 (EXPORTER_ERR_REVIEW_WRITE).
   */
  feedbackUrl: url.nullable().default(null),
  /** Per-request timeout of that post. */
  timeoutMs: z.number().int().min(1).default(5000),
});
export type ReviewConfig = z.infer<typeof ReviewConfigSchema>;

export const ExporterConfigSchema = z.strictObject({
  /** Models to watch (at least one). */
  models: z.array(ModelConfigSchema).min(1),
  /** Where events are read from; the spool is the embedded default. */
  source: SourceConfigSchema.default({ kind: 'spool', dir: './plumbline-spool' }),
  baselineStore: BaselineStoreConfigSchema.default({ kind: 'file', dir: null }),
  window: WindowConfigSchema.default({
    kind: 'sliding',
    sizeSeconds: 3600,
    stepSeconds: 60,
    minimumSamples: 100,
    graceSeconds: 5,
    bucketSeconds: null,
    bucketSampleSize: 2000,
    sampleSize: 50_000,
  }),
  /** Where the window state is checkpointed with the source position, so a restart resumes the window instead of
   * re-reading the source's retention; null = no checkpoint (a restart is still exact, only slower). */
  checkpoint: z
    .strictObject({
      dir: z.string().min(1).nullable().default(null),
      /** How often the changed buckets are written. */
      intervalSeconds: z.number().min(1).default(30),
    })
    .default({ dir: null, intervalSeconds: 30 }),
  /** Versions side by side (issue #14): every version's window state kept apart and compared. */
  versions: z
    .strictObject({
      /** Most versions kept per model; a new one past it drops the version idle the longest (counted). 0 = off. */
      max: z.number().int().min(0).max(50).default(5),
      /** Least rows (labelled rows for accuracy) each version needs before a comparison test runs. */
      minimumSamples: z.number().int().min(1).default(200),
      /** Family-wise significance level of a comparison (Bonferroni over its tests and the challengers). */
      alpha: z.number().gt(0).lt(1).default(0.05),
    })
    .prefault({}),
  /** Shadow traffic (issue #14, the sidecar's `--shadow`): shadow rows paired with their primary rows. */
  shadow: z
    .strictObject({
      /** Row keys held per one-minute bucket for pairing; past it a bucket keeps a hash sample of its rows. */
      maxRowsPerBucket: z.number().int().min(100).max(1_000_000).default(20_000),
      /** Shadow versions compared per model; rows of further versions are not taken. */
      maxVersions: z.number().int().min(1).max(50).default(8),
      /** Regressors: a pair agrees when |s − p| / max(|s|, |p|) is at most this. */
      regressionTolerance: z.number().min(0).max(1).default(0.01),
    })
    .prefault({}),
  /** Segments (issue #12, `models[].segments`). */
  segments: z
    .strictObject({
      /** Values per segment feature with a segment of their own: the reference's most frequent categories. */
      topK: z.number().int().min(1).max(100).default(10),
    })
    .prefault({}),
  /** Rows each bucket of a version or segment samples for its tests on raw values (its counts are exact). */
  sliceBucketSampleSize: z.number().int().min(10).max(1_000_000).default(200),
  /** An event id seen again within this horizon is a redelivery (Kafka retry, spool replay): folded once. */
  dedupe: z
    .strictObject({
      horizonSeconds: z.number().min(1).default(900),
      /** Most ids remembered per model (about 40 bytes each); past it the horizon shortens. */
      maxIds: z.number().int().min(2).default(2_000_000),
    })
    .default({ horizonSeconds: 900, maxIds: 2_000_000 }),
  schedule: z
    .object({
      /** How often the loop looks for a window to evaluate. */
      intervalSeconds: z.number().min(0.05).default(30),
    })
    .default({ intervalSeconds: 30 }),
  /** Late labels joined over a horizon, quality reported by prediction time (QualityConfigSchema). */
  quality: QualityConfigSchema.prefault({}),
  /** Predictions whose confidence is below this are counted as handed to a human (the default of every model's
   * `confidenceThreshold`). */
  confidenceThreshold: z.number().min(0).max(1).default(0.6),
  /** The review queue's writes (exporter/src/review/, issue #13). */
  review: ReviewConfigSchema.default({ feedbackUrl: null, timeoutMs: 5000 }),
  /** Most classes with their own `class` label; the rest are reported as `other`. */
  maxClasses: z.number().int().min(2).max(1000).default(50),
  /** Window reports kept per model for /api history. */
  historySize: z.number().int().min(1).max(10_000).default(100),
  notify: NotifyConfigSchema.default({
    webhookUrl: null,
    alertmanagerUrl: null,
    cooldownSeconds: 900,
    timeoutMs: 5000,
  }),
  /** The retrain endpoint's settings (exporter/src/retrain/config.ts), mounted under /api/retrain; null = off. */
  retrain: RetrainConfigSchema.nullable().default(null),
  /** Writes on /api need `Authorization: Bearer <apiToken>` (reads too with requireTokenForReads); the retrain
   * endpoint falls back to it when `retrain.token` is not set (docs/config.md#the-api-token). */
  ...apiAuthFields,
  /** HTTP listen address and port for /metrics and /api. */
  host: z.string().min(1).default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(9465),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type ExporterConfig = z.infer<typeof ExporterConfigSchema>;
export type ExporterConfigInput = z.input<typeof ExporterConfigSchema>;

/** EXPORTER_ERR_CONFIG: a flag, PLUMBLINE_* variable or config-file key is invalid; names the key, exits 2. */
export class ConfigError extends UsageError {
  declare readonly code: 'EXPORTER_ERR_CONFIG';
  declare readonly key: string;
  constructor(message: string, key: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'EXPORTER_ERR_CONFIG', key, cause: options.cause });
    this.name = 'ConfigError';
  }
}

/** PLUMBLINE_* variables and the config key each one sets. */
export const EXPORTER_ENV: Settings = {
  PLUMBLINE_EXPORTER_PORT: { key: 'port', kind: 'port' },
  PLUMBLINE_EXPORTER_HOST: { key: 'host', kind: 'string' },
  PLUMBLINE_LOG_LEVEL: { key: 'logLevel', kind: 'string' },
  PLUMBLINE_MODELS: { key: 'models', kind: 'json' },
  PLUMBLINE_SOURCE: { key: 'source.kind', kind: 'string' },
  PLUMBLINE_ELASTICSEARCH_URL: { key: 'source.url', kind: 'string' },
  ...elasticsearchSecurityEnv('source'),
  PLUMBLINE_KAFKA_BROKERS: { key: 'source.brokers', kind: 'list' },
  PLUMBLINE_KAFKA_GROUP_ID: { key: 'source.groupId', kind: 'string' },
  ...kafkaSecurityEnv('source'),
  PLUMBLINE_SPOOL_DIR: { key: 'source.dir', kind: 'string' },
  PLUMBLINE_BASELINE_DIR: { key: 'baselineStore.dir', kind: 'string' },
  PLUMBLINE_WINDOW_KIND: { key: 'window.kind', kind: 'string' },
  PLUMBLINE_WINDOW_SECONDS: { key: 'window.sizeSeconds', kind: 'duration' },
  PLUMBLINE_WINDOW_STEP_SECONDS: { key: 'window.stepSeconds', kind: 'duration' },
  PLUMBLINE_MIN_SAMPLES: { key: 'window.minimumSamples', kind: 'integer' },
  PLUMBLINE_WINDOW_GRACE_SECONDS: { key: 'window.graceSeconds', kind: 'duration' },
  PLUMBLINE_SCHEDULE_SECONDS: { key: 'schedule.intervalSeconds', kind: 'duration' },
  PLUMBLINE_CHECKPOINT_DIR: { key: 'checkpoint.dir', kind: 'string' },
  PLUMBLINE_LABEL_HORIZON: { key: 'quality.labelHorizon', kind: 'duration' },
  PLUMBLINE_CONFIDENCE_THRESHOLD: { key: 'confidenceThreshold', kind: 'number' },
  PLUMBLINE_REVIEW_FEEDBACK_URL: { key: 'review.feedbackUrl', kind: 'string' },
  PLUMBLINE_WEBHOOK_URL: { key: 'notify.webhookUrl', kind: 'string' },
  PLUMBLINE_ALERTMANAGER_URL: { key: 'notify.alertmanagerUrl', kind: 'string' },
  PLUMBLINE_NOTIFY_COOLDOWN_SECONDS: { key: 'notify.cooldownSeconds', kind: 'duration' },
  ...API_AUTH_ENV,
};

/**
 * Config keys settable from the command line (`plumbline exporter` maps its flags onto them: `--window-seconds` →
 * `window.sizeSeconds`), and how their text is read.
 */
export const EXPORTER_FLAGS = {
  /** `--model a b` becomes `[{ name: 'a' }, { name: 'b' }]`. */
  models: { key: 'models', kind: 'json' },
  'source.kind': { key: 'source.kind', kind: 'string' },
  'source.url': { key: 'source.url', kind: 'string' },
  'source.brokers': { key: 'source.brokers', kind: 'list' },
  'source.dir': { key: 'source.dir', kind: 'string' },
  'baselineStore.dir': { key: 'baselineStore.dir', kind: 'string' },
  'window.kind': { key: 'window.kind', kind: 'string' },
  'window.sizeSeconds': { key: 'window.sizeSeconds', kind: 'duration' },
  'window.stepSeconds': { key: 'window.stepSeconds', kind: 'duration' },
  'window.minimumSamples': { key: 'window.minimumSamples', kind: 'integer' },
  'schedule.intervalSeconds': { key: 'schedule.intervalSeconds', kind: 'duration' },
  'checkpoint.dir': { key: 'checkpoint.dir', kind: 'string' },
  'notify.webhookUrl': { key: 'notify.webhookUrl', kind: 'string' },
  'notify.alertmanagerUrl': { key: 'notify.alertmanagerUrl', kind: 'string' },
  host: { key: 'host', kind: 'string' },
  port: { key: 'port', kind: 'port' },
} satisfies Settings;

/** Config keys set by flags: `{ 'window.sizeSeconds': '600' }` (texts, or values read by the loader's argParser). */
export type FlagValues = { [key in keyof typeof EXPORTER_FLAGS]?: unknown };

export interface LoadConfigOptions extends Omit<LoaderOptions, 'flags' | 'base'> {
  flags?: FlagValues;
  /** Values under everything else. */
  base?: ExporterConfigInput | Record<string, unknown>;
}

/** The exporter's use of the one config loader: every error is an EXPORTER_ERR_CONFIG naming the key and origin. */
export const exporterConfigLoader = createConfigLoader({
  schema: ExporterConfigSchema,
  env: EXPORTER_ENV,
  flags: EXPORTER_FLAGS,
  apiToken: true,
  error: (issue) => new ConfigError(formatConfigIssue(issue), issue.key, { cause: issue.cause }),
  prepare: inferKinds,
  check: checkConnections,
});

/** Each connection's security keys fit together (service-kit's elasticsearch/kafkaConnectionProblem). */
function checkConnections(config: ExporterConfig): { key: string; problem: string } | undefined {
  const audit = config.retrain?.audit;
  return (
    (config.source.kind === 'elasticsearch'
      ? elasticsearchConnectionProblem(config.source, 'source')
      : undefined) ??
    (config.source.kind === 'kafka' ? kafkaConnectionProblem(config.source, 'source') : undefined) ??
    (config.baselineStore.kind === 'elasticsearch'
      ? elasticsearchConnectionProblem(config.baselineStore, 'baselineStore')
      : undefined) ??
    (audit && 'elasticsearch' in audit
      ? elasticsearchConnectionProblem(audit.elasticsearch, 'retrain.audit.elasticsearch')
      : undefined)
  );
}

/**
 * Validates a raw config object. Throws ConfigError naming the first bad key; `origins` maps keys to where
 * their value came from (a flag, an env variable, the file) for the message.
 */
export function parseConfig(raw: unknown, origins: Record<string, string> = {}): ExporterConfig {
  return exporterConfigLoader.parse(raw, origins);
}

/** Reads file, env and flags, merges them (flags win), validates once. */
export function loadConfig(options: LoadConfigOptions = {}): ExporterConfig {
  return exporterConfigLoader.load({ ...options, base: options.base as Record<string, unknown> | undefined });
}

/**
 * `PLUMBLINE_SPOOL_DIR=…` alone (or `source: { url }` in a file) means the obvious kind: a source or baseline
 * store given without `kind` gets the one its keys imply (url → elasticsearch, brokers → kafka, dir → spool/file).
 */
function inferKinds(raw: Record<string, unknown>): void {
  const source = raw.source as Record<string, unknown> | undefined;
  if (source && typeof source === 'object' && source.kind === undefined) {
    source.kind = 'brokers' in source ? 'kafka' : 'url' in source ? 'elasticsearch' : 'spool';
  }
  const store = raw.baselineStore as Record<string, unknown> | undefined;
  if (store && typeof store === 'object' && store.kind === undefined) {
    store.kind = 'url' in store || 'index' in store ? 'elasticsearch' : 'file';
  }
}
