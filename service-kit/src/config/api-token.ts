/**
 * The one credential of Plumbline's write endpoints (POST /feedback on the sidecar, the exporter's writes, the
 * retrain bridge's webhook): `PLUMBLINE_API_TOKEN`, or the contents of the file named by
 * `PLUMBLINE_API_TOKEN_FILE` (a Docker or Kubernetes secret), never a flag or a config file. Every service reads
 * it here, through the config loader (`apiToken: true` in its spec), into its `apiToken` key.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ValueKind } from './value-kinds';

export const API_TOKEN_ENV = 'PLUMBLINE_API_TOKEN';
export const API_TOKEN_FILE_ENV = 'PLUMBLINE_API_TOKEN_FILE';
/** The config key the token is read into. */
export const API_TOKEN_KEY = 'apiToken';
/** Shortest token accepted (a random 16 characters and more; `openssl rand -hex 24` gives 48). */
export const API_TOKEN_MIN_LENGTH = 16;

/** Why the token could not be read; the message never holds the token. */
export class ApiTokenError extends Error {
  constructor(
    /** The variable at fault (or both, for "both set"). */
    readonly origin: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super(problem, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiTokenError';
  }
}

/**
 * The token from the environment and the variable it came from, or undefined when neither variable is set
 * (empty counts as unset). File contents lose their trailing newline. Throws ApiTokenError when both variables
 * are set, or the file cannot be read or holds nothing.
 */
export function readApiToken(
  env: Record<string, string | undefined>,
): { token: string; origin: string } | undefined {
  const direct = env[API_TOKEN_ENV] || undefined;
  const file = env[API_TOKEN_FILE_ENV] || undefined;
  if (direct !== undefined && file !== undefined) {
    throw new ApiTokenError(
      `${API_TOKEN_ENV}, ${API_TOKEN_FILE_ENV}`,
      `${API_TOKEN_ENV} and ${API_TOKEN_FILE_ENV} are both set; set one of them`,
    );
  }
  if (direct !== undefined) return { token: direct, origin: API_TOKEN_ENV };
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ApiTokenError(
      API_TOKEN_FILE_ENV,
      `${API_TOKEN_FILE_ENV} names "${file}", which cannot be read (${reason})`,
      { cause: err },
    );
  }
  const token = text.replace(/(\r?\n)+$/, '');
  if (token.trim() === '') {
    throw new ApiTokenError(API_TOKEN_FILE_ENV, `${API_TOKEN_FILE_ENV} names "${file}", which is empty`);
  }
  return { token, origin: API_TOKEN_FILE_ENV };
}

/**
 * The two keys every service's config schema spreads in: the token (set only from the environment, by the
 * loader) and whether reads need it too.
 */
export const apiAuthFields = {
  /** The bearer token writes need; from PLUMBLINE_API_TOKEN or PLUMBLINE_API_TOKEN_FILE only. @default none: writes are open (a warning at start-up) */
  apiToken: z
    .string()
    .min(API_TOKEN_MIN_LENGTH, `must be at least ${API_TOKEN_MIN_LENGTH} characters`)
    .optional(),
  /** Reads (/metrics, GET /api/*) need the token too; liveness and readiness probes stay open. @default false (unset) */
  requireTokenForReads: z.boolean().optional(),
};

/** The environment variable of `requireTokenForReads` (the token itself is read by the loader). */
export const API_AUTH_ENV: Readonly<Record<string, { key: string; kind: ValueKind }>> = {
  PLUMBLINE_REQUIRE_TOKEN_FOR_READS: { key: 'requireTokenForReads', kind: 'boolean' },
};
