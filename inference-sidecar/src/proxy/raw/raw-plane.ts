/**
 * The raw data plane (`dataPlane: raw`): client bytes go to the upstream and back with only the HTTP/1.1 framing
 * parsed (http1.ts) — no IncomingMessage / ServerResponse on the way in, no undici request on the way out. Heads
 * are rewritten with the same header rules as the node plane (headers.ts: hop-by-hop dropped, X-Forwarded-*,
 * the request id both ways); bodies (Content-Length or chunked) pass through as received, validated as they go.
 *
 *   client socket ─▶ parseRequestHead ─▶ upstream head + body bytes ─▶ pooled keep-alive upstream socket
 *   client socket ◀─ rewritten response head + body bytes ◀─ parseResponseHead ◀─┘
 *
 * One exchange at a time per client connection: pipelined requests wait in the connection's buffer until the
 * response before them is written (HTTP/1.1 order). Capture gets the same Exchange as from the node plane,
 * through the same `onExchange`, after the response was written. Upstream failures are the same coded
 * 502/503/504 answers (errors.ts). Not supported (answered, never passed on): CONNECT (400) and protocol upgrades —
 * `Upgrade` is a hop-by-hop header here as in the node plane, so the upstream never switches protocols.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { Exchange } from '../../capture/exchange';
import { classifyUpstreamError, SidecarError, upstreamErrorReason } from '../../errors';
import { connectionTokens, isHopByHop, upstreamHeaders } from '../headers';
import type { ProxyOptions } from '../proxy';
import {
  ChunkedDecoder,
  DEFAULT_MAX_HEAD_BYTES,
  FramingError,
  parseRequestHead,
  parseResponseHead,
  reuseIdleMs,
  type RequestHead,
  type ResponseHead,
} from './http1';

export interface RawPlaneOptions extends ProxyOptions {
  /** Most upstream connections open at once; more requests wait for one. */
  connections: number;
  /** An idle upstream connection is closed after this long (undici's keepAliveTimeout in the node plane). */
  upstreamKeepAliveMs: number;
  connectTimeoutMs: number;
  /** An idle client connection is closed after this long (Node's keepAliveTimeout in the node plane). */
  keepAliveTimeoutMs: number;
  maxHeadBytes?: number;
  /**
   * For an `https:` origin: extra TLS options (tests pass a `ca`). Certificates are verified against Node's CAs
   * (plus NODE_EXTRA_CA_CERTS), as undici does in the node plane.
   */
  tls?: Pick<ConnectionOptions, 'ca'>;
}

export interface RawPlane {
  /** Requests whose head was read (the node plane's 'request' events). */
  requests(): number;
  /** Stops accepting, ends idle connections, cuts the rest after graceMs, closes upstream connections. */
  close(graceMs: number): Promise<void>;
}

/** Bytes buffered from a client (pipelined requests, a slow upstream) before its socket is paused. */
const CLIENT_BUFFER_MAX = 64 * 1024;

function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  413: 'Payload Too Large',
  417: 'Expectation Failed',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  505: 'HTTP Version Not Supported',
};

function headBytes(startLine: string, headers: readonly string[], extra: string): Buffer {
  let text = `${startLine}\r\n`;
  for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return Buffer.from(`${text}${extra}\r\n`, 'latin1');
}

/** What a pooled upstream socket reports to while an exchange uses it. */
interface UpstreamUser {
  /** The pool's answer to `acquire`: a connected socket (now this user's), or why there is none. */
  onUpstreamSocket(got: PooledSocket | Error): void;
  /**
   * `lent`: the chunk is a view of the socket's reusable read buffer, valid only during this call — what outlives
   * the call must be copied, or the buffer kept (UpstreamPool.keep) so the next read gets a new one.
   */
  onUpstreamData(chunk: Buffer, lent: boolean): void;
  onUpstreamError(err: Error): void;
  onUpstreamEnd(): void;
  onUpstreamTimeout(): void;
}

const USER = Symbol('plumbline.rawUpstreamUser');
const POOL = Symbol('plumbline.rawPool');
/** The pool's sweep count when the socket last moved bytes or changed hands (see UpstreamPool's sweep). */
const SEEN = Symbol('plumbline.rawSeen');
/** How long the socket may wait idle in the pool: its last response's keep-alive hint applied (reuseIdleMs). */
const IDLE_LIMIT = Symbol('plumbline.rawIdleLimitMs');
/** When it went back to the pool (performance.now()). */
const IDLE_SINCE = Symbol('plumbline.rawIdleSince');
/** A plain TCP socket's read buffer (see UpstreamPool.connect). */
const READER = Symbol('plumbline.rawReader');
interface Reader {
  buf: Buffer | null;
  /** Something still refers to `buf` after the read it was lent for: the next read gets a new buffer. */
  kept: boolean;
}
type PooledSocket = Socket & {
  [USER]?: UpstreamUser | null;
  [POOL]?: UpstreamPool;
  [SEEN]?: number;
  [IDLE_LIMIT]?: number;
  [IDLE_SINCE]?: number;
  [READER]?: Reader;
};

/**
 * Bytes a plain TCP upstream socket reads at once into its own reusable buffer. Smaller than Node's 64 KiB
 * (allocated per read there), as each pooled socket holds its buffer while it is open.
 */
const READ_BUFFER_BYTES = 16 * 1024;

/**
 * Sweeps per timeout length: a pooled socket's body or keep-alive timeout fires between 1 and 1 + 1/8 of its
 * length after the socket's last activity.
 */
const SWEEPS_PER_TIMEOUT = 8;

