/**
 * The bridge's configuration: one zod schema with every default next to its field, read from PLUMBLINE_*
 * variables through service-kit's config loader and validated once at start-up; an error names the variable
 * (exit code 2).
 */
import { apiAuthFields, createConfigLoader, UsageError, type Settings } from '@plumbline/service-kit';
import { z } from 'zod';
import { DEFAULT_POLICY, type RetrainPolicy } from './policy';
import { TriggerSpecSchema, type TriggerSpec } from './triggers';
import type { BridgeConfig } from './bridge';

/** `expected <what>, got "<value>"` for a value that fails `ok`. */
function checked<T extends z.ZodType>(schema: T, what: string, ok: (value: z.output<T>) => boolean) {
  return schema.refine(ok, { error: (issue) => `expected ${what}, got "${String(issue.input)}"` });
}

const httpUrl = z.url({
  protocol: /^https?$/,
  error: (issue) =>
    issue.input === undefined ? 'required' : `expected an http(s) URL, got "${String(issue.input)}"`,
});

export const BridgeConfigSchema = z.strictObject({
  /** Listen address. @default '0.0.0.0' */
  host: z.string().min(1).default('0.0.0.0'),
  /** Listen port. @default 9099 */
  port: checked(z.number(), 'a port', (n) => Number.isInteger(n) && n >= 0 && n <= 65535).default(9099),
  /** Prometheus base URL for the quality gate. Required. */
  prometheusUrl: httpUrl,
  /** Retrain endpoint, e.g. http://exporter:9464/api/retrain. Required. */
  retrainUrl: httpUrl,
  /** Bearer token of the retrain endpoint. Required, unless the API token is set: then that one. */
  retrainToken: z.string({ error: 'required' }).min(1, 'required'),
  /** The token Alertmanager must send to POST /alertmanager (PLUMBLINE_API_TOKEN or PLUMBLINE_API_TOKEN_FILE). @default none: open, with a warning at start-up */
  apiToken: apiAuthFields.apiToken,
  /** Timeout of one call to the retrain endpoint or Prometheus. @default 10000 */
  timeoutMs: checked(z.number(), 'milliseconds > 0', (n) => n > 0).default(10_000),
  /** Models the scheduled triggers watch. @default [] */
  models: z.array(z.string().min(1)).default([]),
  /** Retraining triggers beyond drift (triggers.ts): quality below the reference's, N new human labels, a maximum
   * model age; each with its own cooldown. @default [] */
  triggers: z.array(TriggerSpecSchema).default([]),
  /** How often the triggers are checked. @default 300 */
  triggerIntervalSeconds: checked(z.number(), 'seconds > 0', (n) => n > 0).default(300),
  policy: z
    .strictObject({
      /** Alert categories allowed to trigger. @default ['drift'] */
      categories: z
        .array(z.string().min(1))
        .min(1, 'at least one category')
        .default(() => [...DEFAULT_POLICY.categories]),
      /** One retrain per model per this many seconds. @default 21600 */
      cooldownSeconds: checked(z.number(), 'seconds >= 0', (n) => n >= 0).default(
        DEFAULT_POLICY.cooldownSeconds,
      ),
      /** Rows the latest window must hold. @default 100 */
      minWindowSamples: checked(z.number(), 'an integer >= 0', (n) => Number.isInteger(n) && n >= 0).default(
        DEFAULT_POLICY.minWindowSamples,
      ),
      /** Retrain only while accuracy is below this (when known). @default 0.95 */
      maxAccuracy: checked(z.number(), 'a number in (0, 1]', (n) => n > 0 && n <= 1).default(
        DEFAULT_POLICY.maxAccuracy,
      ),
      /** Output drift (PlumblinePredictionDriftPersistent) may trigger too. @default false */
      predictionDrift: z.boolean().default(DEFAULT_POLICY.predictionDrift),
    })
    .default(() => ({ ...DEFAULT_POLICY, categories: [...DEFAULT_POLICY.categories] })),
});

