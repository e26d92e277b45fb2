/**
 * The shadow's HTTP/1.1 client (shadow.ts): keep-alive connections to one challenger origin, one copy per
 * connection at a time, each copy written as one Buffer (request line, the few headers a copy carries, body) in one
 * socket write, and its answer framed by the raw plane's parser (proxy/raw/http1.ts: status line, headers,
 * Content-Length, chunked, close-delimited). No request object, header validation or per-copy promise: a copy of a
 * request the sidecar already parsed needs none of it, and undici's generic path cost the capture thread about as
 * much CPU as capturing the answer.
 *
 * No queue: the caller admits at most `maxConnections` copies in flight over every origin (shadow.maxConcurrent),
 * so a copy always finds an idle connection or opens one. A connection whose copy failed, was aborted or got an
 * answer the client cannot frame is destroyed, never reused. Errors carry node:net's codes (ECONNREFUSED,
 * ECONNRESET, ETIMEDOUT for a connection not open within `connectTimeoutMs`), HPE_INVALID_RESPONSE for an answer
 * that cannot be framed: classifyUpstreamError maps them.
 */
import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { ChunkedDecoder, parseResponseHead, reuseIdleMs, type ResponseHead } from '../proxy/raw/http1';

/** What a copy hears back; exactly one of `onEnd` or `onError` ends it. */
export interface CopyHandler {
  /** The final response's head (1xx heads are skipped); `version` is the version header's value, or null. */
  onHead(status: number, version: string | null): void;
  onData(chunk: Buffer): void;
  onEnd(): void;
  onError(err: Error): void;
}

export interface ShadowClientOptions {
  /** Origin of the challenger, `http://host:port` or `https://host:port` (TLS, verified, HTTP/1.1 by ALPN). */
  origin: string;
  /** Extra TLS options for an https origin (tests pass a `ca`); certificates are verified against Node's CAs. */
  tls?: ConnectionOptions;
  /** Lower-case name of the header whose value is the challenger's version (config.versionHeader). */
  versionHeader: string;
  /** How long an idle connection is kept open. */
  keepAliveMs: number;
  /** Longest a new connection may take to open (TLS handshake included); then its copy fails as a timeout. */
  connectTimeoutMs: number;
}

export interface ShadowClient {
  /** Sends one request (`head` ends with the blank line; `body` follows it). Never throws: failures reach onError. */
  send(method: string, head: string, body: Buffer | null, handler: CopyHandler): InFlight;
  /** Destroys every connection. */
  close(): void;
}

/** A copy on its way: `abort` destroys its connection (the copy's handler is not called again). */
export interface InFlight {
  abort(): void;
}

/** An error with a code classifyUpstreamError knows. */
function codedError(message: string, code: string, cause?: unknown): Error {
  const err = new Error(message, cause === undefined ? undefined : { cause }) as Error & { code: string };
  err.code = code;
  return err;
}