/**
 * Keep-alive connections to the upstream, at most `max` open; waiters are served in order. Each socket gets its
 * listeners once, when it connects; they forward to the exchange using it (no listeners per request), and the
 * exchange itself is what waits for a socket (no callback per request).
 *
 * Timeouts without a timer per socket: one interval timer per pool (running while it has connected sockets)
 * counts sweeps; a socket notes the count when it is handed out, given back, written to or read from, and a sweep
 * that finds it quiet for the body timeout (in use: `onUpstreamTimeout`) or the keep-alive timeout (idle:
 * closed) acts on it. `socket.setTimeout` per exchange cleared and allocated a Node timer twice per request and
 * refreshed it on every read and write.
 */
class UpstreamPool {
  private readonly idle: PooledSocket[] = [];
  private open = 0;
  private readonly waiters: UpstreamUser[] = [];
  private closed = false;
  /** Connected sockets (idle or in use): what the sweep looks at. */
  private readonly connected = new Set<PooledSocket>();
  private sweeper: NodeJS.Timeout | null = null;
  /** Sweeps so far: the pool's clock, in units of sweepMs. */
  sweeps = 0;
  private readonly sweepMs: number;
  /** Quiet sweeps after which an in-use socket times out / an idle one is closed. */
  private readonly busySweeps: number;
  private readonly idleSweeps: number;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly max: number,
    private readonly connectTimeoutMs: number,
    idleTimeoutMs: number,
    private readonly keepAliveMs: number,
    /** Set for an https: origin: connections are TLS (HTTP/1.1 by ALPN), with SNI unless `host` is an address. */
    private readonly tls: ConnectionOptions | null,
  ) {
    this.sweepMs = Math.max(1, Math.floor(Math.min(idleTimeoutMs, keepAliveMs) / SWEEPS_PER_TIMEOUT));
    // Activity noted at count k happened after sweep k and before sweep k + 1, so at sweep m it is more than
    // (m - k - 1) × sweepMs old: m - k ≥ ceil(T / sweepMs) + 1 means at least T.
    this.busySweeps = Math.ceil(idleTimeoutMs / this.sweepMs) + 1;
    this.idleSweeps = Math.ceil(keepAliveMs / this.sweepMs) + 1;
  }

  acquire(user: UpstreamUser): void {
    let socket = this.idle.pop();
    // Checked when taken, not by a timer: a connection idle past what the upstream said it keeps (its Keep-Alive
    // hint, less a margin) may be being closed by it right now; a request written on it would be reset.
    while (socket !== undefined && performance.now() - socket[IDLE_SINCE]! >= socket[IDLE_LIMIT]!) {
      socket.destroy();
      socket = this.idle.pop();
    }
    if (socket !== undefined) {
      this.hand(socket, user);
      return;
    }
    if (this.closed) {
      user.onUpstreamSocket(codedError('the sidecar is closing', 'ECONNABORTED'));
      return;
    }
    if (this.open >= this.max) {
      this.waiters.push(user);
      return;
    }
    this.connect(user);
  }

  private hand(socket: PooledSocket, user: UpstreamUser): void {
    socket[USER] = user;
    socket[SEEN] = this.sweeps;
    user.onUpstreamSocket(socket);
  }

  private sweep(): void {
    const now = ++this.sweeps;
    for (const socket of this.connected) {
      const user = socket[USER];
      if (now - socket[SEEN]! < (user ? this.busySweeps : this.idleSweeps)) continue;
      socket[SEEN] = now;
      if (user) user.onUpstreamTimeout();
      else socket.destroy(); // idle for keepAliveMs
    }
  }

  /**
   * Plain TCP sockets read with `onread` into a buffer of their own, reused from read to read while nothing keeps
   * it (UpstreamUser.onUpstreamData's `lent`): no Readable stream machinery per read ('data' event, push, a
   * nextTick to read more) and no new buffer per read. TLS sockets read through 'data' as usual.
   */
  private connect(user: UpstreamUser): void {
    this.open++;
    const reader: Reader = { buf: null, kept: false };
    let socket: PooledSocket;
    if (this.tls === null) {
      socket = connect({
        host: this.host,
        port: this.port,
        noDelay: true,
        onread: {
          buffer: () => {
            if (reader.buf === null || reader.kept) {
              reader.buf = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
              reader.kept = false;
            }
            return reader.buf;
          },
          callback: (bytes: number, buf: Uint8Array): boolean => {
            const owner = socket[USER];
            socket[SEEN] = this.sweeps;
            if (owner) owner.onUpstreamData((buf as Buffer).subarray(0, bytes), true);
            else socket.destroy(); // an idle connection that sends something is out of step: not reused
            return true; // pausing is socket.pause()'s (backpressure from the client)
          },
        },
      });
      socket[READER] = reader;
    } else {
      socket = connectTls({ ...this.tls, host: this.host, port: this.port }).setNoDelay(true);
      socket.on('data', (chunk: Buffer) => {
        const owner = socket[USER];
        socket[SEEN] = this.sweeps;
        if (owner) owner.onUpstreamData(chunk, false);
        else socket.destroy(); // as above
      });
    }
    socket[POOL] = this;
    socket[USER] = null;
    let connected = false;
    const timer = setTimeout(() => {
      socket.destroy(
        codedError(`connect timeout after ${this.connectTimeoutMs} ms`, 'UND_ERR_CONNECT_TIMEOUT'),
      );
    }, this.connectTimeoutMs);
    socket.on('error', (err: Error) => {
      clearTimeout(timer);
      if (!connected) {
        connected = true; // reported once
        user.onUpstreamSocket(err);
        return;
      }
      socket[USER]?.onUpstreamError(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      this.dropIdle(socket);
      this.connected.delete(socket);
      if (this.connected.size === 0 && this.sweeper !== null) {
        clearInterval(this.sweeper);
        this.sweeper = null;
      }
      this.open--;
      const user = socket[USER];
      socket[USER] = null;
      user?.onUpstreamError(codedError('the upstream closed the connection', 'ECONNRESET'));
      const next = this.waiters.shift();
      if (next !== undefined) {
        if (this.closed) next.onUpstreamSocket(codedError('the sidecar is closing', 'ECONNABORTED'));
        else this.connect(next);
      }
    });
    socket.on(this.tls === null ? 'connect' : 'secureConnect', () => {
      clearTimeout(timer);
      connected = true;
      this.connected.add(socket);
      if (this.sweeper === null) this.sweeper = setInterval(() => this.sweep(), this.sweepMs).unref();
      this.hand(socket, user);
    });
    socket.on('end', () => {
      const user = socket[USER];
      if (user) user.onUpstreamEnd();
      else socket.destroy();
    });
  }

  /** Something refers to the buffer `socket` lent for this read beyond the read: its next read gets a new one. */
  keep(socket: PooledSocket): void {
    const reader = socket[READER];
    if (reader !== undefined) reader.kept = true;
  }

  /** Notes that bytes were written to `socket` (an upload in progress is activity, as Node's socket timeout counts it). */
  wrote(socket: PooledSocket): void {
    socket[SEEN] = this.sweeps;
  }

  /**
   * Back to the pool after a complete keep-alive exchange, or destroyed. `head`: the response just read (null: the
   * socket was not used), whose keep-alive hint may shorten how long the connection waits idle (reuseIdleMs).
   */
  release(socket: PooledSocket, reusable: boolean, head: ResponseHead | null): void {
    socket[USER] = null;
    socket[SEEN] = this.sweeps;
    if (head !== null) socket[IDLE_LIMIT] = reuseIdleMs(head, this.keepAliveMs);
    if (!reusable || socket[IDLE_LIMIT] === 0 || this.closed || socket.destroyed) {
      socket.destroy();
      return;
    }
    const next = this.waiters.shift();
    if (next !== undefined) {
      this.hand(socket, next);
      return;
    }
    socket[IDLE_LIMIT] ??= this.keepAliveMs;
    socket[IDLE_SINCE] = performance.now();
    this.idle.push(socket);
  }

  private dropIdle(socket: PooledSocket): void {
    const i = this.idle.indexOf(socket);
    if (i >= 0) this.idle.splice(i, 1);
  }

  close(): void {
    this.closed = true;
    for (const socket of this.idle.splice(0)) socket.destroy();
    for (const waiter of this.waiters.splice(0))
      waiter.onUpstreamSocket(codedError('the sidecar is closing', 'ECONNABORTED'));
  }
}

