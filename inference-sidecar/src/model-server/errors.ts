/**
 * Errors of the embedded model server. A `ModelServerError` is service-kit's HttpError with the server's codes: the
 * HTTP status the client gets and a message written for the client; the server answers it as
 * `{ "error": message }`, as the Open Inference Protocol asks.
 */
import { HttpError } from '@plumbline/service-kit';

import { UsageError } from '@plumbline/service-kit';

export type ModelServerErrorCode =
  | 'MODEL_ERR_BAD_REQUEST'
  | 'MODEL_ERR_UNKNOWN_MODEL'
  | 'MODEL_ERR_NOT_FOUND'
  | 'MODEL_ERR_METHOD'
  | 'MODEL_ERR_TOO_LARGE'
  | 'MODEL_ERR_INFERENCE'
  | 'MODEL_ERR_INTERNAL';

export class ModelServerError extends HttpError {
  declare readonly code: ModelServerErrorCode;
  /** For 405: the methods the path takes (the `Allow` header). */
  readonly allow: string | undefined;

  constructor(
    status: number,
    code: ModelServerErrorCode,
    message: string,
    options?: { cause?: unknown; allow?: string },
  ) {
    super(status, code, message, {
      cause: options?.cause,
      headers: options?.allow === undefined ? undefined : { allow: options.allow },
    });
    this.name = 'ModelServerError';
    this.allow = options?.allow;
  }
}

/** 400: the request is well-formed HTTP but its body does not fit the model. */
export function badRequest(message: string): ModelServerError {
  return new ModelServerError(400, 'MODEL_ERR_BAD_REQUEST', message);
}

/** A model file or metadata file the server cannot use; thrown at start-up, never per request. */
export class ModelLoadError extends UsageError {
  /** A usage error (exit code 2): the command line or config names something unusable. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = 'ModelLoadError';
  }
}
