// The exporter with PLUMBLINE_API_TOKEN: the retrain endpoint, with no token of its own, takes the API token (401
// with WWW-Authenticate without it, 202 with it); reads stay open until PLUMBLINE_REQUIRE_TOKEN_FOR_READS, then
// /metrics and /api/* answer 401 EXPORTER_ERR_UNAUTHORIZED. The token never reaches the log, wrong or right.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { request } from 'undici';
import { loadConfig } from '../../src/config';
import { startExporter, type RunningExporter } from '../../src/main';
import { testSecret } from '@plumbline/harness';

const TOKEN = testSecret('writes-need-the-api-token token');
const WRONG = 'exporter-wrong-token-11aa22bb';
const dir = mkdtempSync(join(tmpdir(), 'exporter-api-token-'));
let pipeline: Server;
const running: RunningExporter[] = [];

beforeAll(async () => {
  pipeline = createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
  await new Promise<void>((r) => pipeline.listen(0, '127.0.0.1', r));
});
afterEach(async () => {
  while (running.length) await running.pop()!.stop();
});
afterAll(async () => {
  await new Promise<void>((r) => pipeline.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string>) {
  const log: string[] = [];
  const config = loadConfig({
    base: {
      models: [{ name: 'iris' }],
      source: { kind: 'spool', dir: join(dir, 'spool') },
      baselineStore: { kind: 'file', dir: join(dir, 'baselines') },
      retrain: {
        webhook: { kind: 'generic', url: `http://127.0.0.1:${(pipeline.address() as AddressInfo).port}/go` },
        audit: { file: join(dir, 'audit.jsonl') },
      },
      host: '127.0.0.1',
      port: 0,
    },
    env,
  });
  const logger = pino({ level: 'trace' }, { write: (line: string) => void log.push(line) });
  const exporter = await startExporter(config, { logger, env });
  running.push(exporter);
  return { ...exporter, log };
}

async function call(url: string, method: 'GET' | 'POST', token?: string) {
  const res = await request(url, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: method === 'POST' ? JSON.stringify({ model: 'iris', reason: 'drift on petal_length' }) : undefined,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

it('the retrain endpoint takes the API token when it has none of its own; reads stay open', async () => {
  const file = join(dir, 'token');
  writeFileSync(file, `${TOKEN}\n`);
  const e = await start({ PLUMBLINE_API_TOKEN_FILE: file });
  for (const token of [undefined, WRONG]) {
    const refused = await call(`${e.url}/api/retrain`, 'POST', token);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(refused.text).outcome).toBe('unauthorized');
  }
  expect((await call(`${e.url}/api/retrain`, 'POST', TOKEN)).status).toBe(202);
  expect((await call(`${e.url}/metrics`, 'GET')).status).toBe(200);
  expect((await call(`${e.url}/api/models`, 'GET')).status).toBe(200);

  const log = e.log.join('');
  expect(log).toContain('retrain triggered');
  expect(log).not.toContain(TOKEN);
  expect(log).not.toContain(WRONG);
});

it('PLUMBLINE_REQUIRE_TOKEN_FOR_READS closes /metrics and /api/* too', async () => {
  const e = await start({ PLUMBLINE_API_TOKEN: TOKEN, PLUMBLINE_REQUIRE_TOKEN_FOR_READS: 'true' });
  for (const path of ['/metrics', '/api/models', '/api/health']) {
    const refused = await call(`${e.url}${path}`, 'GET', WRONG);
    expect({ path, status: refused.status }).toEqual({ path, status: 401 });
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(refused.text)).toEqual({
      error: { code: 'EXPORTER_ERR_UNAUTHORIZED', message: expect.stringContaining('bearer token') },
    });
  }
  expect((await call(`${e.url}/metrics`, 'GET', TOKEN)).status).toBe(200);
  expect(e.log.join('')).not.toContain(TOKEN);
});

it('without any token the retrain section is a config error naming both variables', async () => {
  await expect(start({})).rejects.toThrow(
    /retrain\.token: not set and environment variable PLUMBLINE_RETRAIN_TOKEN is empty \(nor is PLUMBLINE_API_TOKEN or PLUMBLINE_API_TOKEN_FILE set/,
  );
});
