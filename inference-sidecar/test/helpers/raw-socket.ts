/**
 * Byte-exact HTTP/1.x on raw sockets, for proxy tests that must see the framing on the wire: a client that sends a
 * request and reads until the sidecar closes the connection, and a keep-alive model server that answers each
 * request with the bytes a test gives it.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * Sends `request` to 127.0.0.1:`port` and resolves with every byte read until the sidecar closes the connection.
 * A connection still open after `timeoutMs` is destroyed and `[still open after N s]` appended: a client that
 * waits for the close of a connection kept open would wait forever.
 */
export function readUntilClose(port: number, request: string | Buffer, timeoutMs = 3000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(Buffer.concat([...chunks, Buffer.from(`[still open after ${timeoutMs / 1000} s]`)]));
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

export interface RawUpstream {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * A model server that writes its answers itself: it reads each request (head and Content-Length body) of a
 * keep-alive connection and calls `answer` with the request target and the socket, to write whatever bytes the
 * test needs (and end the connection if it wants).
 */
export async function startRawUpstream(
  answer: (target: string, socket: Socket) => void,
): Promise<RawUpstream> {
  const server = createServer((socket) => {
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
        const target = buf.slice(buf.indexOf(' ') + 1, buf.indexOf(' HTTP/'));
        buf = buf.slice(total);
        answer(target, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
