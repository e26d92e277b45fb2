import type { OutgoingHttpHeaders } from 'node:http';

/**
 * An error a control HTTP server answers as it is: the status, the service's stable code (docs/errors.md) and a
 * message written for the client. Anything else a route throws is a bug and is answered with a generic 500.
 *
 * A 500 HttpError is answered with its own code and message (write it for the client; keep the detail in
 * `cause`), and is passed to the server's `onError` like any other bug.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers (`allow` on a 405, `retry-after`, …). */
  readonly headers: OutgoingHttpHeaders | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { cause?: unknown; headers?: OutgoingHttpHeaders } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.headers = options.headers;
  }
}
