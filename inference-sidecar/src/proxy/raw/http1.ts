/**
 * HTTP/1.1 framing for the raw data plane (raw-plane.ts): only what it takes to find where a message ends —
 * the request line, header fields, Content-Length, chunked bodies, keep-alive — on bytes that are then passed on
 * unchanged. Pure: no sockets, no allocation per body byte.
 *
 * At least as strict as Node's own parser (llhttp, strict mode), so the upstream never sees a request the node
 * plane would have refused (test/proxy/request-smuggling.test.ts runs the same cases against both planes):
 * - CR LF only: a bare LF or a bare CR anywhere in a head or in chunk framing is an error;
 * - no obs-fold (a header line starting with SP or HTAB), no whitespace between a field name and its colon,
 *   field names are tokens, values hold no control characters but HTAB;
 * - Content-Length is 1*DIGIT and appears once; Transfer-Encoding and Content-Length together are an error;
 *   Transfer-Encoding must be exactly `chunked` (other codings are 501), never on an HTTP/1.0 request;
 * - chunk sizes are 1–16 hex digits directly followed by CR LF or a chunk extension of token / quoted-string
 *   parts; chunk data is followed by CR LF; trailer fields follow the header rules;
 * - a head longer than `maxHeadBytes` (Node's default maxHeaderSize, 16 KiB) is 431;
 * - only HTTP/1.0 and HTTP/1.1 (505 otherwise); HTTP/1.1 needs exactly one Host.
 */

export class FramingError extends Error {
  constructor(
    readonly statusCode: 400 | 413 | 417 | 431 | 501 | 505,
    message: string,
  ) {
    super(message);
    this.name = 'FramingError';
  }
}

/** Node's default --max-http-header-size. */
export const DEFAULT_MAX_HEAD_BYTES = 16 * 1024;

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;

/** tchar (RFC 9110 §5.6.2). */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TCHAR[c] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = 1;
for (let c = 97; c <= 122; c++) TCHAR[c] = 1;

/** A field-value byte: HTAB, SP, VCHAR, obs-text. */
function valueByte(c: number): boolean {
  return c === HTAB || (c >= SP && c !== 127);
}

const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[65 + c] = 10 + c;
  HEX[97 + c] = 10 + c;
}

/** Index of the CR of the first CR LF CR LF at or after `from`, or -1. Bare LF / CR are caught by the line parser. */
function headEnd(buf: Buffer, from: number): number {
  return buf.indexOf('\r\n\r\n', from, 'latin1');
}

export interface HeadFields {
  /** [name, value, name, value, …] as received (case kept), values trimmed of OWS. */
  rawHeaders: string[];
  /** Offset just past the head's final CR LF CR LF. */
  end: number;
}

/**
 * Parses header field lines in buf[from, crlfcrlf) (each ending in CR LF). With `lines`, also notes where each
 * line starts and ends (past its CR LF).
 */
function parseFields(buf: Buffer, from: number, stop: number, out: string[], lines?: number[]): void {
  let pos = from;
  while (pos < stop) {
    const first = buf[pos];
    if (first === SP || first === HTAB)
      throw new FramingError(400, 'obs-fold (a line starting with whitespace)');
    let i = pos;
    while (i < stop && TCHAR[buf[i]] === 1) i++;
    if (i === pos || buf[i] !== 58 /* : */) throw new FramingError(400, 'invalid header field name');
    const name = buf.toString('latin1', pos, i);
    i++;
    let lineEnd = i;
    while (lineEnd < stop + 2 && buf[lineEnd] !== CR) {
      const c = buf[lineEnd];
      if (c === LF) throw new FramingError(400, 'bare LF in a header line');
      if (!valueByte(c)) throw new FramingError(400, `invalid character in header "${name}"`);
      lineEnd++;
    }
    if (buf[lineEnd + 1] !== LF) throw new FramingError(400, 'bare CR in a header line');
    let a = i;
    let b = lineEnd;
    while (a < b && (buf[a] === SP || buf[a] === HTAB)) a++;
    while (b > a && (buf[b - 1] === SP || buf[b - 1] === HTAB)) b--;
    out.push(name, buf.toString('latin1', a, b));
    lines?.push(pos, lineEnd + 2);
    pos = lineEnd + 2;
  }
}

