/**
 * Coded errors of the sidecar (docs/errors.md lists every code with its meaning and fix).
 *
 * Upstream failures map to a gateway status the client sees with a JSON body
 * `{ "error": { "code": "SIDECAR_ERR_…", "message": "…" } }`; the original error is kept as `cause` for logs.
 */

import { UsageError } from '@plumbline/service-kit';

export const SIDECAR_ERRORS = {
  /** The model server refused the TCP connection (nothing listening). */
  SIDECAR_ERR_UPSTREAM_REFUSED: { status: 502, message: 'the model server refused the connection' },
  /** The model server closed or reset the connection before it sent a response. */
  SIDECAR_ERR_UPSTREAM_RESET: {
    status: 502,
    message: 'the model server closed the connection before responding',
  },
  /** The model server answered with something that is not valid HTTP (a parse error in the response). */
  SIDECAR_ERR_UPSTREAM_INVALID_RESPONSE: {
    status: 502,
    message: 'the model server sent an invalid HTTP response',
  },
  /** The model server could not be reached (host unreachable, DNS failure) or the sidecar is shutting down. */
  SIDECAR_ERR_UPSTREAM_UNAVAILABLE: { status: 503, message: 'the model server is unavailable' },
  /** Connecting, waiting for response headers or for the next body chunk took longer than the configured limit. */
  SIDECAR_ERR_UPSTREAM_TIMEOUT: { status: 504, message: 'the model server did not answer in time' },
  /** The client sent a request target the sidecar cannot forward (not an origin-form path). */
  SIDECAR_ERR_BAD_REQUEST: { status: 400, message: 'bad request' },
  /** The client closed the connection before the response was complete; recorded as status 499, nothing is sent. */
  SIDECAR_ERR_CLIENT_CLOSED: { status: 499, message: 'the client closed the connection' },
  /** A request to the sidecar itself (admin port) that no route matches. */
  SIDECAR_ERR_NOT_FOUND: { status: 404, message: 'no such route' },
  /** A request to the admin port with a method its path does not take (the `Allow` header lists them). */
  SIDECAR_ERR_METHOD: { status: 405, message: 'method not allowed' },
  /** POST /feedback (or, with requireTokenForReads, a read) without the API token as a bearer token; answered with `WWW-Authenticate: Bearer`. */
  SIDECAR_ERR_UNAUTHORIZED: { status: 401, message: 'missing or wrong bearer token' },
  /** POST /feedback with a body that is not valid feedback; the message names the field. */
  SIDECAR_ERR_FEEDBACK_INVALID: { status: 400, message: 'invalid feedback' },
  /** POST /feedback with a body larger than the admin body limit. */
  SIDECAR_ERR_FEEDBACK_TOO_LARGE: { status: 413, message: 'feedback body too large' },
  /** Invalid configuration (flag, PLUMBLINE_* variable or config file); the message names the key. Exit code 2. */
  SIDECAR_ERR_CONFIG: { status: 500, message: 'invalid configuration' },
  /** An adapter could not read a request or response body; the request was proxied unchanged. */
  SIDECAR_ERR_UNPARSED_BODY: { status: 200, message: 'body could not be parsed' },
  /** The capture thread was too far behind (or gone): exchanges were proxied but not captured, and counted. */
  SIDECAR_ERR_CAPTURE_BACKLOG: { status: 200, message: 'exchange not captured' },
  /** A bug in the sidecar; the request was answered with 500 and the sidecar kept running. */
  SIDECAR_ERR_INTERNAL: { status: 500, message: 'internal sidecar error' },
} as const;

export type SidecarErrorCode = keyof typeof SIDECAR_ERRORS;

export class SidecarError extends Error {
  readonly code: SidecarErrorCode;
  readonly statusCode: number;

  constructor(code: SidecarErrorCode, message?: string, options?: { cause?: unknown }) {
    super(
      message ?? SIDECAR_ERRORS[code].message,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'SidecarError';
    this.code = code;
    this.statusCode = SIDECAR_ERRORS[code].status;
  }

  /** The JSON body a client receives. */
  toJSON(): { error: { code: SidecarErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** SIDECAR_ERR_CONFIG: a flag, PLUMBLINE_* variable or config-file key is invalid; a usage error (exit code 2). */
export class SidecarConfigError extends UsageError {
  declare readonly code: 'SIDECAR_ERR_CONFIG';
  declare readonly key: string;

  constructor(key: string, problem: string, options: { cause?: unknown } = {}) {
    super(`invalid config: ${key}: ${problem}`, { code: 'SIDECAR_ERR_CONFIG', key, cause: options.cause });
    this.name = 'SidecarConfigError';
  }
}

/** A configuration error: names the key, ends the CLI with exit code 2. */
export function configError(key: string, problem: string, cause?: unknown): SidecarConfigError {
  return new SidecarConfigError(key, problem, { cause });
}

const REFUSED = new Set(['ECONNREFUSED']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const TIMEOUT = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** Maps an error from the upstream client (undici, node:net) to the coded error the client receives. */
export function classifyUpstreamError(err: unknown): SidecarError {
  const code = errorCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (code !== undefined && REFUSED.has(code)) {
    return new SidecarError(
      'SIDECAR_ERR_UPSTREAM_REFUSED',
      `the model server refused the connection (${detail})`,
      {
        cause: err,
      },
    );
  }
  if (code !== undefined && TIMEOUT.has(code)) {
    return new SidecarError(
      'SIDECAR_ERR_UPSTREAM_TIMEOUT',
      `the model server did not answer in time (${detail})`,
      {
        cause: err,
      },
    );
  }
  const parserError = err instanceof Error && err.name === 'HTTPParserError'; // undici's llhttp errors carry no code
  if (
    parserError ||
    (code !== undefined && (code.startsWith('HPE_') || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'))
  ) {
    return new SidecarError(
      'SIDECAR_ERR_UPSTREAM_INVALID_RESPONSE',
      `the model server sent an invalid HTTP response (${detail})`,
      { cause: err },
    );
  }
  if (code !== undefined && RESET.has(code)) {
    return new SidecarError(
      'SIDECAR_ERR_UPSTREAM_RESET',
      `the model server closed the connection before responding (${detail})`,
      { cause: err },
    );
  }
  return new SidecarError('SIDECAR_ERR_UPSTREAM_UNAVAILABLE', `the model server is unavailable (${detail})`, {
    cause: err,
  });
}

function errorCode(err: unknown): string | undefined {
  // undici wraps connect failures; node:net puts the errno code on the error itself or on an AggregateError.
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
    const inner = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && inner.length > 0) {
      const innerCode = (inner[0] as { code?: unknown }).code;
      if (typeof innerCode === 'string') return innerCode;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Upstream failure reasons, as the `reason` label of plumbline_sidecar_upstream_errors_total. */
export function upstreamErrorReason(
  code: SidecarErrorCode,
): 'refused' | 'reset' | 'invalid_response' | 'unavailable' | 'timeout' {
  switch (code) {
    case 'SIDECAR_ERR_UPSTREAM_INVALID_RESPONSE':
      return 'invalid_response';
    case 'SIDECAR_ERR_UPSTREAM_REFUSED':
      return 'refused';
    case 'SIDECAR_ERR_UPSTREAM_RESET':
      return 'reset';
    case 'SIDECAR_ERR_UPSTREAM_TIMEOUT':
      return 'timeout';
    default:
      return 'unavailable';
  }
}
