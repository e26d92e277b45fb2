/**
 * Regression (found by tests/e2e/renamed-feature-pages): two failing data-quality checks of one model land in one
 * Alertmanager group ([alertname, model]) with different summaries, so `.CommonAnnotations.summary` is empty and
 * the page went to PagerDuty with an empty summary, which PagerDuty's Events API refuses. The shipped
 * alertmanager.yml now falls back to the first alert's summary and the count. Real Alertmanager; PagerDuty's
 * Events API and Slack's webhooks played by a local server.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import {
  startAlertmanager,
  startWebhookServer,
  type ServiceHandle,
  type WebhookServer,
} from '@plumbline/harness';

jest.setTimeout(120_000);

let alertmanager: ServiceHandle;
let pager: WebhookServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'grouped-page-'));
  pager = await startWebhookServer();
  pager.respondWith(202);
  const secrets = path.join(dir, 'secrets');
  mkdirSync(secrets);
  for (const [name, text] of [
    ['iris-team-pagerduty-key', 'iris-team-routing-key'],
    ['ml-platform-pagerduty-key', 'ml-platform-routing-key'],
    ['iris-team-slack-url', `${pager.url}/slack/iris`],
    ['ml-platform-slack-url', `${pager.url}/slack/ml-platform`],
    ['plumbline_api_token', 'no-bridge-in-this-test'],
  ])
    writeFileSync(path.join(secrets, name), `${text}\n`, { mode: 0o600 });
  const shipped = readFileSync(path.join(__dirname, '..', 'alertmanager', 'alertmanager.yml'), 'utf8');
  alertmanager = await startAlertmanager({
    config: shipped
      .replace('global:\n', `global:\n  pagerduty_url: ${pager.url}/pagerduty/v2/enqueue\n`)
      .replaceAll('/etc/alertmanager/secrets/', `${secrets}/`)
      .replaceAll('/run/secrets/plumbline_api_token', path.join(secrets, 'plumbline_api_token'))
      .replace(/group_wait: \d+s/g, 'group_wait: 1s'),
  });
});
afterAll(async () => {
  await alertmanager?.stop();
  await pager?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const check = (feature: string, name: string) => ({
  labels: {
    alertname: 'PlumblineDataQualityCheckFailed',
    category: 'pipeline',
    severity: 'critical',
    model: 'iris',
    feature,
    check: name,
  },
  annotations: { summary: `Check ${name} fails for ${feature} of iris` },
  startsAt: new Date().toISOString(),
});

test('a page for two failing checks of one model carries a summary: the first one and the count', async () => {
  const r = await request(`${alertmanager.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([check('petal_width_cm', 'missing_column'), check('petal_width', 'new_column')]),
  });
  expect(r.statusCode).toBe(200);
  await r.body.dump();
  const deadline = Date.now() + 60_000;
  while (!pager.calls.some((c) => c.path.startsWith('/pagerduty/')) && Date.now() < deadline)
    await new Promise((res) => setTimeout(res, 200));
  const page = JSON.parse(pager.calls.find((c) => c.path.startsWith('/pagerduty/'))!.body) as {
    routing_key: string;
    payload: { summary: string };
  };
  expect(page.routing_key).toBe('iris-team-routing-key');
  expect(page.payload.summary).toMatch(
    /^Check (missing_column fails for petal_width_cm|new_column fails for petal_width) of iris \(2 alerts of PlumblineDataQualityCheckFailed\)$/,
  );
});
