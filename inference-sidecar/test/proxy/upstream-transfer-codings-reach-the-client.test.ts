/**
 * A model server that applies a transfer coding besides chunked (`Transfer-Encoding: gzip, chunked`) sends gzip
 * bytes in its chunks. The sidecar passes those bytes through, so it must tell the client the codings that were
 * applied — all of them: both planes used to send `Transfer-Encoding: chunked` only (the header is hop-by-hop and
 * was replaced by the sidecar's own framing), and the client got gzip bytes it was not told of. An HTTP/1.0
 * client can be told no transfer coding (RFC 9112 §6.1): it gets the body de-chunked, the gzip coding left as it
 * is (neither plane decodes it), ended by the close. Capture sees the de-chunked, still gzip-coded body: the event
 * is recorded as unparsed (the response is not JSON) and the client's answer is not affected.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { readUntilClose, startRawUpstream, type RawUpstream } from '../helpers/raw-socket';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

const JSON_BODY = '{"predictions": [0.5, 1.5]}';
const GZIPPED = gzipSync(JSON_BODY);

/** The model server's answer, byte for byte: the gzip bytes in two chunks. */
function gzipChunked(): Buffer {
  const half = Math.floor(GZIPPED.length / 2);
  const chunk = (b: Buffer): Buffer =>
    Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
  return Buffer.concat([
    Buffer.from(
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
    ),
    chunk(GZIPPED.subarray(0, half)),
    chunk(GZIPPED.subarray(half)),
    Buffer.from('0\r\n\r\n'),
  ]);
}

const GZIP_ONLY_HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n';

/** The chunk data of a complete chunked body (no extensions, no trailers: the model server sends none). */
function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) throw new Error(`no chunk size line at ${at}`);
    const size = parseInt(body.toString('latin1', at, lineEnd), 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size at ${at}`);
    if (size === 0) {
      expect(body.toString('latin1', lineEnd)).toBe('\r\n\r\n');
      return Buffer.concat(out);
    }
    out.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

describe('an upstream response with Transfer-Encoding: gzip, chunked', () => {
  let upstream: RawUpstream;
  let sidecar: TestSidecar;
  let port: number;

  beforeAll(async () => {
    upstream = await startRawUpstream((target, socket) => {
      if (target === '/gzip-only/v1/models/reg:predict') {
        // `Transfer-Encoding: gzip` alone: the body ends when the connection does (RFC 9112 §6.3).
        socket.end(Buffer.concat([Buffer.from(GZIP_ONLY_HEAD), GZIPPED]));
        return;
      }
      socket.write(gzipChunked());
    });
    sidecar = await startTestSidecar(upstream.url);
    port = Number(new URL(sidecar.url).port);
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  const body = '{"instances": [[1, 2], [3, 4]]}';
  const request = (version: string, id: string, prefix = ''): string =>
    `POST ${prefix}/v1/models/reg:predict HTTP/1.${version}\r\nHost: sidecar\r\nConnection: close\r\nX-Request-Id: ${id}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

  it('reaches an HTTP/1.1 client with those codings, the gzip bytes passed through; capture notes it unparsed', async () => {
    const response = await readUntilClose(port, request('1', 'te-gzip-11'));
    const at = response.indexOf('\r\n\r\n');
    const head = response.toString('latin1', 0, at).toLowerCase();
    expect(head).toMatch(/^http\/1\.1 200 ok\r\n/);
    expect(head.match(/\r\ntransfer-encoding:[^\r]*/g)).toEqual(['\r\ntransfer-encoding: gzip, chunked']);
    expect(head).not.toContain('content-length');
    const data = dechunk(response.subarray(at + 4));
    expect(data.equals(GZIPPED)).toBe(true);
    expect(gunzipSync(data).toString()).toBe(JSON_BODY);

    const events = await sidecar.waitForEvents(1);
    const event = events.find((e) => e.request_id === 'te-gzip-11');
    expect(event).toMatchObject({ parsed: false, http_status: 200 });
    expect(event?.error).toMatch(/^response: response is not JSON/);
  });

  it('with a gzip coding alone (the body ended by the close), reaches an HTTP/1.1 client so, with Connection: close', async () => {
    const response = await readUntilClose(port, request('1', 'te-gzip-only', '/gzip-only'));
    const at = response.indexOf('\r\n\r\n');
    const head = response.toString('latin1', 0, at).toLowerCase();
    expect(head).toMatch(/^http\/1\.1 200 ok\r\n/);
    expect(head.match(/\r\ntransfer-encoding:[^\r]*/g)).toEqual(['\r\ntransfer-encoding: gzip']);
    expect(head).toMatch(/\r\nconnection: close(\r\n|$)/);
    expect(response.subarray(at + 4).equals(GZIPPED)).toBe(true);
  });

  it('reaches an HTTP/1.0 client de-chunked, still gzip-coded, with Connection: close and no Transfer-Encoding', async () => {
    const response = await readUntilClose(port, request('0', 'te-gzip-10'));
    const at = response.indexOf('\r\n\r\n');
    const head = response.toString('latin1', 0, at).toLowerCase();
    expect(head).toMatch(/^http\/1\.[01] 200 ok\r\n/);
    expect(head).not.toContain('transfer-encoding');
    expect(head).toMatch(/\r\nconnection: close(\r\n|$)/);
    expect(response.subarray(at + 4).equals(GZIPPED)).toBe(true);
  });
});
