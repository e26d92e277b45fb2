// Notifications on drift state changes, against a local HTTP receiver: once per change, cooldown holds back a
// flapping verdict, failures are counted and never thrown.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { parseConfig } from '../../src/config';
import { createExporterMetrics } from '../../src/metrics';
import { createNotifier } from '../../src/notify';
import type { ModelWindowReport } from '../../src/service/report';
import { seriesValue } from '../helpers/exporter';

/** plumbline_exporter_notifications_total{channel, result}. */
const notifications = (registry: Registry, channel: string, result: string) =>
  seriesValue(registry, 'plumbline_exporter_notifications_total', { channel, result });

function report(drift: boolean): ModelWindowReport {
  return {
    model: 'iris',
    modelVersion: '2',
    modelVersions: { '2': 500 },
    window: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T01:00:00.000Z', kind: 'sliding' },
    evaluatedAt: '2026-01-01T01:00:00.000Z',
    status: 'ok',
    reason: null,
    samples: 500,
    sampling: { rows: 500, share: 1 },
    coveredFrom: null,
    minimumSamples: 100,
    baselineVersion: '2',
    drift: {
      features: [
        { name: 'petal_length', type: 'numerical', n: [100, 500], missing: [0, 0], tests: [], drift },
        { name: 'sepal_width', type: 'numerical', n: [100, 500], missing: [0, 0], tests: [], drift: false },
      ],
      dataset: { driftShare: drift ? 0.5 : 0, drift },
    },
    summaries: {},
    quality: null,
    dataQuality: null,
    multivariate: null,
    durationSeconds: 0.01,
  };
}

let server: Server;
let status = 200;
const received: { path: string; body: unknown }[] = [];
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(body) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  received.length = 0;
  status = 200;
});

function setup(cooldownSeconds: number) {
  const registry = new Registry();
  const metrics = createExporterMetrics(registry);
  const clock = { now: Date.parse('2026-01-01T01:00:00Z') };
  const notify = parseConfig({
    models: [{ name: 'iris' }],
    notify: { webhookUrl: `${base}/hook`, alertmanagerUrl: base, cooldownSeconds, timeoutMs: 2000 },
  }).notify;
  const notifier = createNotifier({
    config: notify,
    metrics,
    alertTtlSeconds: 300,
    now: () => clock.now,
    generatorUrl: 'http://exporter/api',
  });
  return { registry, clock, notifier };
}

describe('drift notifications', () => {
  it('sends on a change only, with Slack-compatible JSON and an Alertmanager v2 alert', async () => {
    const { notifier, registry } = setup(0);
    await notifier.onReport(report(false)); // no drift at start: nothing to say
    expect(received).toHaveLength(0);
    await notifier.onReport(report(true));
    const hook = received.find((r) => r.path === '/hook')!.body as { text: string; blocks: unknown[] };
    expect(hook.text).toMatch(
      /Data drift detected for model iris v2: 50% of features drift \(petal_length\)/,
    );
    expect(hook.blocks).toHaveLength(2);
    const [alert] = received.find((r) => r.path === '/api/v2/alerts')!.body as {
      labels: Record<string, string>;
      startsAt: string;
      endsAt: string;
      generatorURL: string;
    }[];
    expect(alert.labels).toEqual({
      alertname: 'PlumblineDatasetDrift',
      model: 'iris',
      model_version: '2',
      severity: 'warning',
      source: 'plumbline-exporter',
    });
    expect(Date.parse(alert.endsAt) - Date.parse(alert.startsAt)).toBe(300_000);
    received.length = 0;
    await notifier.onReport(report(true)); // still drifting: only the Alertmanager refresh, no webhook
    expect(received.map((r) => r.path)).toEqual(['/api/v2/alerts']);
    received.length = 0;
    await notifier.onReport(report(false)); // resolved: webhook + alert with endsAt now
    expect((received.find((r) => r.path === '/hook')!.body as { text: string }).text).toMatch(/resolved/);
    const [resolved] = received.find((r) => r.path === '/api/v2/alerts')!.body as { endsAt: string }[];
    expect(resolved.endsAt).toBe('2026-01-01T01:00:00.000Z');
    expect(await notifications(registry, 'webhook', 'sent')).toBe(2);
  });

  it('holds back a flapping verdict inside the cooldown and sends what is still true after it', async () => {
    const { notifier, clock, registry } = setup(600);
    await notifier.onReport(report(true));
    expect(received.filter((r) => r.path === '/hook')).toHaveLength(1);
    clock.now += 60_000;
    await notifier.onReport(report(false)); // inside the cooldown: held back
    clock.now += 60_000;
    await notifier.onReport(report(true)); // back to what was announced: nothing to send
    expect(received.filter((r) => r.path === '/hook')).toHaveLength(1);
    clock.now += 60_000;
    await notifier.onReport(report(false));
    clock.now += 600_000;
    await notifier.onReport(report(false)); // cooldown over, still resolved: now it is sent
    const hooks = received.filter((r) => r.path === '/hook');
    expect(hooks).toHaveLength(2);
    expect((hooks[1].body as { text: string }).text).toMatch(/resolved/);
    expect(await notifications(registry, 'all', 'suppressed')).toBe(2);
  });

  it('counts failures, never throws, and retries the change at the next evaluation', async () => {
    const { notifier, registry } = setup(0);
    status = 500;
    await expect(notifier.onReport(report(true))).resolves.toBeUndefined();
    expect(await notifications(registry, 'webhook', 'failed')).toBe(1);
    expect(notifier.announced('iris')).toBe(false);
    status = 200;
    await notifier.onReport(report(true));
    expect(notifier.announced('iris')).toBe(true);
    expect(await notifications(registry, 'webhook', 'sent')).toBe(1);
  });

  it('an unreachable receiver is a counted failure, not a crash', async () => {
    const registry = new Registry();
    const metrics = createExporterMetrics(registry);
    const notify = parseConfig({
      models: [{ name: 'iris' }],
      notify: { webhookUrl: 'http://127.0.0.1:1/hook', timeoutMs: 1000 },
    }).notify;
    const notifier = createNotifier({ config: notify, metrics, alertTtlSeconds: 300 });
    await expect(notifier.onReport(report(true))).resolves.toBeUndefined();
    expect(await notifications(registry, 'webhook', 'failed')).toBe(1);
  });
});