export interface RequestHead {
  method: string;
  /** The request target as received. */
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: 0 | 1;
  rawHeaders: string[];
  /** Offset just past the head. */
  end: number;
  /** How the body is framed: none, `contentLength` bytes, or chunked. */
  body: 'none' | 'length' | 'chunked';
  contentLength: number;
  /** The connection stays open after this exchange (HTTP/1.1 without `close`; HTTP/1.0 with `keep-alive`). */
  keepAlive: boolean;
  /** `Expect: 100-continue`. */
  expectContinue: boolean;
}

/** Whitespace String.prototype.trim removes that a header value can hold: HTAB, SP, NBSP (obs-text 0xA0). */
function trimmable(c: number): boolean {
  return c === HTAB || c === SP || c === 0xa0;
}

/**
 * Whether the comma-separated `value` lists `token` (lowercase ASCII), ignoring case and surrounding whitespace —
 * `value.split(',')` then `trim().toLowerCase() === token`, without allocating (it runs for every request).
 */
export function connectionHas(value: string, token: string): boolean {
  const n = value.length;
  let i = 0;
  while (i <= n) {
    let j = value.indexOf(',', i);
    if (j < 0) j = n;
    let a = i;
    let b = j;
    while (a < b && trimmable(value.charCodeAt(a))) a++;
    while (b > a && trimmable(value.charCodeAt(b - 1))) b--;
    if (b - a === token.length) {
      let k = 0;
      for (; k < token.length; k++) {
        let c = value.charCodeAt(a + k);
        if (c >= 65 && c <= 90) c += 32;
        if (c !== token.charCodeAt(k)) break;
      }
      if (k === token.length) return true;
    }
    i = j + 1;
  }
  return false;
}

/**
 * Parses a request head starting at `from` (after any empty lines, which are skipped as RFC 9112 §2.2 allows).
 * Returns null when more bytes are needed, throws FramingError when the head is invalid.
 */
export function parseRequestHead(
  buf: Buffer,
  from: number,
  maxHeadBytes = DEFAULT_MAX_HEAD_BYTES,
): RequestHead | null {
  let start = from;
  while (start + 1 < buf.length && buf[start] === CR && buf[start + 1] === LF) start += 2;
  if (start < buf.length && buf[start] === LF) throw new FramingError(400, 'bare LF before the request line');
  const crlf2 = headEnd(buf, start);
  if (crlf2 < 0) {
    if (buf.length - start > maxHeadBytes) throw new FramingError(431, 'request head too large');
    // A bare LF in what arrived so far is already an error; do not wait for more bytes to say so.
    const lf = buf.indexOf(LF, start);
    if (lf >= 0 && (lf === start || buf[lf - 1] !== CR))
      throw new FramingError(400, 'bare LF in the request head');
    return null;
  }
  const end = crlf2 + 4;
  if (end - start > maxHeadBytes) throw new FramingError(431, 'request head too large');
  // Request line: method SP target SP HTTP/1.x CR LF
  let i = start;
  while (TCHAR[buf[i]] === 1) i++;
  if (i === start || buf[i] !== SP) throw new FramingError(400, 'invalid request method');
  const method = buf.toString('latin1', start, i);
  const targetStart = ++i;
  while (buf[i] > SP && buf[i] !== 127) i++;
  if (i === targetStart || buf[i] !== SP) throw new FramingError(400, 'invalid request target');
  const target = buf.toString('latin1', targetStart, i);
  i++;
  if (buf.toString('latin1', i, i + 7) !== 'HTTP/1.' || buf[i + 9] !== LF || buf[i + 8] !== CR) {
    if (buf.toString('latin1', i, i + 5) === 'HTTP/' && buf[i + 8] === CR && buf[i + 9] === LF)
      throw new FramingError(505, 'HTTP version not supported');
    throw new FramingError(400, 'invalid request line');
  }
  const minorByte = buf[i + 7];
  if (minorByte !== 48 && minorByte !== 49) throw new FramingError(505, 'HTTP version not supported');
  const minor = minorByte === 49 ? 1 : 0;
  const rawHeaders: string[] = [];
  parseFields(buf, i + 10, crlf2 + 2, rawHeaders);

  let contentLength = -1;
  let te: string | undefined;
  let hosts = 0;
  let connection = '';
  let expect: string | undefined;
  for (let h = 0; h < rawHeaders.length; h += 2) {
    const name = rawHeaders[h].toLowerCase();
    const value = rawHeaders[h + 1];
    if (name === 'content-length') {
      if (contentLength >= 0) throw new FramingError(400, 'duplicate Content-Length');
      if (!/^[0-9]{1,15}$/.test(value)) throw new FramingError(400, 'invalid Content-Length');
      contentLength = Number(value);
    } else if (name === 'transfer-encoding') {
      te = te === undefined ? value : `${te}, ${value}`;
    } else if (name === 'host') {
      hosts++;
    } else if (name === 'connection') {
      connection = connection === '' ? value : `${connection}, ${value}`;
    } else if (name === 'expect') {
      expect = value;
    }
  }
  if (te !== undefined) {
    if (contentLength >= 0) throw new FramingError(400, 'Content-Length and Transfer-Encoding together');
    if (minor === 0) throw new FramingError(400, 'Transfer-Encoding on an HTTP/1.0 request');
    if (te.trim().toLowerCase() !== 'chunked')
      throw new FramingError(
        te.toLowerCase().includes('chunked') ? 501 : 400,
        'unsupported Transfer-Encoding',
      );
  }
  if (minor === 1 && hosts !== 1)
    throw new FramingError(400, hosts === 0 ? 'missing Host' : 'duplicate Host');
  if (hosts > 1) throw new FramingError(400, 'duplicate Host');
  let expectContinue = false;
  if (expect !== undefined) {
    if (expect.toLowerCase() !== '100-continue') throw new FramingError(417, 'unsupported Expect');
    expectContinue = minor === 1;
  }
  const keepAlive =
    minor === 1 ? !connectionHas(connection, 'close') : connectionHas(connection, 'keep-alive');
  return {
    method,
    target,
    minor,
    rawHeaders,
    end,
    body: te !== undefined ? 'chunked' : contentLength > 0 ? 'length' : 'none',
    contentLength: Math.max(contentLength, 0),
    keepAlive,
    expectContinue,
  };
}

