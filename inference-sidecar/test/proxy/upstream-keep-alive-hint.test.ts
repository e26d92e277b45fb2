/**
 * An upstream that announces how long it keeps an idle connection (`Keep-Alive: timeout=N`, as Node's server does,
 * 5 s by default) closes it then. A request written on that connection at that moment is reset, and a POST cannot
 * be sent again: the client would get a 502 from a healthy model server (seen in the window-300k e2e suite on a
 * busy machine, where the model server's keep-alive timer fired late, just as the sidecar reused the connection).
 * So the sidecar keeps such a connection idle at most two seconds less than announced, as undici does (the node
 * plane's client, so both planes pass this file).
 */
import { request } from 'undici';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

describe('an upstream that announces Keep-Alive: timeout=4', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;
  let connections = 0;

  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    upstream.server.keepAliveTimeout = 4000; // Node announces it as `Keep-Alive: timeout=4`
    upstream.server.on('connection', () => connections++);
    sidecar = await startTestSidecar(upstream.url);
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  async function post(): Promise<void> {
    const res = await request(`${sidecar.url}/predict`, { method: 'POST', body: '{}' });
    expect([res.statusCode, await res.body.text()]).toEqual([200, 'ok']);
  }

  it('its connection is reused for the next request within two seconds less than that', async () => {
    const before = connections;
    await post();
    await post();
    await post();
    expect(connections - before).toBeLessThanOrEqual(1);
  });

  it('but not after: a request 2.5 s later goes on a new connection, before the upstream closes the old one', async () => {
    await post();
    const before = connections;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await post();
    expect(connections - before).toBe(1);
  });
});
