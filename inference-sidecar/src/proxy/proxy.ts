/**
 * The reverse proxy: every method and path goes to the upstream over a keep-alive undici pool; the response goes
 * back to the client byte for byte (status, headers minus hop-by-hop, body chunks as they arrive, with
 * backpressure). Capture gets a bounded copy of each body (`captureMaxBytes`) and the timings only after the
 * response was written. Upstream failures become 502/503/504 with a JSON error body; nothing a client or an
 * upstream sends throws out of here.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Exchange } from '../capture/exchange';
import { classifyUpstreamError, SidecarError, upstreamErrorReason } from '../errors';
import { clientHeaders, upstreamHeaders } from './headers';

export interface ProxyOptions {
  /** Upstream origin, e.g. http://127.0.0.1:8081. */
  origin: string;
  /** Path prefix of the upstream URL ('' for none). */
  basePath: string;
  requestIdHeader: string;
  /** Header naming the model version (lower case): the response's wins over the request's. */
  versionHeader: string;
  captureMaxBytes: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Called once per request after the response was written (or the exchange ended). Must not throw. */
  onExchange(exchange: Exchange): void;
  /** Called for every upstream failure answered by the sidecar (metrics). */
  onUpstreamError(reason: string, err: SidecarError): void;
}

/** Request bodies up to this size are collected and sent in one write; larger or unknown-length ones stream. */
const INLINE_BODY_MAX = 64 * 1024;

/** A request handler for node:http: `server.on('request', createProxyHandler(opts, pool))`. */
export function createProxyHandler(
  options: ProxyOptions,
  dispatcher: Dispatcher,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    new ProxyExchange(req, res, options, dispatcher).start();
  };
}

const NO_BODY_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE']);

