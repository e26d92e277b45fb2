/**
 * The one way a Plumbline program says "you called or configured me wrongly": a message meant for the user as it
 * is, and exit code 2. The `plumbline` command (cli/src/main.ts) and every process entry print the message and
 * exit with `exitCode`; anything else that escapes is a runtime failure (exit 1).
 *
 * Subclasses add a stable `code` (`SIDECAR_ERR_CONFIG`, `EXPORTER_ERR_CONFIG`, …) and the config `key` at fault.
 */
export class UsageError extends Error {
  readonly exitCode = 2 as const;
  /** Stable error code, listed in docs/errors.md, when the error has one. */
  readonly code?: string;
  /** The config key or flag at fault, when one is. */
  readonly key?: string;

  constructor(message: string, options: { cause?: unknown; code?: string; key?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UsageError';
    if (options.code !== undefined) this.code = options.code;
    if (options.key !== undefined) this.key = options.key;
  }
}

/** True for a UsageError from any copy of this module (a brand check, not `instanceof` alone). */
export function isUsageError(err: unknown): err is UsageError {
  return err instanceof UsageError || (err instanceof Error && (err as { exitCode?: unknown }).exitCode === 2);
}
