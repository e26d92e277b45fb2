/** @jest-environment @plumbline/harness/onnx-test-environment */
// The demo traffic's ground truth reaches a sidecar that needs the API token when it is given the token, and is
// counted as failed (401) when it is not: the real model server, a real sidecar with a token, real requests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  parseConfig,
  SHIPPED_MODEL,
  startModelServer,
  startSidecar,
  type RunningModelServer,
  type RunningSidecar,
} from '@plumbline/sidecar';
import { DEFAULT_DRIFT } from './drift-plan';
import { readTrainingData } from './training-data';
import { createDemoTraffic } from './traffic';
import { testSecret } from '@plumbline/harness';

const TOKEN = testSecret('traffic-sends-the-api-token token');
const data = readTrainingData(SHIPPED_MODEL.trainCsvPath);
const spoolDir = mkdtempSync(path.join(tmpdir(), 'traffic-token-'));
let model: RunningModelServer;
let sidecar: RunningSidecar;
beforeAll(async () => {
  model = await startModelServer({ modelPath: SHIPPED_MODEL.modelPath, port: 0 });
  sidecar = await startSidecar(
    parseConfig({
      upstream: model.url,
      port: 0,
      adminPort: 0,
      protocol: 'v2',
      logLevel: 'silent',
      apiToken: TOKEN,
      sinks: { spoolDir, spoolFsync: 'never' },
    }),
  );
});
afterAll(async () => {
  await sidecar.stop();
  await model.stop();
  rmSync(spoolDir, { recursive: true, force: true });
});

async function run(apiToken: string | undefined) {
  const traffic = createDemoTraffic({
    inferUrl: `${sidecar.url}/v2/models/iris/infer`,
    feedbackUrl: `${sidecar.adminUrl}/feedback`,
    apiToken,
    data,
    model: 'iris',
    requestsPerSecond: 50,
    feedbackShare: 1,
    feedbackDelayMs: 0,
    driftAfterMs: null,
    drift: DEFAULT_DRIFT,
  });
  traffic.start();
  await new Promise((resolve) => setTimeout(resolve, 400));
  await traffic.stop();
  return traffic.stats();
}

it('posts feedback with the token', async () => {
  const s = await run(TOKEN);
  expect(s.feedbackPosted).toBeGreaterThan(0);
  expect(s.feedbackFailed).toBe(0);
});

it('counts feedback refused without the token, and the error names the status, not the token', async () => {
  const s = await run(undefined);
  expect(s.feedbackPosted).toBe(0);
  expect(s.feedbackFailed).toBeGreaterThan(0);
  expect(s.lastError).toMatch(/^feedback answered HTTP 401: .*SIDECAR_ERR_UNAUTHORIZED/);
  expect(s.lastError).not.toContain(TOKEN);
});
