/**
 * An HTTP/1.0 client cannot read chunked framing, and a sidecar must never send it one (RFC 9112 §7). When the
 * model server answers chunked (no Content-Length known in advance), the client gets the body de-chunked and
 * delimited by the end of the connection, with `Connection: close`, as nginx and Node's own http server do —
 * also when the client asked to keep the connection alive. The raw plane used to pass the chunk framing to
 * such a client, which then read `f\r\n{"predictions":…0\r\n\r\n` as its body. The node plane did the same for
 * a 1.0 client that sent `TE: chunked` (Node's http server takes that as leave to chunk). Capture is unaffected:
 * it sees the de-chunked body, as for an HTTP/1.1 client.
 */
import { readUntilClose, startRawUpstream, type RawUpstream } from '../helpers/raw-socket';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

const PARTS = ['{"predictions":', ' [0.5,', ' 1.5]}'];

/** The model server's answer, byte for byte: chunked, one chunk per part, split over two writes. */
const HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
const CHUNKS = PARTS.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n';

describe('a chunked response to an HTTP/1.0 client', () => {
  let upstream: RawUpstream;
  let sidecar: TestSidecar;

  beforeAll(async () => {
    // Every answer chunked, split over two writes; the connection kept open for the next request.
    upstream = await startRawUpstream((_target, socket) => {
      socket.write(HEAD + CHUNKS.slice(0, 10));
      setTimeout(() => socket.write(CHUNKS.slice(10)), 20);
    });
    sidecar = await startTestSidecar(upstream.url);
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
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
      const response = (
        await readUntilClose(Number(new URL(sidecar.url).port), request(connection))
      ).toString('latin1');
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
