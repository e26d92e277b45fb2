/**
 * Header rules of the reverse proxy (RFC 9110 §7.6.1): hop-by-hop headers (and any named in `Connection`) are
 * not forwarded in either direction; `X-Forwarded-For/Proto/Host` are added on the way up; `Host` is set by the
 * upstream client for the upstream. `Expect` is answered by the sidecar itself (Node sends 100 Continue).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The header names a Connection header value lists (RFC 9110 §7.6.1), `close` and `keep-alive` aside. */
export function connectionTokens(value: string | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  let tokens: Set<string> | undefined;
  for (const t of value.split(',')) {
    const name = t.trim().toLowerCase();
    if (name && name !== 'close' && name !== 'keep-alive') (tokens ??= new Set()).add(name);
  }
  return tokens;
}

/** Whether a header (its lowercase name) is not forwarded: hop-by-hop, or listed in Connection (`listed`). */
export function isHopByHop(lowerName: string, listed: Set<string> | undefined): boolean {
  return HOP_BY_HOP.has(lowerName) || (listed !== undefined && listed.has(lowerName));
}

export interface UpstreamHeaderInfo {
  /** Flat [name, value, …] list for undici. */
  headers: string[];
  /** The request id (the client's, or a new one). */
  requestId: string;
}

/**
 * Builds the upstream request headers from Node's rawHeaders (case and order kept, duplicates kept).
 * `newRequestId` is called only when the client sent no request id.
 */
export function upstreamHeaders(
  rawHeaders: readonly string[],
  requestIdHeader: string,
  newRequestId: () => string,
  client: { address: string | undefined; proto: string },
): UpstreamHeaderInfo {
  const out: string[] = [];
  let requestId: string | undefined;
  let forwardedFor: string | undefined;
  let host: string | undefined;
  let connection: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].length === 10 && rawHeaders[i].toLowerCase() === 'connection')
      connection = rawHeaders[i + 1];
  }
  const extra = connectionTokens(connection);
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const lower = name.toLowerCase();
    const value = rawHeaders[i + 1];
    if (isHopByHop(lower, extra)) continue;
    if (lower === 'host') {
      host = value;
      continue;
    }
    if (lower === 'expect') continue;
    if (lower === 'x-forwarded-for') {
      forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
      continue;
    }
    if (lower === 'x-forwarded-proto' || lower === 'x-forwarded-host') continue;
    if (lower === requestIdHeader) {
      if (requestId !== undefined) continue;
      const trimmed = value.trim();
      if (trimmed === '' || trimmed.length > 200) continue;
      requestId = trimmed;
    }
    out.push(name, value);
  }
  if (requestId === undefined) {
    requestId = newRequestId();
    out.push(requestIdHeader, requestId);
  }
  const address = client.address ?? 'unknown';
  out.push('x-forwarded-for', forwardedFor === undefined ? address : `${forwardedFor}, ${address}`);
  out.push('x-forwarded-proto', client.proto);
  if (host !== undefined) out.push('x-forwarded-host', host);
  return { headers: out, requestId };
}

/**
 * Response headers for the client: the upstream's, minus hop-by-hop ones, plus the request id when the upstream
 * did not echo it (clients need it for POST /feedback). Returned as a flat list for writeHead.
 */
export function clientHeaders(
  headers: Record<string, string | string[] | undefined>,
  requestIdHeader: string,
  requestId: string,
): string[] {
  const out: string[] = [];
  const extra = connectionTokens(typeof headers.connection === 'string' ? headers.connection : undefined);
  let hasRequestId = false;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || isHopByHop(name, extra)) continue;
    if (name === requestIdHeader) hasRequestId = true;
    if (Array.isArray(value)) for (const v of value) out.push(name, v);
    else out.push(name, value);
  }
  if (!hasRequestId) out.push(requestIdHeader, requestId);
  return out;
}
