/**
 * Benchmark child: a challenger that costs next to nothing — a node:http server that answers every request at once
 * with the fixed body given in argv[2] (the real model server's answer to the bench's request, fetched once by the
 * bench), as application/json. Shadow traffic pointed at it leaves only the sidecar's own share of the shadow's cost
 * (copying the request, reading the answer, capturing it as events); pointed at a second model server, the model
 * server's inference on the same 2 cores comes on top. Prints {"url"}; runs until SIGTERM.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from(process.argv[2] ?? '{}');
const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };

const server = createServer((req, res) => {
  // The request's body is read (and dropped) before the answer, like a model server's.
  req.resume();
  req.once('end', () => {
    res.writeHead(200, headers);
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
