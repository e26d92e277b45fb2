/**
 * Configuration of the retrain endpoint: who may call it (a shared token that Grafana's app-plugin proxy adds
 * server-side), how often a model may be retrained, which pipeline webhook to call and where audit events go.
 * Validated once at start-up; every error names the key that is wrong.
 */
import { createConfigLoader, elasticsearchSecurityFields, UsageError } from '@plumbline/service-kit';
import { z } from 'zod';

const url = z.string().url();

const WebhookSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    /** Any HTTP endpoint: POSTs `{ model, reason, requestedBy, requestId, requestedAt }` as JSON. */
    kind: z.literal('generic'),
    url,
    /** @default 'POST' */
    method: z.enum(['POST', 'PUT']).default('POST'),
    /** Extra headers, e.g. an Authorization header for the pipeline. @default {} */
    headers: z.record(z.string(), z.string()).default({}),
  }),
  z.strictObject({
    /** GitHub Actions `workflow_dispatch` (POST /repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches). */
    kind: z.literal('github'),
    /** @default 'https://api.github.com' (GitHub Enterprise: https://HOST/api/v3) */
    baseUrl: url.default('https://api.github.com'),
    owner: z.string().min(1),
    repo: z.string().min(1),
    /** Workflow file name (`retrain.yml`) or id. */
    workflow: z.string().min(1),
    /** @default 'main' */
    ref: z.string().min(1).default('main'),
    /** A token allowed to dispatch the workflow (fine-grained: Actions read/write). */
    token: z.string().min(1),
  }),
  z.strictObject({
    /** GitLab pipeline trigger (POST /api/v4/projects/{projectId}/trigger/pipeline). */
    kind: z.literal('gitlab'),
    /** @default 'https://gitlab.com' */
    baseUrl: url.default('https://gitlab.com'),
    /** Numeric id or URL-encoded path of the project. */
    projectId: z.string().min(1),
    /** @default 'main' */
    ref: z.string().min(1).default('main'),
    /** A pipeline trigger token. */
    token: z.string().min(1),
  }),
  z.strictObject({
    /** Jenkins parameterised job (POST /job/{job}/buildWithParameters) with a user's API token. */
    kind: z.literal('jenkins'),
    baseUrl: url,
    /** Job path; folders as `folder/job/name`. */
    job: z.string().min(1),
    user: z.string().min(1),
    apiToken: z.string().min(1),
  }),
  z.strictObject({
    /** Argo Workflows: submit a WorkflowTemplate (POST /api/v1/workflows/{namespace}/submit). */
    kind: z.literal('argo'),
    baseUrl: url,
    namespace: z.string().min(1),
    workflowTemplate: z.string().min(1),
    /** Bearer token of a service account allowed to submit. */
    token: z.string().min(1),
  }),
]);

export const RetrainConfigSchema = z.strictObject({
  /**
   * Shared secret Grafana's proxy route sends as `Authorization: Bearer <token>`; usually from `tokenEnv`, else the
   * exporter's API token (PLUMBLINE_API_TOKEN or PLUMBLINE_API_TOKEN_FILE).
   */
  token: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Environment variable read when `token` is not set. @default 'PLUMBLINE_RETRAIN_TOKEN' */
  tokenEnv: z.string().min(1).default('PLUMBLINE_RETRAIN_TOKEN'),
  /** Minimum time between two successful triggers of the same model. @default 3600 */
  cooldownSeconds: z.number().int().min(0).default(3600),
  /** How long a repeated Idempotency-Key returns the first answer instead of triggering again. @default 86400 */
  idempotencyTtlSeconds: z.number().int().min(1).default(86400),
  /** Time allowed for the pipeline webhook to answer. @default 10000 */
  webhookTimeoutMs: z.number().int().min(100).default(10_000),
  /** Models that may be retrained; empty means any model name. @default [] */
  models: z.array(z.string().min(1)).default([]),
  /** Where the pipeline is started. */
  webhook: WebhookSchema,
  /** Audit trail: Elasticsearch index, or a JSON-lines file when there is no Elasticsearch. */
  audit: z
    .union([
      z.strictObject({
        elasticsearch: z.strictObject({
          url,
          index: z.string().min(1).default('plumbline-retrain-audit'),
          /** API key or basic auth, CA file or fingerprint (docs/config.md#secured-elasticsearch). */
          ...elasticsearchSecurityFields,
        }),
      }),
      z.strictObject({ file: z.string().min(1) }),
    ])
    .default({ file: 'plumbline-retrain-audit.jsonl' }),
});

export type RetrainConfigInput = z.input<typeof RetrainConfigSchema>;
export type WebhookConfig = z.infer<typeof WebhookSchema>;
export type RetrainConfig = Omit<z.infer<typeof RetrainConfigSchema>, 'token'> & { token: string };

/** EXPORTER_ERR_RETRAIN_CONFIG: names the key (under `retrain.`) and ends the process with exit code 2. */
export class RetrainConfigError extends UsageError {
  declare readonly code: 'EXPORTER_ERR_RETRAIN_CONFIG';
  declare readonly key: string;
  constructor(key: string, message: string) {
    super(`retrain.${key}: ${message}`, { code: 'EXPORTER_ERR_RETRAIN_CONFIG', key });
    this.name = 'RetrainConfigError';
  }
}

/** The retrain section through the one config loader (unknown keys named, the first issue worded once). */
const retrainConfigLoader = createConfigLoader({
  schema: RetrainConfigSchema,
  error: (issue) => new RetrainConfigError(issue.key, issue.problem),
});

/**
 * Validates `raw` (the `retrain:` section of the exporter config) and resolves the token: `retrain.token`, else the
 * variable named by `tokenEnv` (PLUMBLINE_RETRAIN_TOKEN), else `apiToken`, the exporter's API token.
 */
export function parseRetrainConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv = process.env,
  apiToken?: string,
): RetrainConfig {
  const { token: configured, ...rest } = retrainConfigLoader.parse(raw);
  const token = configured ?? (env[rest.tokenEnv] || undefined) ?? apiToken;
  if (!token)
    throw new RetrainConfigError(
      'token',
      `not set and environment variable ${rest.tokenEnv} is empty (nor is PLUMBLINE_API_TOKEN or PLUMBLINE_API_TOKEN_FILE set, which it falls back to)`,
    );
  if (token.length < 16) throw new RetrainConfigError('token', 'must be at least 16 characters');
  return { ...rest, token };
}