class ProxyExchange implements Dispatcher.DispatchHandler {
  private readonly startedAt = performance.now();
  private readonly receivedAt = Date.now();
  private upstreamStartedAt = 0;
  private upstreamMs = 0;
  private requestId = '';
  private headers: string[] = [];
  private controller: Dispatcher.DispatchController | null = null;
  private reqChunks: Buffer[] | null = [];
  private reqBytes = 0;
  private reqTruncated = false;
  private resChunks: Buffer[] | null = [];
  private resCaptured = 0;
  private resBytes = 0;
  private resTruncated = false;
  private status = 0;
  private errorCode: string | null = null;
  private errorMessage: string | null = null;
  private headerVersion: string | null = null;
  private done = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly options: ProxyOptions,
    private readonly dispatcher: Dispatcher,
  ) {}

  start(): void {
    const { req, res, options } = this;
    const info = upstreamHeaders(req.rawHeaders, options.requestIdHeader, randomUUID, {
      address: req.socket.remoteAddress,
      proto: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
    });
    this.headers = info.headers;
    this.requestId = info.requestId;
    (res as Tagged)[EXCHANGE] = this;
    (req as Tagged)[EXCHANGE] = this;
    res.on('close', onResClose);
    req.on('error', ignoreClientError);
    // Never chunked framing to an HTTP/1.0 client (RFC 9112 §7), also when it sent `TE: chunked`: Node's http
    // server would then chunk a body of unknown length; now it ends with the connection, as on the raw plane.
    if (req.httpVersionMajor === 1 && req.httpVersionMinor === 0) res.useChunkedEncodingByDefault = false;

    const url = req.url ?? '/';
    if (url.charCodeAt(0) !== 47 /* / */) {
      this.fail(
        new SidecarError(
          'SIDECAR_ERR_BAD_REQUEST',
          `request target must be a path, got "${url.slice(0, 100)}"`,
        ),
      );
      return;
    }
    const requestVersion = req.headers[options.versionHeader];
    if (typeof requestVersion === 'string' && requestVersion !== '') this.headerVersion = requestVersion;
    const lengthHeader = req.headers['content-length'];
    const chunked = req.headers['transfer-encoding'] !== undefined;
    const length = lengthHeader === undefined ? -1 : Number(lengthHeader);
    if (!chunked && (length === 0 || (length < 0 && NO_BODY_METHODS.has(req.method ?? 'GET')))) {
      this.reqChunks = null;
      this.dispatch(null);
    } else if (!chunked && length > 0 && length <= INLINE_BODY_MAX) {
      req.on('data', onReqInlineData);
      req.on('end', onReqInlineEnd);
    } else {
      this.dispatch(Readable.from(teeBody(req, this), { objectMode: false }));
    }
  }

  onInlineData(chunk: Buffer): void {
    this.reqChunks?.push(chunk);
    this.reqBytes += chunk.length;
  }

  onInlineEnd(): void {
    if (this.done) return;
    const chunks = this.reqChunks ?? [];
    this.dispatch(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  }

  /** Counts and (up to the capture cap) keeps a chunk of a streamed request body. */
  onStreamData(chunk: Buffer): void {
    this.reqBytes += chunk.length;
    if (this.reqChunks === null) return;
    if (this.reqBytes <= this.options.captureMaxBytes) this.reqChunks.push(chunk);
    else {
      this.reqChunks = null;
      this.reqTruncated = true;
    }
  }

  private dispatch(body: Buffer | Readable | null): void {
    const { req, options } = this;
    this.upstreamStartedAt = performance.now();
    try {
      this.dispatcher.dispatch(
        {
          origin: options.origin,
          path: options.basePath + (req.url ?? '/'),
          method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
          headers: this.headers,
          body,
          headersTimeout: options.headersTimeoutMs,
          bodyTimeout: options.bodyTimeoutMs,
        },
        this,
      );
    } catch (err) {
      this.onResponseError(null, err as Error);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.done) controller.abort(new Error('client closed the connection'));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusMessage?: string,
  ): void {
    if (statusCode < 200 || this.done) return;
    this.status = statusCode;
    const responseVersion = headers[this.options.versionHeader];
    if (typeof responseVersion === 'string' && responseVersion !== '') this.headerVersion = responseVersion;
    const out = clientHeaders(headers, this.options.requestIdHeader, this.requestId);
    this.transferCodings(headers['transfer-encoding'], statusCode, out);
    try {
      if (statusMessage) this.res.writeHead(statusCode, statusMessage, out);
      else this.res.writeHead(statusCode, out);
    } catch (err) {
      // An upstream header Node refuses to send (invalid characters): the client cannot get this response.
      controller.abort(err as Error);
    }
  }

  /**
   * Transfer-Encoding is hop-by-hop (clientHeaders drops it), but undici undoes only the chunked coding: the bytes
   * of any other coding the upstream applied (`gzip, chunked`) reach the client as they came. So an HTTP/1.1
   * client is told all the codings (`te`, pushed onto `out`): Node's http server sees `chunked` in the value and
   * frames the body in chunks of its own; without it (`gzip` alone, a body ended by the close) the connection
   * closes after the response, which is how that body ends. Without this Node framed the gzip bytes as
   * `transfer-encoding: chunked` only, as the raw plane did. An HTTP/1.0 client can be told no transfer coding
   * (RFC 9112 §6.1): Node sends it the body unframed, ended by the close, and a coding other than chunked stays
   * applied, unannounced — Node's http server owns the framing and neither plane decodes gzip (the raw plane
   * answers the same, raw-plane.ts responseHead).
   */
  private transferCodings(te: string | string[] | undefined, statusCode: number, out: string[]): void {
    if (te === undefined || this.req.httpVersionMinor === 0 || this.req.httpVersionMajor !== 1) return;
    if (this.req.method === 'HEAD' || statusCode === 204 || statusCode === 304) return;
    const value = Array.isArray(te) ? te.join(', ') : te;
    out.push('transfer-encoding', value);
    if (!/(?:^|,)[ \t]*chunked[ \t]*$/i.test(value)) out.push('connection', 'close');
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.resBytes += chunk.length;
    if (this.resChunks !== null) {
      if (this.resCaptured + chunk.length <= this.options.captureMaxBytes) {
        this.resChunks.push(chunk);
        this.resCaptured += chunk.length;
      } else {
        this.resChunks = null;
        this.resTruncated = true;
      }
    }
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', onResDrain);
    }
  }

  onDrain(): void {
    this.controller?.resume();
  }

  onResponseEnd(): void {
    this.upstreamMs = performance.now() - this.upstreamStartedAt;
    this.res.end();
    this.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, err: Error): void {
    if (this.upstreamStartedAt > 0) this.upstreamMs = performance.now() - this.upstreamStartedAt;
    if (this.done) return; // the client left first; already recorded
    const coded = err instanceof SidecarError ? err : classifyUpstreamError(err);
    if (!this.res.headersSent) {
      this.fail(coded);
      return;
    }
    // Headers already went out: the only honest signal left is to cut the response short.
    this.errorCode = coded.code;
    this.errorMessage = coded.message;
    this.options.onUpstreamError(upstreamErrorReason(coded.code), coded);
    this.res.destroy(coded);
    this.finish();
  }

  private fail(err: SidecarError): void {
    this.errorCode = err.code;
    this.errorMessage = err.message;
    if (err.code.startsWith('SIDECAR_ERR_UPSTREAM_'))
      this.options.onUpstreamError(upstreamErrorReason(err.code), err);
    const body = JSON.stringify(err.toJSON());
    this.status = err.statusCode;
    this.resChunks = null;
    if (!this.res.headersSent && !this.res.destroyed) {
      this.res.writeHead(err.statusCode, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        [this.options.requestIdHeader]: this.requestId,
      });
      this.res.end(body);
    }
    this.finish();
  }

  onClientClose(): void {
    if (this.done || this.res.writableFinished) return;
    this.errorCode = 'SIDECAR_ERR_CLIENT_CLOSED';
    this.errorMessage = 'the client closed the connection before the response was complete';
    this.status = 499;
    this.finish(); // first: the abort below calls onResponseError synchronously, which must see `done`
    this.controller?.abort(new Error('client closed the connection'));
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    const totalMs = performance.now() - this.startedAt;
    const reqChunks = this.reqChunks;
    const resChunks = this.resChunks;
    const url = this.req.url ?? '/';
    const q = url.indexOf('?');
    const contentType = this.req.headers['content-type'];
    this.options.onExchange({
      requestId: this.requestId,
      receivedAt: this.receivedAt,
      method: this.req.method ?? 'GET',
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? '' : url.slice(q),
      contentType: contentType === undefined ? null : contentType,
      headerVersion: this.headerVersion,
      requestBody:
        reqChunks === null || reqChunks.length === 0
          ? null
          : reqChunks.length === 1
            ? reqChunks[0]
            : Buffer.concat(reqChunks),
      requestBytes: this.reqBytes,
      requestTruncated: this.reqTruncated,
      status: this.status,
      responseBody:
        resChunks === null || resChunks.length === 0
          ? null
          : resChunks.length === 1
            ? resChunks[0]
            : Buffer.concat(resChunks),
      responseBytes: this.resBytes,
      responseTruncated: this.resTruncated,
      totalMs,
      upstreamMs: this.upstreamMs,
      errorCode: this.errorCode,
      errorMessage: this.errorMessage,
    });
  }
}

