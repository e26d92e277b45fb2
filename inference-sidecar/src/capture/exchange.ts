/**
 * What the proxy hands to capture once a response is written: plain data, no sockets. Bodies are the captured
 * prefix (at most `captureMaxBytes`); `*Truncated` says a body was longer and was proxied but not kept.
 */
export interface Exchange {
  requestId: string;
  /** Epoch milliseconds the request reached the sidecar. */
  receivedAt: number;
  method: string;
  /** Path without the query string. */
  path: string;
  /** The query string with its `?`, or '' (a shadow copy is sent to the same path and query). */
  query: string;
  /** The request's Content-Type, or null (a shadow copy is sent with it). */
  contentType: string | null;
  /**
   * The value of the `versionHeader` (default `x-model-version`): the model server's response header, else the
   * request's; null when neither carried it. A shadow exchange has only its challenger's response header here.
   */
  headerVersion: string | null;
  requestBody: Buffer | null;
  requestBytes: number;
  requestTruncated: boolean;
  /** HTTP status the client received (the upstream's, or the sidecar's 502/503/504, or 499 when the client left). */
  status: number;
  responseBody: Buffer | null;
  responseBytes: number;
  responseTruncated: boolean;
  totalMs: number;
  upstreamMs: number;
  /** SIDECAR_ERR_* code when the sidecar answered instead of the upstream, or the client aborted. */
  errorCode: string | null;
  errorMessage: string | null;
  /**
   * Set on a shadow exchange only (src/shadow/): the request id of the primary exchange it copies. Its events get
   * `role: "shadow"` and point back to the primary's rows. Never set on what a client sent.
   */
  shadowOf?: string;
}