export interface ResponseHead {
  status: number;
  reason: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: 0 | 1;
  rawHeaders: string[];
  /**
   * Where the header lines are in the parsed buffer: [start, end, start, end, …], one pair per rawHeaders pair,
   * each end just past the line's CR LF (the raw plane copies the lines it keeps). The first start is where the
   * status line ends.
   */
  fieldLines: number[];
  /** Offset of the status line (`from`). */
  start: number;
  /** Offset just past the status line's CR LF. */
  fieldsStart: number;
  end: number;
  /** 'close': the body runs until the upstream closes the connection. */
  body: 'none' | 'length' | 'chunked' | 'close';
  /**
   * The transfer codings the upstream applied, as its Transfer-Encoding header(s) list them (several joined by
   * `, `), e.g. `chunked` or `gzip, chunked`; '' when it sent none.
   */
  transferCodings: string;
  contentLength: number;
  /** The upstream keeps the connection open after this response. */
  keepAlive: boolean;
  /**
   * How long the upstream said it keeps an idle connection (`Keep-Alive: timeout=N`, as Node's server sends), in
   * ms; -1 when it did not say.
   */
  keepAliveHintMs: number;
}

/**
 * How long a connection may wait idle for its next request after `head`: `maxMs`, or less when the upstream
 * announced a shorter keep-alive — two seconds before it, as undici (the node plane's client) does with its
 * keepAliveTimeoutThreshold, so a request is not written on a connection the upstream is closing at that moment (it
 * would be reset, and a POST cannot be sent again; a busy upstream's timer can fire late, just as it reads one).
 * 0: do not reuse the connection.
 */
/** What reuseIdleMs takes off an upstream's keep-alive hint (undici's keepAliveTimeoutThreshold default). */
export const KEEP_ALIVE_HINT_MARGIN_MS = 2000;

export function reuseIdleMs(head: ResponseHead, maxMs: number): number {
  if (head.keepAliveHintMs < 0) return maxMs;
  return Math.max(0, Math.min(maxMs, head.keepAliveHintMs - KEEP_ALIVE_HINT_MARGIN_MS));
}

/**
 * Parses an upstream response head at `from`; `requestMethod` decides HEAD's empty body. Null: need more bytes.
 * Throws FramingError (the sidecar answers 502) on anything Node's client parser would refuse.
 */
