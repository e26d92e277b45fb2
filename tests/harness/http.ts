/**
 * Tiny HTTP helpers: health checks (undici, short timeouts, body always consumed), a test server on a free
 * loopback port, and PromQL instant queries.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface HttpResult {
  status: number;
  body: string;
}

export async function httpGet(url: string, timeoutMs = 3000): Promise<HttpResult> {
  const res = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return { status: res.statusCode, body: await res.body.text() };
}

/** True when GET `url` answers 200 (false on any error). */
export async function answers200(url: string, timeoutMs = 3000): Promise<boolean> {
  try {
    return (await httpGet(url, timeoutMs)).status === 200;
  } catch {
    return false;
  }
}

/**
 * Starts `server` on a free port of 127.0.0.1 (a webhook receiver, a scrape target, a stand-in) and says where it
 * listens; `close()` drops open (keep-alive) connections too, so it returns at once.
 */
export async function listenLoopback(
  server: Server,
): Promise<{ port: number; url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type PromSample = { metric: Record<string, string>; value: [number, string] };

/** An instant PromQL query against the Prometheus at `prometheusUrl`: the result vector; throws on an error. */
export async function promQuery(prometheusUrl: string, expr: string): Promise<PromSample[]> {
  const res = await request(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.body.json()) as { status: string; error?: string; data: { result: PromSample[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}