function ignore(): void {}

/** A captured body as one Buffer (null: none, or not kept). */
function join(chunks: Buffer[] | null): Buffer | null {
  return chunks === null || chunks.length === 0
    ? null
    : chunks.length === 1
      ? chunks[0]
      : Buffer.concat(chunks);
}

/** Not `instanceof Error`: errors from node:net may come from another realm (jest's vm contexts). */
function isSocket(x: PooledSocket | Error): x is PooledSocket {
  return typeof (x as PooledSocket).write === 'function';
}

/** Where one exchange stands. */
const enum Phase {
  RequestBody,
  AwaitHead,
  ResponseBody,
  Done,
}

class RawExchange implements UpstreamUser {
  readonly startedAt = performance.now();
  readonly receivedAt = Date.now();
  requestId = '';
  phase = Phase.RequestBody;
  upstream: PooledSocket | null = null;
  /** Request bytes for the upstream not yet written (while it connects). */
  pending: Buffer[] = [];
  reqRemaining = 0;
  reqDecoder: ChunkedDecoder | null = null;
  reqChunks: Buffer[] | null = [];
  reqBytes = 0;
  reqTruncated = false;
  upstreamStartedAt = 0;
  upstreamMs = 0;
  resBuf: Buffer | null = null;
  res: ResponseHead | null = null;
  resRemaining = 0;
  resDecoder: ChunkedDecoder | null = null;
  /**
   * Set for a chunked response to an HTTP/1.0 client, which cannot read chunked framing (RFC 9112 §7): the chunk
   * data the decoder found in the upstream bytes being handled, what the client gets instead of those bytes.
   */
  dechunked: Buffer[] | null = null;
  resChunks: Buffer[] | null = [];
  resCaptured = 0;
  resBytes = 0;
  resTruncated = false;
  headSent = false;
  status = 0;
  headerVersion: string | null = null;
  errorCode: string | null = null;
  errorMessage: string | null = null;
  /** The request went out on an upstream socket and its response head has not come yet (headersTimeoutMs). */
  awaitingHead = false;

  constructor(
    readonly head: RequestHead,
    private readonly conn: ClientConnection,
  ) {}

  onUpstreamSocket(got: PooledSocket | Error): void {
    this.conn.onUpstreamSocket(this, got);
  }

  onUpstreamData(chunk: Buffer, lent: boolean): void {
    this.conn.onUpstreamData(this, chunk, lent);
  }

  onUpstreamError(err: Error): void {
    this.conn.upstreamFailed(this, err);
  }

  onUpstreamEnd(): void {
    this.conn.onUpstreamEnd(this);
  }

  onUpstreamTimeout(): void {
    this.conn.upstreamFailed(
      this,
      this.res === null
        ? codedError('headers timeout', 'UND_ERR_HEADERS_TIMEOUT')
        : codedError('body timeout', 'UND_ERR_BODY_TIMEOUT'),
    );
  }
}

