/**
 * The shipped alertmanager.yml: a failing data-quality check of a feature inhibits that feature's drift alert, so
 * the broken pipeline pages once and the drift alert never reaches the retrain bridge (retraining on broken inputs
 * would bake the break into the model). The drift of another feature of the same model still gets through; the
 * model-level drift alerts (dataset drift share, multivariate, prediction drift) of that model are held as well.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { request } from 'undici';
import { startRetrainChain, type RetrainChain } from '@plumbline/harness/retrain-chain';
import { DRIFT_ALERT_LABELS } from './drift-alert';

jest.setTimeout(120_000);

const log: string[] = [];
let chain: RetrainChain;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dq-inhibits-drift-'));
  chain = await startRetrainChain({
    token: 'retrain-token-for-this-test-03',
    dir,
    bridge: {
      quality: () => Promise.resolve({ accuracy: 0.8, windowSamples: 400 }),
      log: pino({ level: 'info' }, { write: (line: string) => void log.push(line) }),
    },
  });
});
afterAll(async () => {
  await chain?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const BROKEN = {
  alertname: 'PlumblineDataQualityCheckFailed',
  category: 'pipeline',
  severity: 'critical',
  model: 'iris',
  feature: 'petal_length',
  check: 'out_of_range_share',
};
const OTHER_DRIFT = { ...DRIFT_ALERT_LABELS, feature: 'sepal_width' };

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

async function post(alerts: Record<string, string>[]): Promise<void> {
  const startsAt = new Date().toISOString();
  const r = await request(`${chain.alertmanager.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts.map((labels) => ({ labels, startsAt }))),
  });
  expect(r.statusCode).toBe(200);
  await r.body.dump();
}

const decisions = (): string[] => log.filter((line) => line.includes('retrain bridge: '));

test('the drift alert of a feature with a failing check is suppressed; another feature still retrains', async () => {
  await post([BROKEN]);
  await post([DRIFT_ALERT_LABELS, OTHER_DRIFT]);

  const r = await request(`${chain.alertmanager.url}/api/v2/alerts`);
  const alerts = (await r.body.json()) as AmAlert[];
  const state = (feature: string, alertname: string) =>
    alerts.find((a) => a.labels.feature === feature && a.labels.alertname === alertname)?.status;
  expect(state('petal_length', 'PlumblineFeatureDriftPersistent')).toMatchObject({ state: 'suppressed' });
  expect(state('petal_length', 'PlumblineFeatureDriftPersistent')!.inhibitedBy).toHaveLength(1);
  expect(state('sepal_width', 'PlumblineFeatureDriftPersistent')).toMatchObject({ state: 'active' });
  expect(state('petal_length', 'PlumblineDataQualityCheckFailed')).toMatchObject({ state: 'active' });

  const deadline = Date.now() + 60_000;
  while (chain.pipeline.calls.length === 0 && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 200));
  }
  expect(chain.pipeline.calls).toHaveLength(1);
  // Had petal_length's drift reached the bridge, its own group (1 s group_wait) would add a second decision.
  await new Promise((res) => setTimeout(res, 3000));
  expect(decisions()).toHaveLength(1);
  expect(decisions()[0]).toContain('feature sepal_width drifts');
});

test('the model-level drift alerts of a model with a failing structural check are suppressed too; another model keeps them', async () => {
  // A structural break (a renamed column): BROKEN's value check (out_of_range_share) alone holds no model-level alert,
  // the next test shows.
  await post([{ ...BROKEN, feature: 'petal_width', check: 'missing_column' }]);
  const modelLevel = (model: string) =>
    [
      'PlumblineDatasetDriftShareHigh',
      'PlumblineMultivariateDrift',
      'PlumblinePredictionDriftPersistent',
    ].map((alertname) => ({
      alertname,
      category: 'drift',
      severity: alertname === 'PlumblineDatasetDriftShareHigh' ? 'critical' : 'warning',
      model,
      model_version: '1',
    }));
  await post([...modelLevel('iris'), ...modelLevel('fraud')]);

  const r = await request(`${chain.alertmanager.url}/api/v2/alerts`);
  const alerts = (await r.body.json()) as AmAlert[];
  for (const alertname of [
    'PlumblineDatasetDriftShareHigh',
    'PlumblineMultivariateDrift',
    'PlumblinePredictionDriftPersistent',
  ]) {
    const state = (model: string) =>
      alerts.find((a) => a.labels.alertname === alertname && a.labels.model === model)?.status;
    expect({ alertname, ...state('iris') }).toMatchObject({ alertname, state: 'suppressed' });
    expect({ alertname, ...state('fraud') }).toMatchObject({ alertname, state: 'active' });
  }
});

test('a value check (out_of_range_share) holds only its feature: a real drift that moves values out of range still reaches the model-level alerts', async () => {
  const drift = {
    alertname: 'PlumblineDatasetDriftShareHigh',
    category: 'drift',
    severity: 'critical',
    model: 'wine',
    model_version: '1',
  };
  await post([{ ...BROKEN, model: 'wine' }, drift]);
  const r = await request(`${chain.alertmanager.url}/api/v2/alerts`);
  const alerts = (await r.body.json()) as AmAlert[];
  const state = alerts.find(
    (a) => a.labels.alertname === 'PlumblineDatasetDriftShareHigh' && a.labels.model === 'wine',
  )?.status;
  expect(state).toMatchObject({ state: 'active' });
});
