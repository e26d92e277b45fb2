/**
 * Benchmark child: the smallest reverse proxy Node does well — node:http server, undici Pool to the upstream,
 * bodies buffered, no capture, no headers work. It is the floor of one Node hop on this machine, so the table
 * can show what the sidecar adds beyond the hop itself. Prints {"url"}; on SIGTERM prints a CpuReport (requests
 * served, CPU process-wide and per thread) and exits.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type Dispatcher } from 'undici';
import { reportCpuOnSigterm, threadIds } from './thread-cpu';

/** Before anything else: the threads Node itself started (V8's helpers). */
const helperThreads = threadIds();
const upstream = process.argv[2];
const pool = new Pool(upstream, { connections: 128 });

let requests = 0;
const server = createServer((req, res) => {
  requests++;
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    pool
      .request({
        path: req.url ?? '/',
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' },
        body: Buffer.concat(chunks),
      })
      .then(async (r) => {
        const body = Buffer.from(await r.body.arrayBuffer());
        res.writeHead(r.statusCode, {
          'content-type': String(r.headers['content-type'] ?? 'application/octet-stream'),
          'content-length': body.length,
        });
        res.end(body);
      })
      .catch(() => {
        res.writeHead(502).end();
      });
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  reportCpuOnSigterm(
    helperThreads,
    () => requests,
    () => {
      server.close();
      return pool.close();
    },
  );
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
