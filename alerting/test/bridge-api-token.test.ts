// The bridge with an API token: POST /alertmanager needs it (401 BRIDGE_ERR_UNAUTHORIZED-shaped `{ error }` with
// WWW-Authenticate otherwise, no decision made), /healthz stays open, and the token never reaches the log. Its
// config reads the token like every service, and the retrain token falls back to it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { request } from 'undici';
import { startBridge } from '../src/bridge/bridge';
import { bridgeConfigFromEnv, BridgeConfigError } from '../src/bridge/config';
import { DEFAULT_POLICY } from '../src/bridge/policy';
import { testSecret } from '@plumbline/harness';

const TOKEN = testSecret('bridge-api-token token');
const WRONG = 'bridge-wrong-token-0a9b8c7d6e';
const BASE = {
  PLUMBLINE_RETRAIN_URL: 'http://exporter:9464/api/retrain',
  PLUMBLINE_PROMETHEUS_URL: 'http://prometheus:9090',
};
const dir = mkdtempSync(path.join(tmpdir(), 'bridge-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PAYLOAD = JSON.stringify({
  version: '4',
  status: 'firing',
  alerts: [
    {
      fingerprint: 'f1',
      status: 'firing',
      labels: { alertname: 'PlumblineFeatureDriftPersistent', category: 'drift', model: 'iris' },
      annotations: {},
      startsAt: '2026-01-01T00:00:00Z',
    },
  ],
});

test('POST /alertmanager needs the token; /healthz does not; the log never holds it', async () => {
  const log: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void log.push(line) });
  const bridge = await startBridge(
    {
      retrainUrl: 'http://127.0.0.1:9/api/retrain',
      retrainToken: TOKEN,
      apiToken: TOKEN,
      policy: DEFAULT_POLICY,
      timeoutMs: 1000,
    },
    // Accuracy above the gate: every alert is skipped, so nothing calls the (closed) retrain port.
    { quality: () => Promise.resolve({ accuracy: 0.99, windowSamples: 500 }), log: logger },
  );
  try {
    const post = async (headers: Record<string, string>) => {
      const res = await request(`${bridge.url}/alertmanager`, { method: 'POST', body: PAYLOAD, headers });
      return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
    };
    for (const headers of [{}, { authorization: `Bearer ${WRONG}` }] as Record<string, string>[]) {
      const refused = await post(headers);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.parse(refused.text)).toEqual({ error: expect.stringContaining('bearer token') });
    }
    expect(log.join('')).not.toContain('retrain bridge: skip');
    const ok = await post({ authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toMatchObject({ decisions: [{ model: 'iris', action: 'skip' }] });
    const health = await request(`${bridge.url}/healthz`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();

    const text = log.join('');
    expect(text).toContain('retrain bridge: skip iris');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(WRONG);
  } finally {
    await bridge.close();
  }
});

test('the token comes from PLUMBLINE_API_TOKEN or its file, and the retrain token falls back to it', () => {
  const file = path.join(dir, 'token');
  writeFileSync(file, `${TOKEN}\n`);
  const fromFile = bridgeConfigFromEnv({ ...BASE, PLUMBLINE_API_TOKEN_FILE: file });
  expect([fromFile.apiToken, fromFile.retrainToken]).toEqual([TOKEN, TOKEN]);
  const own = bridgeConfigFromEnv({ ...BASE, PLUMBLINE_API_TOKEN: TOKEN, PLUMBLINE_RETRAIN_TOKEN: 'other' });
  expect([own.apiToken, own.retrainToken]).toEqual([TOKEN, 'other']);
});

test.each([
  [
    { PLUMBLINE_API_TOKEN: TOKEN, PLUMBLINE_API_TOKEN_FILE: '/run/secrets/x' },
    'PLUMBLINE_API_TOKEN and PLUMBLINE_API_TOKEN_FILE are both set; set one of them',
  ],
  [
    { PLUMBLINE_API_TOKEN_FILE: '/nonexistent/plumbline-token' },
    'PLUMBLINE_API_TOKEN_FILE names "/nonexistent/plumbline-token", which cannot be read (ENOENT)',
  ],
  [{ PLUMBLINE_API_TOKEN: 'short' }, 'PLUMBLINE_API_TOKEN: must be at least 16 characters'],
])('%j → %s (exit 2)', (override, message) => {
  let error: unknown;
  try {
    bridgeConfigFromEnv({ ...BASE, PLUMBLINE_RETRAIN_TOKEN: 'secret', ...override });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(BridgeConfigError);
  expect((error as BridgeConfigError).message).toBe(message);
  expect((error as BridgeConfigError).exitCode).toBe(2);
});