/**
 * A streamed request body for undici that also feeds capture: chunks are observed as undici pulls them, so
 * backpressure is kept and nothing is read before the upstream connection wants it.
 */
async function* teeBody(
  req: IncomingMessage,
  exchange: { onStreamData(chunk: Buffer): void },
): AsyncGenerator<Buffer> {
  for await (const chunk of req) {
    exchange.onStreamData(chunk as Buffer);
    yield chunk as Buffer;
  }
}

/**
 * Per-request event handlers without per-request closures: the exchange is stored on its req/res under a
 * symbol, and these shared functions (called with `this` = the emitter) forward to it.
 */
const EXCHANGE = Symbol('plumbline.proxyExchange');
type Tagged = { [EXCHANGE]?: ProxyExchange };

function onResClose(this: ServerResponse): void {
  (this as Tagged)[EXCHANGE]?.onClientClose();
}

function onResDrain(this: ServerResponse): void {
  (this as Tagged)[EXCHANGE]?.onDrain();
}

function onReqInlineData(this: IncomingMessage, chunk: Buffer): void {
  (this as Tagged)[EXCHANGE]?.onInlineData(chunk);
}

function onReqInlineEnd(this: IncomingMessage): void {
  (this as Tagged)[EXCHANGE]?.onInlineEnd();
}

/** An aborted upload: undici sees the stream error (streamed bodies); the response's 'close' records the exchange. */
function ignoreClientError(): void {}
