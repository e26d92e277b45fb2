import type { IncomingMessage } from 'node:http';

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
 * Reads a request body of at most `limitBytes`. A declared Content-Length over the limit is refused before
 * anything is read; a streamed body that grows over it is read to its end and thrown away, so the answer (413)
 * reaches a client that is still sending and the connection stays usable. `tooLarge` turns the refusal into the
 * error the caller wants thrown.
 */
export function readBody(
  req: IncomingMessage,
  limitBytes: number,
  tooLarge: (err: BodyTooLargeError) => Error = (err) => err,
): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limitBytes) return Promise.reject(tooLarge(new BodyTooLargeError(limitBytes, true)));
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
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('the client closed the connection before the body was complete'));
    });
  });
}