export function createShadowClient(options: ShadowClientOptions): ShadowClient {
  const url = new URL(options.origin);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const https = url.protocol === 'https:';
  const port = Number(url.port || (https ? 443 : 80));
  const tls: ConnectionOptions | null = https
    ? { ...options.tls, ALPNProtocols: ['http/1.1'], ...(isIP(host) === 0 ? { servername: host } : {}) }
    : null;
  const idle: Connection[] = [];
  const all = new Set<Connection>();

  class Connection implements InFlight {
    readonly socket: Socket;
    private handler: CopyHandler | null = null;
    private method = 'POST';
    /** Bytes of the current answer not yet framed (a head in pieces). */
    private pending: Buffer | null = null;
    private head: ResponseHead | null = null;
    private remaining = 0;
    private chunked: ChunkedDecoder | null = null;
    private connected = false;

    constructor() {
      this.socket =
        tls === null
          ? connect({ host, port, noDelay: true })
          : connectTls({ ...tls, host, port }).setNoDelay(true);
      all.add(this);
      this.socket.on('data', (chunk: Buffer) => this.onSocketData(chunk));
      this.socket.on('end', () => this.onSocketEnd());
      this.socket.on('error', (err) => this.fail(err));
      this.socket.on('close', () =>
        this.fail(codedError('the challenger closed the connection', 'ECONNRESET')),
      );
      // Until connected, the socket's timeout is the connect timeout; then only an idle connection has one.
      this.socket.setTimeout(options.connectTimeoutMs);
      this.socket.once(tls === null ? 'connect' : 'secureConnect', () => {
        this.connected = true;
        this.socket.setTimeout(0);
      });
      this.socket.on('timeout', () => {
        if (this.connected) this.destroy();
        else this.fail(codedError(`no connection in ${options.connectTimeoutMs} ms`, 'ETIMEDOUT'));
      });
    }

    start(method: string, bytes: Buffer, handler: CopyHandler): void {
      this.handler = handler;
      this.method = method;
      if (this.connected) this.socket.setTimeout(0);
      this.socket.write(bytes);
    }

    abort(): void {
      this.handler = null;
      this.destroy();
    }

    private destroy(): void {
      all.delete(this);
      const i = idle.indexOf(this);
      if (i >= 0) idle.splice(i, 1);
      this.socket.destroy();
    }

    /** Ends the current copy with an error (or, idle, just forgets the connection). */
    private fail(err: Error): void {
      const handler = this.handler;
      this.handler = null;
      this.destroy();
      handler?.onError(err);
    }

    private onSocketEnd(): void {
      if (this.handler !== null && this.head?.body === 'close') this.finish(false);
      else this.fail(codedError('the challenger closed the connection before answering', 'ECONNRESET'));
    }

    private onSocketData(chunk: Buffer): void {
      const handler = this.handler;
      if (handler === null) return this.destroy(); // bytes nobody asked for: the connection is not reusable
      try {
        let buf = chunk;
        let from = 0;
        while (this.head === null) {
          buf = this.pending === null ? buf : Buffer.concat([this.pending, buf]);
          this.pending = null;
          const head = parseResponseHead(buf, from, this.method);
          if (head === null) {
            this.pending = from === 0 ? buf : buf.subarray(from);
            return;
          }
          from = head.end;
          if (head.status === 101)
            throw codedError('the challenger switched protocols', 'HPE_INVALID_RESPONSE');
          if (head.status < 200) continue; // 100 Continue and other interim answers
          this.head = head;
          handler.onHead(head.status, this.version(head.rawHeaders));
          if (this.handler !== handler) return; // the handler aborted
          if (head.body === 'length') this.remaining = head.contentLength;
          else if (head.body === 'chunked') this.chunked = new ChunkedDecoder((data) => handler.onData(data));
          else if (head.body === 'none') return this.finish(from < buf.length);
        }
        this.body(buf, from, handler);
      } catch (err) {
        const e = err as Error & { code?: string };
        this.fail(
          e.code === undefined ? codedError(`invalid answer: ${e.message}`, 'HPE_INVALID_RESPONSE', e) : e,
        );
      }
    }

    private body(buf: Buffer, from: number, handler: CopyHandler): void {
      const head = this.head!;
      if (head.body === 'close') {
        if (from < buf.length) handler.onData(from === 0 ? buf : buf.subarray(from));
        return;
      }
      if (head.body === 'chunked') {
        const end = this.chunked!.push(buf, from);
        if (this.chunked!.done && this.handler === handler) this.finish(end < buf.length);
        return;
      }
      const take = Math.min(this.remaining, buf.length - from);
      if (take > 0) handler.onData(from === 0 && take === buf.length ? buf : buf.subarray(from, from + take));
      this.remaining -= take;
      if (this.remaining === 0 && this.handler === handler) this.finish(from + take < buf.length);
    }

    /** The answer is complete: the copy ends, and the connection is reused if it may be. */
    private finish(extraBytes: boolean): void {
      const handler = this.handler!;
      const idleMs = this.head === null ? 0 : reuseIdleMs(this.head, options.keepAliveMs);
      const reusable = this.head?.keepAlive === true && !extraBytes && idleMs > 0;
      this.handler = null;
      this.head = null;
      this.chunked = null;
      this.pending = null;
      if (reusable) {
        this.socket.setTimeout(idleMs);
        idle.push(this);
      } else this.destroy();
      handler.onEnd();
    }

    private version(rawHeaders: string[]): string | null {
      let found: string | null = null;
      for (let i = 0; i < rawHeaders.length; i += 2) {
        if (rawHeaders[i].length !== options.versionHeader.length) continue;
        if (rawHeaders[i].toLowerCase() !== options.versionHeader) continue;
        if (found !== null) return null; // twice: no single version
        found = rawHeaders[i + 1];
      }
      return found === '' ? null : found;
    }
  }

  return {
    send(method, head, body, handler) {
      const headBytes = Buffer.byteLength(head, 'latin1');
      const bytes = Buffer.allocUnsafe(headBytes + (body?.length ?? 0));
      bytes.write(head, 0, 'latin1');
      if (body !== null) body.copy(bytes, headBytes);
      const connection = idle.pop() ?? new Connection();
      connection.start(method, bytes, handler);
      return connection;
    },
    close() {
      for (const connection of [...all]) connection.abort();
    },
  };
}