export function parseResponseHead(
  buf: Buffer,
  from: number,
  requestMethod: string,
  maxHeadBytes = 64 * 1024,
): ResponseHead | null {
  const crlf2 = headEnd(buf, from);
  if (crlf2 < 0) {
    if (buf.length - from > maxHeadBytes) throw new FramingError(400, 'response head too large');
    return null;
  }
  const end = crlf2 + 4;
  const i = from;
  if (
    buf.toString('latin1', i, i + 7) !== 'HTTP/1.' ||
    (buf[i + 7] !== 48 && buf[i + 7] !== 49) ||
    buf[i + 8] !== SP
  )
    throw new FramingError(400, 'invalid status line');
  const minor = buf[i + 7] === 49 ? 1 : 0;
  const statusText = buf.toString('latin1', i + 9, i + 12);
  if (!/^[1-9][0-9]{2}$/.test(statusText)) throw new FramingError(400, 'invalid status code');
  const status = Number(statusText);
  let lineEnd = i + 12;
  if (buf[lineEnd] !== CR && buf[lineEnd] !== SP) throw new FramingError(400, 'invalid status line');
  while (buf[lineEnd] !== CR) {
    if (!valueByte(buf[lineEnd])) throw new FramingError(400, 'invalid reason phrase');
    lineEnd++;
  }
  if (buf[lineEnd + 1] !== LF) throw new FramingError(400, 'bare CR in the status line');
  const reason = buf.toString('latin1', Math.min(i + 13, lineEnd), lineEnd);
  const rawHeaders: string[] = [];
  const fieldLines: number[] = [];
  parseFields(buf, lineEnd + 2, crlf2 + 2, rawHeaders, fieldLines);
  let contentLength = -1;
  let te: string | undefined;
  let connection = '';
  let keepAliveHintMs = -1;
  for (let h = 0; h < rawHeaders.length; h += 2) {
    const name = rawHeaders[h].toLowerCase();
    const value = rawHeaders[h + 1];
    if (name === 'content-length') {
      if (!/^[0-9]{1,15}$/.test(value) || (contentLength >= 0 && Number(value) !== contentLength))
        throw new FramingError(400, 'invalid Content-Length');
      contentLength = Number(value);
    } else if (name === 'transfer-encoding') te = te === undefined ? value : `${te}, ${value}`;
    else if (name === 'connection') connection = connection === '' ? value : `${connection}, ${value}`;
    else if (name === 'keep-alive') {
      const hint = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i.exec(value);
      if (hint !== null) keepAliveHintMs = Number(hint[1]) * 1000;
    }
  }
  const keepAlive =
    minor === 1 ? !connectionHas(connection, 'close') : connectionHas(connection, 'keep-alive');
  let body: ResponseHead['body'];
  if (requestMethod === 'HEAD' || status < 200 || status === 204 || status === 304) body = 'none';
  else if (te !== undefined) {
    if (contentLength >= 0) throw new FramingError(400, 'Content-Length and Transfer-Encoding together');
    const codings = te.split(',').map((t) => t.trim().toLowerCase());
    body = codings[codings.length - 1] === 'chunked' ? 'chunked' : 'close';
  } else if (contentLength >= 0) body = contentLength === 0 ? 'none' : 'length';
  else body = 'close';
  return {
    status,
    reason,
    minor,
    rawHeaders,
    fieldLines,
    start: from,
    fieldsStart: lineEnd + 2,
    end,
    body,
    transferCodings: te ?? '',
    contentLength: Math.max(contentLength, 0),
    keepAlive: keepAlive && body !== 'close',
    keepAliveHintMs,
  };
}

const enum ChunkState {
  Size,
  SizeLf,
  Ext,
  Data,
  DataCr,
  DataLf,
  TrailerLineStart,
  TrailerLine,
  TrailerLf,
  FinalLf,
  Done,
}

/**
 * Validates a chunked body as it streams through, byte by byte over the framing and in one step over chunk data.
 * `push(buf, from)` returns the offset just past the last byte that belongs to this body (== buf.length while the
 * body goes on); `done` says the last chunk and trailers are complete. Throws FramingError on bad framing.
 */
export class ChunkedDecoder {
  private state = ChunkState.Size;
  private size = 0;
  private digits = 0;
  private remaining = 0;
  private trailerBytes = 0;
  private quoted = false;
  private colon = false;
  /** Chunk data bytes seen so far (the body's decoded length). */
  dataBytes = 0;

