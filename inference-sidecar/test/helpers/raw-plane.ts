/**
 * The raw data plane alone on 127.0.0.1:0 in front of `origin`, for the raw-plane tests: the options every one of
 * them sets the same (no base path, the default header names, 5 s timeouts, 1 MiB captured, two upstream
 * connections), with what the test is about in `overrides`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachRawPlane, type RawPlane, type RawPlaneOptions } from '../../src/proxy/raw/raw-plane';

export interface TestRawPlane {
  server: Server;
  plane: RawPlane;
  port: number;
  url: string;
}

export async function startRawPlane(
  origin: string,
  overrides: Partial<RawPlaneOptions> = {},
): Promise<TestRawPlane> {
  const server = createServer();
  const plane = attachRawPlane(server, {
    origin,
    basePath: '',
    requestIdHeader: 'x-request-id',
    versionHeader: 'x-model-version',
    captureMaxBytes: 1 << 20,
    headersTimeoutMs: 5000,
    bodyTimeoutMs: 5000,
    onExchange: () => undefined,
    onUpstreamError: () => undefined,
    connections: 2,
    upstreamKeepAliveMs: 5000,
    connectTimeoutMs: 5000,
    keepAliveTimeoutMs: 5000,
    ...overrides,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, plane, port, url: `http://127.0.0.1:${port}` };
}
