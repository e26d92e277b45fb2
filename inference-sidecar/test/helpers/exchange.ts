import type { Exchange } from '../../src/capture/exchange';

/** A body as a test writes it: text as is, anything else as its JSON. */
type TestBody = string | Buffer | object;

function bytes(body: TestBody): Buffer {
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
}

/**
 * One finished exchange as the proxy hands it to capture: the path and the two bodies, whole (nothing truncated),
 * and plausible defaults for the rest (a 200 answered in 1 ms, no error) that `fields` may change.
 */
export function testExchange(
  path: string,
  request: TestBody,
  response: TestBody,
  fields: Partial<Exchange> = {},
): Exchange {
  const requestBody = bytes(request);
  const responseBody = bytes(response);
  return {
    requestId: 'r-1',
    receivedAt: Date.parse('2026-01-02T03:04:05.678Z'),
    method: 'POST',
    path,
    query: '',
    contentType: 'application/json',
    headerVersion: null,
    requestBody,
    requestBytes: requestBody.length,
    requestTruncated: false,
    status: 200,
    responseBody,
    responseBytes: responseBody.length,
    responseTruncated: false,
    totalMs: 1,
    upstreamMs: 1,
    errorCode: null,
    errorMessage: null,
    ...fields,
  };
}