class ClientConnection {
  private buf: Buffer | null = null;
  private ex: RawExchange | null = null;
  private closed = false;
  /** The client half-closed: answer what it sent, then end. */
  private readEnded = false;
  /**
   * The plane's sweep count when the connection last became idle (it opened, or answered an exchange): idle for
   * keepAliveTimeoutMs, it is closed (RawPlaneImpl.sweep, a timer per plane, not per connection).
   */
  private idleSince: number;
  /** The plane's sweep count when the exchange in flight went upstream: its headers timeout counts from there. */
  private sentAt = 0;
  /** While upstream bytes in a lent read buffer are handled: the socket that lent it (see onUpstreamData). */
  private lentFrom: PooledSocket | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly plane: RawPlaneImpl,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', ignore);
    socket.on('close', () => this.onClose());
    socket.on('end', () => {
      this.readEnded = true;
      this.afterReadEnd();
    });
    this.idleSince = plane.sweeps;
  }

  /** The plane's sweep (`now`: its count): ends the connection if idle too long, times out a late response head. */
  sweep(now: number, headersSweeps: number, idleSweeps: number): void {
    const ex = this.ex;
    if (ex !== null) {
      if (ex.awaitingHead && now - this.sentAt >= headersSweeps)
        this.upstreamFailed(ex, codedError('headers timeout', 'UND_ERR_HEADERS_TIMEOUT'));
    } else if (this.idle && now - this.idleSince >= idleSweeps) this.socket.destroy();
  }

  get idle(): boolean {
    return this.ex === null && (this.buf === null || this.buf.length === 0);
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /**
   * The client sent its last byte (FIN; node:http servers allow half-open sockets). A half-closed client gets the
   * answers to the requests it sent in full, then the connection ends. A request whose head or body stopped
   * half-way can never complete: like Node's parser at end of input, the answer is 400 and the connection ends
   * (a started exchange is recorded as 499 and its upstream request aborted) — before, such a connection stayed
   * open until the grace period of close() ran out.
   */
  private afterReadEnd(): void {
    if (!this.readEnded || this.closed) return;
    const ex = this.ex;
    if (ex === null) {
      if (this.buf === null || this.buf.length === 0) this.socket.end();
      else this.refuse(new FramingError(400, 'the request head ended early'));
    } else if (ex.phase === Phase.RequestBody) {
      this.abandon(ex);
      this.ex = null;
      this.refuse(new FramingError(400, 'the request body ended early'));
    }
  }

  /** The headers timeout from now, for `ex` (the connection's one exchange in flight). */
  private armHeadersTimeout(ex: RawExchange): void {
    ex.awaitingHead = true;
    this.sentAt = this.plane.sweeps;
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf === null || this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.buf.length > CLIENT_BUFFER_MAX && this.ex !== null && this.ex.phase !== Phase.RequestBody)
      this.socket.pause();
    this.process();
  }

  /** Reads what the buffer holds: the next head, or more of the current request's body. */
  private process(): void {
    while (!this.closed && this.buf !== null && this.buf.length > 0) {
      const ex = this.ex;
      if (ex === null) {
        if (!this.startExchange()) return;
        continue;
      }
      if (ex.phase !== Phase.RequestBody) return; // pipelined: waits for the response before it
      if (!this.requestBody(ex)) return;
    }
  }

  private startExchange(): boolean {
    const buf = this.buf!;
    let head: RequestHead | null;
    try {
      head = parseRequestHead(buf, 0, this.plane.options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES);
    } catch (err) {
      this.refuse(err as FramingError);
      return false;
    }
    if (head === null) return false;
    this.plane.requestCount++;
    this.buf = buf.length === head.end ? null : buf.subarray(head.end);
    const ex = new RawExchange(head, this);
    this.ex = ex;
    const options = this.plane.options;
    const info = upstreamHeaders(head.rawHeaders, options.requestIdHeader, randomUUID, {
      address: this.socket.remoteAddress,
      proto: 'http',
    });
    ex.requestId = info.requestId;
    for (let i = 0; i < head.rawHeaders.length; i += 2) {
      const name = head.rawHeaders[i];
      if (
        name.length === options.versionHeader.length &&
        name.toLowerCase() === options.versionHeader &&
        head.rawHeaders[i + 1] !== ''
      )
        ex.headerVersion = head.rawHeaders[i + 1];
    }
    if (head.method === 'CONNECT' || head.target.charCodeAt(0) !== 47 /* / */) {
      // Like the node plane: the body (if any) is not read; the connection closes after the answer.
      head.keepAlive = false;
      this.fail(
        ex,
        new SidecarError(
          'SIDECAR_ERR_BAD_REQUEST',
          `request target must be a path, got "${head.target.slice(0, 100)}"`,
        ),
      );
      return false;
    }
    // Content-Length is an end-to-end header and already in info.headers; Transfer-Encoding is hop-by-hop.
    const framing = head.body === 'chunked' ? 'transfer-encoding: chunked\r\n' : '';
    ex.pending.push(
      headBytes(
        `${head.method} ${options.basePath}${head.target} HTTP/1.1`,
        info.headers,
        `host: ${this.plane.hostHeader}\r\n${framing}`,
      ),
    );
    if (head.body === 'length') ex.reqRemaining = head.contentLength;
    else if (head.body === 'chunked')
      ex.reqDecoder = new ChunkedDecoder((data) => this.captureRequest(ex, data));
    if (head.expectContinue && head.body !== 'none' && this.buf === null)
      this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
    if (head.body === 'none') ex.phase = Phase.AwaitHead;
    else if (this.buf !== null && !this.requestBody(ex)) {
      // the body continues in later packets
    }
    if (this.ex === ex && !this.closed) this.dispatch(ex);
    return this.ex !== ex || ex.phase !== Phase.RequestBody;
  }

  /** Takes the current request's body bytes from the buffer; true when the body is complete. */
  private requestBody(ex: RawExchange): boolean {
    const buf = this.buf;
    if (buf === null) return false;
    let end: number;
    if (ex.reqDecoder !== null) {
      try {
        end = ex.reqDecoder.push(buf, 0);
      } catch (err) {
        this.abortRequest(ex, err as FramingError);
        return false;
      }
    } else {
      end = Math.min(ex.reqRemaining, buf.length);
      ex.reqRemaining -= end;
    }
    const body = end === buf.length ? buf : buf.subarray(0, end);
    this.buf = end === buf.length ? null : buf.subarray(end);
    if (body.length > 0) {
      // A chunked body is captured decoded, by the decoder's data callback; a sized one as it is.
      if (ex.reqDecoder === null) this.captureRequest(ex, body);
      this.toUpstream(ex, body);
    }
    const complete = ex.reqDecoder !== null ? ex.reqDecoder.done : ex.reqRemaining === 0;
    if (complete) {
      ex.phase = Phase.AwaitHead;
      if (this.buf !== null && this.buf.length > CLIENT_BUFFER_MAX) this.socket.pause();
    }
    return complete;
  }

  /** Counts and (up to the capture cap) keeps a piece of the request body, as the node plane does. */
  private captureRequest(ex: RawExchange, data: Buffer): void {
    ex.reqBytes += data.length;
    if (ex.reqChunks === null) return;
    if (ex.reqBytes <= this.plane.options.captureMaxBytes) ex.reqChunks.push(data);
    else {
      ex.reqChunks = null;
      ex.reqTruncated = true;
    }
  }

  private captureResponse(ex: RawExchange, data: Buffer): void {
    ex.resBytes += data.length;
    if (ex.resChunks === null) return;
    if (ex.resCaptured + data.length <= this.plane.options.captureMaxBytes) {
      ex.resChunks.push(this.own(data));
      ex.resCaptured += data.length;
    } else {
      ex.resChunks = null;
      ex.resTruncated = true;
    }
  }

  private toUpstream(ex: RawExchange, bytes: Buffer): void {
    if (ex.upstream === null) {
      ex.pending.push(bytes);
      return;
    }
    this.plane.pool.wrote(ex.upstream);
    if (!ex.upstream.write(bytes)) {
      this.socket.pause();
      ex.upstream.once('drain', () => this.socket.resume());
    }
  }

  private dispatch(ex: RawExchange): void {
    ex.upstreamStartedAt = performance.now();
    this.plane.pool.acquire(ex);
  }

  onUpstreamSocket(ex: RawExchange, got: PooledSocket | Error): void {
    if (ex.phase === Phase.Done) {
      if (isSocket(got)) this.plane.pool.release(got, true, null);
      return;
    }
    if (!isSocket(got)) {
      this.upstreamFailed(ex, got);
      return;
    }
    ex.upstream = got;
    this.armHeadersTimeout(ex);
    const pending = ex.pending;
    ex.pending = [];
    if (pending.length <= 1) {
      if (pending.length === 1) got.write(pending[0]);
      return;
    }
    let bytes = 0;
    for (const b of pending) bytes += b.length;
    // The head and a small body (the usual request) leave as one Buffer in one write; more, corked (writev).
    if (bytes <= CLIENT_BUFFER_MAX) {
      got.write(Buffer.concat(pending, bytes));
      return;
    }
    got.cork();
    for (const b of pending) got.write(b);
    got.uncork();
  }

  onUpstreamData(ex: RawExchange, chunk: Buffer, lent: boolean): void {
    if (!lent) {
      this.upstreamData(ex, chunk);
      return;
    }
    // What outlives this call is copied (captured body, a partial head) or keeps the buffer (a pending write).
    this.lentFrom = ex.upstream;
    try {
      this.upstreamData(ex, chunk);
    } finally {
      this.lentFrom = null;
    }
  }

  /** A copy of `view` when it is part of a lent read buffer (see onUpstreamData), else `view`. */
  private own(view: Buffer): Buffer {
    return this.lentFrom === null ? view : Buffer.from(view);
  }

  private upstreamData(ex: RawExchange, chunk: Buffer): void {
    if (ex.phase === Phase.Done) return;
    if (ex.res === null) {
      const buf = ex.resBuf === null ? chunk : Buffer.concat([ex.resBuf, chunk]);
      let head: ResponseHead | null;
      try {
        head = parseResponseHead(buf, 0, ex.head.method);
      } catch (err) {
        this.upstreamFailed(ex, codedError((err as Error).message, 'HPE_INVALID_RESPONSE'));
        return;
      }
      if (head === null) {
        ex.resBuf = buf === chunk ? this.own(buf) : buf;
        return;
      }
      if (head.status < 200) {
        ex.resBuf = buf.length === head.end ? null : this.own(buf.subarray(head.end));
        if (head.status === 101) {
          this.upstreamFailed(ex, codedError('unexpected 101 Switching Protocols', 'HPE_INVALID_RESPONSE'));
          return;
        }
        // 1xx informational responses go to the client as they came (HTTP/1.1 clients only).
        if (ex.head.minor === 1) this.socket.write(this.own(buf.subarray(0, head.end)));
        if (ex.resBuf !== null) this.upstreamData(ex, Buffer.alloc(0));
        return;
      }
      ex.resBuf = null;
      ex.awaitingHead = false;
      ex.res = head;
      this.noteResponseHead(ex, head);
      if (head.body === 'length') ex.resRemaining = head.contentLength;
      else if (head.body === 'chunked')
        ex.resDecoder = new ChunkedDecoder(
          ex.dechunked === null
            ? (data) => this.captureResponse(ex, data)
            : (data) => {
                this.captureResponse(ex, data);
                ex.dechunked!.push(data);
              },
        );
      ex.phase = Phase.ResponseBody;
      if (head.body !== 'none' && buf.length > head.end) {
        // Head and the body bytes that came with it leave in one write (one packet with noDelay).
        this.responseBody(ex, buf.subarray(head.end), buf);
        return;
      }
      this.toClient(ex, this.responseHead(ex, head, buf, null));
      if (head.body === 'none') this.complete(ex, buf.length === head.end);
      return;
    }
    this.responseBody(ex, chunk, null);
  }

  /** What the response head decides before any of it is written: status, model version, keep-alive. */
  private noteResponseHead(ex: RawExchange, head: ResponseHead): void {
    const versionHeader = this.plane.options.versionHeader;
    let version: string | null = null;
    let versions = 0;
    for (let i = 0; i < head.rawHeaders.length; i += 2) {
      const name = head.rawHeaders[i];
      if (name.length === versionHeader.length && name.toLowerCase() === versionHeader) {
        version = head.rawHeaders[i + 1];
        versions++;
      }
    }
    // One non-empty value (a repeated header is ambiguous), as the node plane reads it.
    if (versions === 1 && version !== '') ex.headerVersion = version;
    ex.status = head.status;
    if (head.body === 'close') ex.head.keepAlive = false;
    else if (head.body === 'chunked' && ex.head.minor === 0) {
      // An HTTP/1.0 client cannot read chunked framing: it gets the chunk data, delimited by closing the
      // connection (no length is known in advance), as nginx and Node's http server (the node plane) answer it.
      ex.dechunked = [];
      ex.head.keepAlive = false;
    }
    ex.headSent = true;
  }

  /**
   * The client's response head, copied from the upstream's bytes (`buf`, where `head` was parsed): the status line
   * with the client's HTTP version (an empty reason phrase sent as `Unknown`), then the header lines as received —
   * case, order and duplicates kept — minus hop-by-hop ones and those any Connection header lists (headers.ts);
   * then the request id when the upstream sent none, the upstream's Transfer-Encoding (see below) and the
   * `connection` header this connection needs. `body` (response bytes that came with the head) follows in the
   * same Buffer, so both leave in one write.
   *
   * Transfer-Encoding is hop-by-hop, but the body bytes pass through as the upstream framed and coded them, so an
   * HTTP/1.1 client is told the codings the upstream applied, all of them (`gzip, chunked`: before, it was told
   * `chunked` only and got gzip bytes it did not know of). An HTTP/1.0 client is told none (RFC 9112 §6.1): a
   * chunked body reaches it de-chunked (`dechunked`); a coding other than chunked (gzip) is not undone — its
   * bytes reach the client as they came, as from the node plane, where Node's http server does the same.
   */
  private responseHead(ex: RawExchange, head: ResponseHead, buf: Buffer, body: Buffer | null): Buffer {
    const requestIdHeader = this.plane.options.requestIdHeader;
    const raw = head.rawHeaders;
    const lines = head.fieldLines;
    let listed: Set<string> | undefined;
    for (let i = 0; i < raw.length; i += 2)
      if (raw[i].length === 10 && raw[i].toLowerCase() === 'connection') {
        const value = raw[i + 1];
        // The usual values name no header: skip the split.
        if (value.length === 10 && value.toLowerCase() === 'keep-alive') continue;
        if (value.length === 5 && value.toLowerCase() === 'close') continue;
        const tokens = connectionTokens(value);
        if (tokens !== undefined) for (const t of tokens) (listed ??= new Set()).add(t);
      }
    // [start, end) runs of the upstream's bytes to copy: the status line and the kept header lines after it.
    const runs: number[] = [];
    let hasRequestId = false;
    let runStart = head.reason === '' ? head.fieldsStart : head.start;
    let runEnd = head.fieldsStart;
    for (let i = 0; i < raw.length; i += 2) {
      const lower = raw[i].toLowerCase();
      if (isHopByHop(lower, listed)) {
        if (runEnd > runStart) runs.push(runStart, runEnd);
        runStart = runEnd = lines[i + 1];
        continue;
      }
      if (lower === requestIdHeader) hasRequestId = true;
      runEnd = lines[i + 1];
    }
    if (runEnd > runStart) runs.push(runStart, runEnd);
    const minor = ex.head.minor;
    const statusLine = head.reason === '' ? `HTTP/1.${minor} ${head.status} Unknown\r\n` : '';
    const tail =
      (hasRequestId ? '' : `${requestIdHeader}: ${ex.requestId}\r\n`) +
      (minor === 1 && head.body !== 'none' && head.transferCodings !== ''
        ? `transfer-encoding: ${head.transferCodings}\r\n`
        : '') +
      (!ex.head.keepAlive ? 'connection: close\r\n' : minor === 0 ? 'connection: keep-alive\r\n' : '') +
      '\r\n';
    let length = statusLine.length + tail.length + (body === null ? 0 : body.length);
    for (let r = 0; r < runs.length; r += 2) length += runs[r + 1] - runs[r];
    const out = Buffer.allocUnsafe(length);
    let at = out.write(statusLine, 0, 'latin1');
    for (let r = 0; r < runs.length; r += 2) at += buf.copy(out, at, runs[r], runs[r + 1]);
    if (head.reason !== '') out[7] = 48 + minor; // HTTP/1.x of the copied status line: the client's version
    at += out.write(tail, at, 'latin1');
    if (body !== null) body.copy(out, at);
    return out;
  }

  /** Writes to the client; when its socket buffers, the upstream pauses until it drains. */
  private toClient(ex: RawExchange, bytes: Buffer): void {
    const drained = this.socket.write(bytes);
    // Not written yet (Node holds on to `bytes`): a lent read buffer may not be reused.
    if (this.lentFrom !== null && this.socket.writableLength > 0) this.plane.pool.keep(this.lentFrom);
    if (!drained && ex.upstream !== null) {
      const upstream = ex.upstream;
      upstream.pause();
      this.socket.once('drain', () => upstream.resume());
    }
  }

  /** Response body bytes from the upstream; `headBuf`: the response head (parsed there) goes out with them. */
  private responseBody(ex: RawExchange, chunk: Buffer, headBuf: Buffer | null): void {
    let end: number;
    const res = ex.res!;
    if (ex.resDecoder !== null) {
      try {
        end = ex.resDecoder.push(chunk, 0);
      } catch (err) {
        this.upstreamFailed(ex, codedError((err as Error).message, 'HPE_INVALID_CHUNK_SIZE'));
        return;
      }
    } else if (res.body === 'length') {
      end = Math.min(ex.resRemaining, chunk.length);
      ex.resRemaining -= end;
    } else end = chunk.length;
    let body = end === chunk.length ? chunk : chunk.subarray(0, end);
    if (body.length > 0 && ex.resDecoder === null) this.captureResponse(ex, body);
    const dechunked = ex.dechunked;
    if (dechunked !== null) {
      // An HTTP/1.0 client: the chunk data the decoder found, without the framing around it.
      body = dechunked.length === 1 ? dechunked[0] : Buffer.concat(dechunked);
      dechunked.length = 0;
    }
    if (headBuf !== null) this.toClient(ex, this.responseHead(ex, res, headBuf, body));
    else if (body.length > 0) this.toClient(ex, body);
    const complete =
      ex.resDecoder !== null ? ex.resDecoder.done : res.body === 'length' ? ex.resRemaining === 0 : false;
    if (complete) this.complete(ex, end === chunk.length);
  }

  onUpstreamEnd(ex: RawExchange): void {
    if (ex.phase === Phase.Done) return;
    if (ex.res !== null && ex.res.body === 'close') {
      ex.res.keepAlive = false;
      this.complete(ex, false);
      return;
    }
    this.upstreamFailed(ex, codedError('the upstream ended the connection', 'ECONNRESET'));
  }

  /** The response is written: the upstream goes back to the pool, capture gets the exchange, the next request runs. */
  private complete(ex: RawExchange, clean: boolean): void {
    ex.upstreamMs = performance.now() - ex.upstreamStartedAt;
    const upstream = ex.upstream;
    ex.upstream = null;
    // Reused only when the upstream got the whole request body: an upstream that answered early (before the body
    // ended) would read the next request as the rest of this body.
    const requestSent = ex.reqDecoder !== null ? ex.reqDecoder.done : ex.reqRemaining === 0;
    const reusable = clean && ex.res !== null && ex.res.keepAlive && requestSent;
    this.finish(ex);
    if (upstream !== null) this.plane.pool.release(upstream, reusable, ex.res);
    this.next(ex);
  }

  private next(ex: RawExchange): void {
    this.ex = null;
    if (!ex.head.keepAlive || ex.reqDecoder?.done === false || ex.reqRemaining > 0) {
      // The request body was not read to its end (the upstream answered early): the connection cannot be reused.
      this.closed = true;
      this.socket.end();
      return;
    }
    if (this.socket.isPaused()) this.socket.resume();
    this.idleSince = this.plane.sweeps;
    if (this.buf !== null && this.buf.length > 0) this.process();
    this.afterReadEnd();
  }

  upstreamFailed(ex: RawExchange, err: Error): void {
    if (ex.phase === Phase.Done) return;
    if (ex.upstreamStartedAt > 0) ex.upstreamMs = performance.now() - ex.upstreamStartedAt;
    const upstream = ex.upstream;
    ex.upstream = null;
    upstream?.destroy();
    const coded = err instanceof SidecarError ? err : classifyUpstreamError(err);
    if (!ex.headSent) {
      this.fail(ex, coded);
      return;
    }
    ex.errorCode = coded.code;
    ex.errorMessage = coded.message;
    this.plane.options.onUpstreamError(upstreamErrorReason(coded.code), coded);
    this.finish(ex);
    this.closed = true;
    this.socket.destroy();
  }

  /** Answers with the sidecar's own JSON error (the node plane's `fail`). */
  private fail(ex: RawExchange, err: SidecarError): void {
    ex.errorCode = err.code;
    ex.errorMessage = err.message;
    if (err.code.startsWith('SIDECAR_ERR_UPSTREAM_'))
      this.plane.options.onUpstreamError(upstreamErrorReason(err.code), err);
    ex.status = err.statusCode;
    ex.resChunks = null;
    const body = JSON.stringify(err.toJSON());
    // The request body may be partly unread or partly sent: this connection is not reused.
    const reusable = ex.phase !== Phase.RequestBody && ex.head.keepAlive;
    if (!reusable) ex.head.keepAlive = false;
    ex.headSent = true;
    this.socket.write(
      headBytes(
        `HTTP/1.${ex.head.minor} ${err.statusCode} ${err.statusCode === 400 ? 'Bad Request' : err.statusCode === 502 ? 'Bad Gateway' : err.statusCode === 503 ? 'Service Unavailable' : 'Gateway Timeout'}`,
        [
          'content-type',
          'application/json; charset=utf-8',
          'content-length',
          String(Buffer.byteLength(body)),
          this.plane.options.requestIdHeader,
          ex.requestId,
        ],
        reusable ? '' : 'connection: close\r\n',
      ),
    );
    this.socket.write(body);
    this.finish(ex);
    this.next(ex);
  }

  /** A request that breaks framing mid-body: nothing more of it goes upstream. */
  private abortRequest(ex: RawExchange, err: FramingError): void {
    const upstream = ex.upstream;
    ex.upstream = null;
    upstream?.destroy();
    ex.pending = [];
    ex.phase = Phase.Done;
    ex.awaitingHead = false;
    this.ex = null;
    this.refuse(err);
  }

  /** Answers a request Node's parser would refuse the way Node does (status, no body, close). */
  private refuse(err: FramingError): void {
    this.closed = true;
    this.buf = null;
    const status = err instanceof FramingError ? err.statusCode : 400;
    this.socket.end(
      `HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
    );
  }

  private onClose(): void {
    this.closed = true;
    this.plane.forget(this);
    const ex = this.ex;
    if (ex !== null) this.abandon(ex);
  }

  /** The client left before the exchange completed: recorded as 499, its upstream request aborted. */
  private abandon(ex: RawExchange): void {
    if (ex.phase === Phase.Done) return;
    ex.errorCode = 'SIDECAR_ERR_CLIENT_CLOSED';
    ex.errorMessage = 'the client closed the connection before the response was complete';
    ex.status = 499;
    const upstream = ex.upstream;
    ex.upstream = null;
    this.finish(ex);
    upstream?.destroy();
  }

  private finish(ex: RawExchange): void {
    if (ex.phase === Phase.Done) return;
    ex.phase = Phase.Done;
    ex.awaitingHead = false;
    const { head } = ex;
    const q = head.target.indexOf('?');
    let contentType: string | null = null;
    for (let i = 0; i < head.rawHeaders.length; i += 2) {
      if (head.rawHeaders[i].length === 12 && head.rawHeaders[i].toLowerCase() === 'content-type') {
        contentType = head.rawHeaders[i + 1];
        break;
      }
    }
    const exchange: Exchange = {
      requestId: ex.requestId,
      receivedAt: ex.receivedAt,
      method: head.method,
      path: q < 0 ? head.target : head.target.slice(0, q),
      query: q < 0 ? '' : head.target.slice(q),
      contentType,
      headerVersion: ex.headerVersion,
      requestBody: join(ex.reqChunks),
      requestBytes: ex.reqBytes,
      requestTruncated: ex.reqTruncated,
      status: ex.status,
      responseBody: join(ex.resChunks),
      responseBytes: ex.resBytes,
      responseTruncated: ex.resTruncated,
      totalMs: performance.now() - ex.startedAt,
      upstreamMs: ex.upstreamMs,
      errorCode: ex.errorCode,
      errorMessage: ex.errorMessage,
    };
    this.plane.options.onExchange(exchange);
  }
}

/**
 * The client connections' timeouts without a timer per connection: one interval per plane (running while it has
 * connections) counts sweeps, a connection notes the count when it goes idle and when its request goes upstream,
 * and a sweep ends connections idle for keepAliveTimeoutMs and times out response heads later than
 * headersTimeoutMs — each within 1/8 of its length (SWEEPS_PER_TIMEOUT). Before, each connection re-armed two
 * timers per exchange (Timeout.refresh: a timer-list move and a clock read each).
 */
class RawPlaneImpl implements RawPlane {
  readonly pool: UpstreamPool;
  readonly connections = new Set<ClientConnection>();
  readonly hostHeader: string;
  requestCount = 0;
  /** Sweeps so far: the client connections' clock, in units of sweepMs. */
  sweeps = 0;
  private sweeper: NodeJS.Timeout | null = null;
  private readonly sweepMs: number;
  private readonly headersSweeps: number;
  private readonly idleSweeps: number;

  constructor(
    private readonly server: Server,
    readonly options: RawPlaneOptions,
  ) {
    const url = new URL(options.origin);
    this.hostHeader = url.host;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const https = url.protocol === 'https:';
    this.pool = new UpstreamPool(
      host,
      Number(url.port || (https ? 443 : 80)),
      options.connections,
      options.connectTimeoutMs,
      options.bodyTimeoutMs,
      options.upstreamKeepAliveMs,
      https
        ? { ...options.tls, ALPNProtocols: ['http/1.1'], ...(isIP(host) === 0 ? { servername: host } : {}) }
        : null,
    );
    this.sweepMs = Math.max(
      1,
      Math.floor(Math.min(options.headersTimeoutMs, options.keepAliveTimeoutMs) / SWEEPS_PER_TIMEOUT),
    );
    // As in UpstreamPool: m - k ≥ ceil(T / sweepMs) + 1 sweeps after count k is at least T.
    this.headersSweeps = Math.ceil(options.headersTimeoutMs / this.sweepMs) + 1;
    this.idleSweeps = Math.ceil(options.keepAliveTimeoutMs / this.sweepMs) + 1;
    // The node:http server only listens: its own connection handling is replaced by this plane's.
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      this.connections.add(new ClientConnection(socket, this));
      this.sweeper ??= setInterval(() => this.sweep(), this.sweepMs).unref();
    });
  }

  private sweep(): void {
    const now = ++this.sweeps;
    for (const c of this.connections) c.sweep(now, this.headersSweeps, this.idleSweeps);
  }

  /** A connection closed. */
  forget(c: ClientConnection): void {
    this.connections.delete(c);
    if (this.connections.size === 0 && this.sweeper !== null) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  requests(): number {
    return this.requestCount;
  }

  close(graceMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.pool.close();
        resolve();
      };
      const timer = setTimeout(() => {
        for (const c of this.connections) c.destroy();
      }, graceMs);
      for (const c of this.connections) if (c.idle) c.end();
      if (!this.server.listening) {
        done();
        return;
      }
      this.server.close(done);
    });
  }
}

/** Takes over `server`'s connections (it must not have a 'request' handler) as the raw data plane. */
export function attachRawPlane(server: Server, options: RawPlaneOptions): RawPlane {
  return new RawPlaneImpl(server, options);
}
