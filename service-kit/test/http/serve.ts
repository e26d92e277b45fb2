// Test helper: a createHttpHandler listener on a real node:http server on port 0, and a raw request function.
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions } from '../../src';

export const CODES = {
  notFound: 'TEST_ERR_NOT_FOUND',
  methodNotAllowed: 'TEST_ERR_METHOD',
  badRequest: 'TEST_ERR_BAD_REQUEST',
  tooLarge: 'TEST_ERR_TOO_LARGE',
  internal: 'TEST_ERR_INTERNAL',
};

export interface Served {
  url: string;
  server: Server;
  handler: HttpHandler;
  errors: unknown[];
  close(): Promise<void>;
}

export async function serve(
  options: Omit<HttpHandlerOptions, 'codes' | 'onError'> & Partial<Pick<HttpHandlerOptions, 'codes'>>,
): Promise<Served> {
  const errors: unknown[] = [];
  const handler = createHttpHandler({ codes: CODES, onError: (err) => errors.push(err), ...options });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    handler,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
  json: any;
}

/** One request; `body` as a string is sent with a content-length, as string chunks without one (chunked). */
export function call(
  url: string,
  method: string,
  path: string,
  body?: string | string[],
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sized =
      typeof body === 'string' ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers;
    const req = request(`${url}${path}`, { method, headers: sized }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (Array.isArray(body)) for (const chunk of body) req.write(chunk);
    else if (body !== undefined) req.write(body);
    req.end();
  });
}
