/**
 * The shipped alertmanager.yml sends the bridge's API token: a real Alertmanager (credentials_file pointed at a
 * token file, as compose mounts the secret) routes a drift alert to a bridge that needs the token, and the
 * pipeline webhook is called; a request without the token gets 401 and decides nothing. The bridge's log never
 * holds the token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { request } from 'undici';
import { startRetrainChain, type RetrainChain } from '@plumbline/harness/retrain-chain';
import { DRIFT_ALERT_LABELS } from './drift-alert';
import { testSecret } from '@plumbline/harness';

jest.setTimeout(120_000);

const RETRAIN_TOKEN = testSecret('alertmanager-sends-the-bridge-token retrain token');
const API_TOKEN = testSecret('alertmanager-sends-the-bridge-token api token');
const log: string[] = [];
let chain: RetrainChain;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bridge-token-chain-'));
  chain = await startRetrainChain({
    token: RETRAIN_TOKEN,
    apiToken: API_TOKEN,
    dir,
    bridge: {
      quality: () => Promise.resolve({ accuracy: 0.8, windowSamples: 400 }),
      log: pino({ level: 'trace' }, { write: (line: string) => void log.push(line) }),
    },
  });
});
afterAll(async () => {
  await chain?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('Alertmanager reaches the bridge with the token; a caller without it is refused', async () => {
  const direct = await request(`${chain.bridge.url}/alertmanager`, {
    method: 'POST',
    body: JSON.stringify({ version: '4', status: 'firing', alerts: [] }),
  });
  expect(direct.statusCode).toBe(401);
  await direct.body.dump();

  const fired = await request(`${chain.alertmanager.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ labels: DRIFT_ALERT_LABELS, startsAt: new Date().toISOString() }]),
  });
  expect(fired.statusCode).toBe(200);
  await fired.body.dump();
  const deadline = Date.now() + 60_000;
  while (chain.pipeline.calls.length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(chain.pipeline.calls).toHaveLength(1);
  expect(JSON.parse(chain.pipeline.calls[0].body)).toMatchObject({
    model: 'iris',
    requestedBy: 'alertmanager',
  });

  // The bridge logs its decision once the retrain call has returned, a moment after the pipeline saw the call.
  const logged = Date.now() + 10_000;
  while (!log.join('').includes('retrain bridge: trigger iris') && Date.now() < logged) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const text = log.join('');
  expect(text).toContain('retrain bridge: trigger iris');
  expect(text).not.toContain(API_TOKEN);
  expect(text).not.toContain(RETRAIN_TOKEN);
});