export interface BridgeEnvConfig extends BridgeConfig {
  /** @default '0.0.0.0' */
  host: string;
  /** @default 9099 */
  port: number;
  /** Prometheus base URL for the quality gate. */
  prometheusUrl: string;
  policy: RetrainPolicy;
  models: string[];
  triggers: TriggerSpec[];
  triggerIntervalSeconds: number;
}

/** PLUMBLINE_* variables the bridge reads and the config key each one sets. */
export const BRIDGE_ENV: Settings = {
  PLUMBLINE_BRIDGE_HOST: { key: 'host', kind: 'string' },
  PLUMBLINE_BRIDGE_PORT: { key: 'port', kind: 'port' },
  PLUMBLINE_PROMETHEUS_URL: { key: 'prometheusUrl', kind: 'string' },
  PLUMBLINE_RETRAIN_URL: { key: 'retrainUrl', kind: 'string' },
  PLUMBLINE_RETRAIN_TOKEN: { key: 'retrainToken', kind: 'string' },
  PLUMBLINE_BRIDGE_TIMEOUT_MS: { key: 'timeoutMs', kind: 'number' },
  PLUMBLINE_BRIDGE_CATEGORIES: { key: 'policy.categories', kind: 'list' },
  PLUMBLINE_BRIDGE_COOLDOWN_SECONDS: { key: 'policy.cooldownSeconds', kind: 'duration' },
  PLUMBLINE_BRIDGE_MIN_WINDOW_SAMPLES: { key: 'policy.minWindowSamples', kind: 'number' },
  PLUMBLINE_BRIDGE_MAX_ACCURACY: { key: 'policy.maxAccuracy', kind: 'number' },
  PLUMBLINE_BRIDGE_PREDICTION_DRIFT: { key: 'policy.predictionDrift', kind: 'boolean' },
  PLUMBLINE_BRIDGE_MODELS: { key: 'models', kind: 'list' },
  PLUMBLINE_BRIDGE_TRIGGERS: { key: 'triggers', kind: 'json' },
  PLUMBLINE_BRIDGE_TRIGGER_INTERVAL_SECONDS: { key: 'triggerIntervalSeconds', kind: 'duration' },
};

/** A configuration error: `<VARIABLE>: <problem>`, exit code 2. */
export class BridgeConfigError extends UsageError {
  constructor(message: string, options: { key?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'BridgeConfigError';
  }
}

/** The variable that sets `key`, or a key inside it (`triggers.0.count` → PLUMBLINE_BRIDGE_TRIGGERS). */
const variableOf = (key: string): string =>
  Object.entries(BRIDGE_ENV).find(([, s]) => s.key === key)?.[0] ??
  Object.entries(BRIDGE_ENV).find(([, s]) => key.startsWith(`${s.key}.`))?.[0] ??
  key;

/** The bridge's use of the one config loader; errors name the variable, not the key. */
export const bridgeConfigLoader = createConfigLoader({
  schema: BridgeConfigSchema,
  env: BRIDGE_ENV,
  apiToken: true,
  // One token for the whole stack: the retrain endpoint's falls back to the API token, as the exporter's does.
  prepare: (raw) => {
    if (raw.retrainToken === undefined && raw.apiToken !== undefined) raw.retrainToken = raw.apiToken;
  },
  error: (issue) => {
    // The API token's problems name their variable themselves; its value is never in `received`.
    const name = issue.key === 'apiToken' ? (issue.origin ?? 'PLUMBLINE_API_TOKEN') : variableOf(issue.key);
    const named = issue.key === 'apiToken' && issue.problem.startsWith('PLUMBLINE_API_TOKEN');
    const problem = named ? issue.problem : `${name}: ${issue.problem}`;
    return new BridgeConfigError(
      `${problem}${issue.received === undefined ? '' : `, got "${issue.received}"`}`,
      { key: issue.key, cause: issue.cause },
    );
  },
});

type Env = Record<string, string | undefined>;

export function bridgeConfigFromEnv(env: Env): BridgeEnvConfig {
  return bridgeConfigLoader.load({ env });
}
