/**
 * Exchanges on their way from the proxy thread to the capture thread, packed so that posting a batch costs
 * next to nothing on the proxy thread: the numbers of every exchange in one Float64Array, the strings in one
 * JSON string, and every captured body copied into one ArrayBuffer. Both buffers are transferred, not cloned
 * (the proxy's body Buffers are views into Node's pooled slabs: cloning them would copy whole slabs, and
 * keeping them would pin the slabs). Cloning objects per exchange cost the proxy ~25 µs per request.
 */
import type { Exchange } from '../capture/exchange';

export interface ExchangeBatch {
  count: number;
  /** NUMBERS values per exchange, see the offsets below. */
  numbers: ArrayBuffer;
  /**
   * JSON array: requestId, method, path, errorCode, errorMessage, query, contentType, headerVersion of each
   * exchange in turn.
   */
  strings: string;
  /** The bodies, back to back in batch order (request, then response, of each exchange). */
  bytes: ArrayBuffer;
}

const RECEIVED_AT = 0;
const TOTAL_MS = 1;
const UPSTREAM_MS = 2;
const STATUS = 3;
const REQUEST_BYTES = 4;
const RESPONSE_BYTES = 5;
const FLAGS = 6;
const REQUEST_BODY_LENGTH = 7;
const RESPONSE_BODY_LENGTH = 8;
const NUMBERS = 9;
const STRINGS = 8;
const REQUEST_TRUNCATED = 1;
const RESPONSE_TRUNCATED = 2;

export function packExchanges(exchanges: readonly Exchange[]): ExchangeBatch {
  const count = exchanges.length;
  let total = 0;
  for (const ex of exchanges) total += (ex.requestBody?.length ?? 0) + (ex.responseBody?.length ?? 0);
  const bytes = new ArrayBuffer(total);
  const body = Buffer.from(bytes);
  const numbers = new Float64Array(count * NUMBERS);
  const strings = new Array<string | null>(count * STRINGS);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const ex = exchanges[i];
    const n = i * NUMBERS;
    numbers[n + RECEIVED_AT] = ex.receivedAt;
    numbers[n + TOTAL_MS] = ex.totalMs;
    numbers[n + UPSTREAM_MS] = ex.upstreamMs;
    numbers[n + STATUS] = ex.status;
    numbers[n + REQUEST_BYTES] = ex.requestBytes;
    numbers[n + RESPONSE_BYTES] = ex.responseBytes;
    numbers[n + FLAGS] =
      (ex.requestTruncated ? REQUEST_TRUNCATED : 0) | (ex.responseTruncated ? RESPONSE_TRUNCATED : 0);
    numbers[n + REQUEST_BODY_LENGTH] = ex.requestBody === null ? -1 : ex.requestBody.length;
    numbers[n + RESPONSE_BODY_LENGTH] = ex.responseBody === null ? -1 : ex.responseBody.length;
    if (ex.requestBody !== null) offset += ex.requestBody.copy(body, offset);
    if (ex.responseBody !== null) offset += ex.responseBody.copy(body, offset);
    const s = i * STRINGS;
    strings[s] = ex.requestId;
    strings[s + 1] = ex.method;
    strings[s + 2] = ex.path;
    strings[s + 3] = ex.errorCode;
    strings[s + 4] = ex.errorMessage;
    strings[s + 5] = ex.query;
    strings[s + 6] = ex.contentType;
    strings[s + 7] = ex.headerVersion;
  }
  return { count, numbers: numbers.buffer, strings: JSON.stringify(strings), bytes };
}

export function unpackExchanges(batch: ExchangeBatch): Exchange[] {
  const numbers = new Float64Array(batch.numbers);
  const strings = JSON.parse(batch.strings) as (string | null)[];
  let offset = 0;
  const body = (length: number): Buffer | null => {
    if (length < 0) return null;
    const b = Buffer.from(batch.bytes, offset, length);
    offset += length;
    return b;
  };
  const out = new Array<Exchange>(batch.count);
  for (let i = 0; i < batch.count; i++) {
    const n = i * NUMBERS;
    const s = i * STRINGS;
    const flags = numbers[n + FLAGS];
    out[i] = {
      requestId: strings[s] as string,
      receivedAt: numbers[n + RECEIVED_AT],
      method: strings[s + 1] as string,
      path: strings[s + 2] as string,
      query: strings[s + 5] as string,
      contentType: strings[s + 6],
      headerVersion: strings[s + 7],
      requestBody: body(numbers[n + REQUEST_BODY_LENGTH]),
      requestBytes: numbers[n + REQUEST_BYTES],
      requestTruncated: (flags & REQUEST_TRUNCATED) !== 0,
      status: numbers[n + STATUS],
      responseBody: body(numbers[n + RESPONSE_BODY_LENGTH]),
      responseBytes: numbers[n + RESPONSE_BYTES],
      responseTruncated: (flags & RESPONSE_TRUNCATED) !== 0,
      totalMs: numbers[n + TOTAL_MS],
      upstreamMs: numbers[n + UPSTREAM_MS],
      errorCode: strings[s + 3],
      errorMessage: strings[s + 4],
    };
  }
  return out;
}