  /** `onData` gets each piece of chunk data (a view of the pushed buffer) as it is validated. */
  constructor(
    private readonly onData: ((data: Buffer) => void) | null = null,
    private readonly maxTrailerBytes = DEFAULT_MAX_HEAD_BYTES,
  ) {}

  get done(): boolean {
    return this.state === ChunkState.Done;
  }

  push(buf: Buffer, from: number): number {
    let i = from;
    const n = buf.length;
    while (i < n) {
      switch (this.state) {
        case ChunkState.Size: {
          const c = buf[i];
          const v = HEX[c];
          if (v >= 0) {
            if (++this.digits > 16) throw new FramingError(400, 'chunk size too long');
            this.size = this.size * 16 + v;
            if (this.size > Number.MAX_SAFE_INTEGER) throw new FramingError(400, 'chunk size too large');
            i++;
            break;
          }
          if (this.digits === 0) throw new FramingError(400, 'invalid chunk size');
          if (c === CR) this.state = ChunkState.SizeLf;
          else if (c === 59 /* ; */) {
            this.state = ChunkState.Ext;
            this.quoted = false;
          } else throw new FramingError(400, 'invalid chunk size');
          i++;
          break;
        }
        case ChunkState.Ext: {
          const c = buf[i];
          if (this.quoted) {
            if (c === 34) this.quoted = false;
            else if (!valueByte(c)) throw new FramingError(400, 'invalid chunk extension');
          } else if (c === CR) this.state = ChunkState.SizeLf;
          else if (c === 34) this.quoted = true;
          else if (TCHAR[c] !== 1 && c !== 61 /* = */ && c !== 59 && c !== SP && c !== HTAB)
            throw new FramingError(400, 'invalid chunk extension');
          i++;
          break;
        }
        case ChunkState.SizeLf:
          if (buf[i] !== LF) throw new FramingError(400, 'bare CR after a chunk size');
          i++;
          if (this.size === 0) {
            this.state = ChunkState.TrailerLineStart;
          } else {
            this.remaining = this.size;
            this.state = ChunkState.Data;
          }
          this.size = 0;
          this.digits = 0;
          break;
        case ChunkState.Data: {
          const take = Math.min(this.remaining, n - i);
          if (this.onData !== null && take > 0) this.onData(buf.subarray(i, i + take));
          i += take;
          this.remaining -= take;
          this.dataBytes += take;
          if (this.remaining === 0) this.state = ChunkState.DataCr;
          break;
        }
        case ChunkState.DataCr:
          if (buf[i] !== CR) throw new FramingError(400, 'chunk data longer than its size');
          this.state = ChunkState.DataLf;
          i++;
          break;
        case ChunkState.DataLf:
          if (buf[i] !== LF) throw new FramingError(400, 'bare CR after chunk data');
          this.state = ChunkState.Size;
          i++;
          break;
        case ChunkState.TrailerLineStart: {
          const c = buf[i];
          if (c === CR) {
            this.state = ChunkState.FinalLf;
            i++;
            break;
          }
          if (TCHAR[c] !== 1) throw new FramingError(400, 'invalid trailer field');
          this.colon = false;
          this.state = ChunkState.TrailerLine;
          break;
        }
        case ChunkState.TrailerLine: {
          const c = buf[i];
          if (++this.trailerBytes > this.maxTrailerBytes) throw new FramingError(431, 'trailers too large');
          if (c === CR) {
            if (!this.colon) throw new FramingError(400, 'invalid trailer field');
            this.state = ChunkState.TrailerLf;
          } else if (!this.colon && c === 58 /* : */) this.colon = true;
          else if (!this.colon && TCHAR[c] !== 1) throw new FramingError(400, 'invalid trailer field name');
          else if (c === LF || !valueByte(c)) throw new FramingError(400, 'invalid trailer field');
          i++;
          break;
        }
        case ChunkState.TrailerLf:
          if (buf[i] !== LF) throw new FramingError(400, 'bare CR in a trailer');
          this.state = ChunkState.TrailerLineStart;
          i++;
          break;
        case ChunkState.FinalLf:
          if (buf[i] !== LF) throw new FramingError(400, 'bare CR after the last chunk');
          this.state = ChunkState.Done;
          return i + 1;
        case ChunkState.Done:
          return i;
      }
    }
    return i;
  }
}
