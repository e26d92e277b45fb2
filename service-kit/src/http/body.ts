import type { IncomingMessage } from 'node:http';

/**
 * How much of a body declared over the limit is still read and thrown away before the 413, so that clients that
 * send the whole body before they read the answer (most do) get the 413 and not a broken pipe. Past it, the
 * server answers at once and closes the connection.
 */
export const DEFAULT_DRAIN_BYTES = 64 * 1024 * 1024;

/** Why a body was refused; the router turns it into a 413 with the service's code. */
export class BodyTooLargeError extends Error {
  /** True when the client declared the size up front and nothing was read: the connection is not reusable. */
  readonly unread: boolean;

  constructor(
    readonly limitBytes: number,
    unread: boolean,
  ) {
    super(`the request body is over ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
    this.unread = unread;
  }
}

/**
 * The request ended before its body was complete: the client closed or reset the connection, or the bytes stopped
 * being HTTP half-way. Nobody is left to answer and it is no bug of the server, so the router neither answers it
 * nor passes it to `onError`.
 */
export class RequestAbortedError extends Error {
  constructor(cause: unknown) {
    super('the request ended before its body was complete', { cause });
    this.name = 'RequestAbortedError';
  }
}

/**
 * Reads a request body of at most `limitBytes`. A body over the limit is read to its end and thrown away (nothing
 * of it is kept), so the answer (413) reaches a client that is still sending and the connection stays usable;
 * only a declared Content-Length over `drainBytes` too is refused before anything is read (the connection then
 * has to close). A request that ends before its body does rejects with RequestAbortedError. `tooLarge` turns the refusal into the error the caller wants thrown.
 */
export function readBody(
  req: IncomingMessage,
  limitBytes: number,
  tooLarge: (err: BodyTooLargeError) => Error = (err) => err,
  drainBytes: number = DEFAULT_DRAIN_BYTES,
): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limitBytes && declared > drainBytes) {
    return Promise.reject(tooLarge(new BodyTooLargeError(limitBytes, true)));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => {
      if (size > limitBytes) reject(tooLarge(new BodyTooLargeError(limitBytes, false)));
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on('error', (err) => reject(new RequestAbortedError(err)));
    req.on('close', () => {
      if (!req.complete) reject(new RequestAbortedError(undefined));
    });
  });
}
