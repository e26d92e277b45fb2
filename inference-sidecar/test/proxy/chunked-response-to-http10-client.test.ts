/**
 * An HTTP/1.0 client cannot read chunked framing, and a sidecar must never send it one (RFC 9112 §7). When the
 * model server answers chunked (no Content-Length known in advance), the client gets the body de-chunked and
 * delimited by the end of the connection, with `Connection: close`, as nginx and Node's own http server do —
 * also when the client asked to keep the connection alive. The raw plane used to pass the chunk framing to
 * such a client, which then read `f\r\n{"predictions":…0\r\n\r\n` as its body. The node plane did the same for
 * a 1.0 client that sent `TE: chunked` (Node's http server takes that as leave to chunk). Capture is unaffected:
 * it sees the de-chunked body, as for an HTTP/1.1 client.
 */
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

const PARTS = ['{"predictions":', ' [0.5,', ' 1.5]}'];

/** The model server's answer, byte for byte: chunked, one chunk per part, split over two writes. */
const HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
const CHUNKS = PARTS.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n';

/**
 * Sends `request` on a raw socket and reads until the sidecar closes the connection (or for 3 s: an HTTP/1.0
 * client waiting for the close of a connection kept open would wait forever).
 */
function http10(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.setTimeout(3000, () => {
      socket.destroy();
      resolve(`${Buffer.concat(chunks).toString('latin1')}[still open after 3 s]`);
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

describe('a chunked response to an HTTP/1.0 client', () => {
  let upstream: Server;
  let sidecar: TestSidecar;

  beforeAll(async () => {
    // A keep-alive upstream: reads one request (head and Content-Length body), answers, waits for the next.
    upstream = createServer((socket) => {
      let buf = '';
      socket.setEncoding('latin1');
      socket.on('error', () => undefined);
      socket.on('data', (s: string) => {
        buf += s;
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const length = /\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, end));
          const total = end + 4 + (length === null ? 0 : Number(length[1]));
          if (buf.length < total) return;
          buf = buf.slice(total);
          socket.write(HEAD + CHUNKS.slice(0, 10));
          setTimeout(() => socket.write(CHUNKS.slice(10)), 20);
        }
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    sidecar = await startTestSidecar(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await sidecar.stop();
    await new Promise((resolve) => upstream.close(resolve));
  });

  const body = '{"instances": [[1, 2], [3, 4]]}';
  const request = (connection: string): string =>
    'POST /v1/models/reg:predict HTTP/1.0\r\nContent-Type: application/json\r\n' +
    `${connection}Content-Length: ${body.length}\r\n\r\n${body}`;

  it.each([
    ['with no Connection header', ''],
    ['asking for keep-alive', 'Connection: keep-alive\r\n'],
    ['that sends TE: chunked', 'Connection: TE\r\nTE: chunked\r\n'],
  ])(
    'goes to a client %s de-chunked, with Connection: close, ended by the close',
    async (_what, connection) => {
      const before = (await sidecar.events()).length;
      const response = await http10(Number(new URL(sidecar.url).port), request(connection));
      const at = response.indexOf('\r\n\r\n');
      const head = response.slice(0, at).toLowerCase();
      expect(head).toMatch(/^http\/1\.[01] 200 ok\r\n/);
      expect(head).not.toContain('transfer-encoding');
      expect(head).not.toContain('content-length');
      expect(head).toMatch(/\r\nconnection: close(\r\n|$)/);
      expect(response.slice(at + 4)).toBe(PARTS.join(''));

      const events = (await sidecar.waitForEvents(before + 2)).slice(before);
      expect(events.map((e) => [e.parsed, e.features, e.outputs.value])).toEqual([
        [true, { f0: 1, f1: 2 }, 0.5],
        [true, { f0: 3, f1: 4 }, 1.5],
      ]);
    },
  );
});
