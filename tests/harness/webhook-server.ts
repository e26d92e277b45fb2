/**
 * A real HTTP server on 127.0.0.1 that plays the retrain pipeline's webhook (a CI system): records each call,
 * answers as told. For the retrain endpoint's tests in the exporter, alerting, the browser suite and tests/e2e.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { listenLoopback } from './http';

export interface ReceivedCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface WebhookServer {
  url: string;
  calls: ReceivedCall[];
  /** Status for the next calls and an optional delay before answering. */
  respondWith(status: number, delayMs?: number): void;
  close(): Promise<void>;
}

export async function startWebhookServer(): Promise<WebhookServer> {
  const calls: ReceivedCall[] = [];
  let status = 204;
  let delayMs = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status >= 400 ? '{"message":"pipeline says no"}' : '');
      }, delayMs);
    });
  });
  const { url, close } = await listenLoopback(server);
  return {
    url,
    calls,
    respondWith(s, d = 0) {
      status = s;
      delayMs = d;
    },
    close,
  };
}
