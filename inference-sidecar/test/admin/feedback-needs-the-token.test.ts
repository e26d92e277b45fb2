// With an API token, POST /feedback needs it as a bearer token (401 SIDECAR_ERR_UNAUTHORIZED with
// WWW-Authenticate otherwise, nothing stored); reads stay open unless requireTokenForReads, the probes always. The
// token never reaches the log, wrong or right. Without a token the sidecar says once, at start-up, that writes are
// open.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { startSidecar, type RunningSidecar } from '../../src/app';
import { parseConfig } from '../../src/config';
import { memoryPipeline } from '../helpers/memory-pipeline';
import { startUpstream } from '../helpers/upstream';
import { testSecret } from '@plumbline/harness';

const TOKEN = testSecret('feedback-needs-the-token token');
const WRONG = 'not-the-token-8d2e6b0c55a1';

let upstream: Awaited<ReturnType<typeof startUpstream>>;
const running: RunningSidecar[] = [];
beforeAll(async () => {
  upstream = await startUpstream((_req, res) => res.end('{}'));
});
afterEach(async () => {
  while (running.length) await running.pop()!.stop();
});
afterAll(() => upstream.close());

async function start(auth: { apiToken?: string; requireTokenForReads?: boolean }) {
  const log: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void log.push(line) });
  const pipeline = memoryPipeline();
  const sidecar = await startSidecar(
    parseConfig({ upstream: upstream.url, port: 0, adminPort: 0, logLevel: 'trace', ...auth }),
    { captureMode: 'inline', pipeline, registry: new Registry(), logger },
  );
  running.push(sidecar);
  return { ...sidecar, log, pipeline };
}

async function call(url: string, method: 'GET' | 'POST', headers: Record<string, string> = {}) {
  const res = await request(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: method === 'POST' ? JSON.stringify({ request_id: 'r-1', ground_truth: 'setosa' }) : undefined,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

test('POST /feedback without the token, or with a wrong one, is refused with 401; with it, accepted', async () => {
  const s = await start({ apiToken: TOKEN });
  const refused: Record<string, string>[] = [
    {},
    { authorization: `Bearer ${WRONG}` },
    { authorization: `Basic ${TOKEN}` },
  ];
  for (const headers of refused) {
    const res = await call(`${s.adminUrl}/feedback`, 'POST', headers);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(res.text)).toEqual({
      error: { code: 'SIDECAR_ERR_UNAUTHORIZED', message: expect.stringContaining('bearer token') },
    });
    expect(res.text).not.toContain(TOKEN);
  }
  expect(s.pipeline.feedback).toHaveLength(0);
  const ok = await call(`${s.adminUrl}/feedback`, 'POST', { authorization: `Bearer ${TOKEN}` });
  expect(ok.status).toBe(202);
  expect(s.pipeline.feedback).toHaveLength(1);
  // Reads and probes stay open.
  expect((await call(`${s.adminUrl}/metrics`, 'GET')).status).toBe(200);
  expect((await call(`${s.adminUrl}/healthz`, 'GET')).status).toBe(200);

  const log = s.log.join('');
  expect(log.length).toBeGreaterThan(0);
  expect(log).not.toContain(TOKEN);
  expect(log).not.toContain(WRONG);
  expect(log).not.toContain('writes from anyone');
});

test('requireTokenForReads closes /metrics too, never /healthz and /readyz', async () => {
  const s = await start({ apiToken: TOKEN, requireTokenForReads: true });
  const metrics = await call(`${s.adminUrl}/metrics`, 'GET');
  expect(metrics.status).toBe(401);
  expect(JSON.parse(metrics.text).error.code).toBe('SIDECAR_ERR_UNAUTHORIZED');
  expect((await call(`${s.adminUrl}/metrics`, 'GET', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  expect((await call(`${s.adminUrl}/healthz`, 'GET')).status).toBe(200);
  expect((await call(`${s.adminUrl}/readyz`, 'GET')).status).toBe(200);
});

test('without a token writes are open, and the start-up log says so once', async () => {
  const s = await start({});
  expect((await call(`${s.adminUrl}/feedback`, 'POST')).status).toBe(202);
  const warnings = s.log
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .filter((l) => l.level === 40);
  expect(warnings.map((w) => w.msg)).toEqual([
    'PLUMBLINE_API_TOKEN is not set: POST /feedback on the admin port accepts writes from anyone who can reach it',
  ]);
});

test('the capture thread (production layout) gets the token with the config', async () => {
  const spoolDir = mkdtempSync(join(tmpdir(), 'feedback-token-'));
  const sidecar = await startSidecar(
    parseConfig({
      upstream: upstream.url,
      port: 0,
      adminPort: 0,
      logLevel: 'silent',
      apiToken: TOKEN,
      sinks: { spoolDir, spoolFsync: 'never' },
    }),
    { logger: pino({ level: 'silent' }) },
  );
  try {
    expect((await call(`${sidecar.adminUrl}/feedback`, 'POST')).status).toBe(401);
    const ok = await call(`${sidecar.adminUrl}/feedback`, 'POST', { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(202);
  } finally {
    await sidecar.stop();
    rmSync(spoolDir, { recursive: true, force: true });
  }
});
