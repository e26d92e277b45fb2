/**
 * A renamed feature in live traffic pages someone, end to end on real components (issue #12): the shipped ONNX
 * model server (built CLI) → the sidecar (Elasticsearch and Kafka sinks) → the exporter following Kafka, checking
 * each window's data quality against a baseline built from the training data → Prometheus scraping the exporter
 * and evaluating the shipped rule file → Alertmanager with the shipped alertmanager.yml → the iris team's pager.
 *
 * The client sends one V2 input per feature, named as in the model's metadata (the sidecar names the features after
 * the inputs). Half-way, its feature pipeline renames `petal_width_cm` to `petal_width`: the model server refuses
 * those requests (unknown input), the sidecar still captures them, and PlumblineDataQualityCheckFailed must reach
 * the pager within two windows of the first renamed request.
 *
 * Changes to what is shipped, all timings: windows of WINDOW_SECONDS in 1 s buckets evaluated every second; the
 * rules' `for:` cut to 3 s and their evaluation interval to 1 s (expressions, labels and annotations as shipped);
 * Alertmanager's group_wait cut to 1 s, PagerDuty's and Slack's URLs pointed at a local stand-in, the secret files
 * written under a temporary folder (routes, receivers and inhibit rules as shipped).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { request } from 'undici';
import { parseConfig as parseSidecarConfig, startSidecar } from '@plumbline/sidecar';
import {
  buildReferenceProfile,
  createFileBaselineStore,
  parseConfig as parseExporterConfig,
  startExporter,
  type RunningExporter,
} from '@plumbline/exporter';
import {
  repoRoot,
  sharedElasticsearch,
  sharedKafka,
  startAlertmanager,
  startWebhookServer,
  type ServiceHandle,
  type WebhookServer,
} from '@plumbline/harness';
import {
  IRIS,
  IRIS_TRAIN,
  promQuery,
  serveModel,
  startRulesPrometheus,
  until,
  type ModelServerProcess,
} from './helpers';

const RUN = `rename${process.pid}${Date.now().toString(36)}`;
const INDEX = `plumbline-inference-${RUN}`;
const TOPICS = { inference: `plumbline.inference.${RUN}`, feedback: `plumbline.feedback.${RUN}` };
const WINDOW_SECONDS = 20;
const RATE_PER_SECOND = 20;
const RENAMED = { from: 'petal_width_cm', to: 'petal_width' };

const train = IRIS_TRAIN.map((row) => row.slice(0, 4).map(Number));

let model: ModelServerProcess;
let sidecar: Awaited<ReturnType<typeof startSidecar>>;
let exporter: RunningExporter;
let prometheus: ServiceHandle;
let alertmanager: ServiceHandle;
let pager: WebhookServer;
let dir: string;
let esUrl: string;
let stopTraffic: (() => Promise<void>) | undefined;

/** Client traffic at RATE_PER_SECOND: one request per tick, one V2 input per feature, `names` read at each send. */
function startTraffic(names: () => readonly string[]): { sent: () => number; stop: () => Promise<void> } {
  let i = 0;
  const inFlight = new Set<Promise<void>>();
  const tick = setInterval(() => {
    const row = train[i++ % train.length];
    const inputs = names().map((name, j) => ({ name, shape: [1], datatype: 'FP32', data: [row[j]] }));
    const p = request(`${sidecar.url}/v2/models/iris/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': `${RUN}-${i}` },
      body: JSON.stringify({ inputs }),
    })
      .then((res) => res.body.dump())
      .catch(() => undefined);
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }, 1000 / RATE_PER_SECOND);
  return {
    sent: () => i,
    stop: async () => {
      clearInterval(tick);
      await Promise.all(inFlight);
    },
  };
}

beforeAll(async () => {
  const [es, { brokers }] = await Promise.all([sharedElasticsearch(), sharedKafka()]);
  esUrl = es.url;
  dir = mkdtempSync(path.join(tmpdir(), 'e2e-rename-'));
  // The topics exist before the exporter subscribes (the sidecar's sink would create them on its first write).
  const admin = new Kafka({ clientId: RUN, brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [TOPICS.inference, TOPICS.feedback].map((topic) => ({ topic, numPartitions: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
  model = await serveModel();
  sidecar = await startSidecar(
    parseSidecarConfig({
      upstream: model.url,
      host: '127.0.0.1',
      port: 0,
      adminPort: 0,
      model: 'iris',
      protocol: 'v2',
      logLevel: 'warn',
      // No feature names configured: the features are named after the client's inputs, so a rename shows.
      models: { iris: { classes: IRIS.classes, task: 'classification' } },
      sinks: {
        elasticsearch: { url: es.url, inferenceIndex: INDEX },
        kafka: { brokers, inferenceTopic: TOPICS.inference, feedbackTopic: TOPICS.feedback },
        spoolDir: path.join(dir, 'spool'),
        flushIntervalMs: 200,
      },
    }),
  );

  const columns = Object.fromEntries(IRIS.features.map((f, j) => [f, train.map((r) => r[j])]));
  await createFileBaselineStore(path.join(dir, 'baselines')).put({
    model: 'iris',
    version: '1',
    source: 'train.csv',
    profile: buildReferenceProfile(columns),
  });
  exporter = await startExporter(
    parseExporterConfig({
      // Every version: the requests the model server refuses carry none (it is read from its answers).
      models: [{ name: 'iris' }],
      source: {
        kind: 'kafka',
        brokers,
        inferenceTopic: TOPICS.inference,
        feedbackTopic: TOPICS.feedback,
        groupId: `exporter-${RUN}`,
        clientId: `exporter-${RUN}`,
      },
      baselineStore: { kind: 'file', dir: path.join(dir, 'baselines') },
      window: {
        kind: 'sliding',
        sizeSeconds: WINDOW_SECONDS,
        stepSeconds: 1,
        bucketSeconds: 1,
        graceSeconds: 1,
        minimumSamples: 50,
      },
      schedule: { intervalSeconds: 1 },
      host: '127.0.0.1',
      port: 0,
      logLevel: 'warn',
    }),
  );

  // The pager: PagerDuty's Events API (and Slack's webhooks) played by a local server.
  pager = await startWebhookServer();
  pager.respondWith(202);
  const secrets = path.join(dir, 'secrets');
  const secretFile = (name: string, text: string): string => {
    const file = path.join(secrets, name);
    writeFileSync(file, `${text}\n`, { mode: 0o600 });
    return file;
  };
  mkdirSync(secrets);
  secretFile('iris-team-pagerduty-key', 'iris-team-routing-key');
  secretFile('ml-platform-pagerduty-key', 'ml-platform-routing-key');
  secretFile('iris-team-slack-url', `${pager.url}/slack/iris`);
  secretFile('ml-platform-slack-url', `${pager.url}/slack/ml-platform`);
  secretFile('plumbline_api_token', 'no-bridge-in-this-test');
  const shipped = readFileSync(path.join(repoRoot(), 'alerting', 'alertmanager', 'alertmanager.yml'), 'utf8');
  alertmanager = await startAlertmanager({
    config: shipped
      .replace('global:\n', `global:\n  pagerduty_url: ${pager.url}/pagerduty/v2/enqueue\n`)
      .replaceAll('/etc/alertmanager/secrets/', `${secrets}/`)
      .replaceAll('/run/secrets/plumbline_api_token', path.join(secrets, 'plumbline_api_token'))
      .replace(/group_wait: \d+s/g, 'group_wait: 1s'),
  });
  prometheus = await startRulesPrometheus({
    sidecars: [sidecar.adminUrl],
    exporter: exporter.url,
    alertmanager: alertmanager.url,
    shortFor: true,
  });
}, 300_000);

afterAll(async () => {
  await stopTraffic?.();
  await alertmanager?.stop();
  await prometheus?.stop();
  await pager?.close();
  await exporter?.stop();
  await sidecar?.stop();
  await model?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface PagerDutyEvent {
  routing_key: string;
  event_action: string;
  payload: { summary: string; severity: string; custom_details?: Record<string, unknown> };
}

/** What each stage holds, for a failure message. */
async function diagnose(): Promise<string> {
  const show = async (expr: string): Promise<string> =>
    `${expr}:\n${(await promQuery(prometheus.url, expr)).map((r) => `  ${JSON.stringify(r.metric)} ${r.value[1]}`).join('\n')}`;
  await request(`${esUrl}/${INDEX}/_refresh`, { method: 'POST' }).then((r) => r.body.dump());
  const count = await (await request(`${esUrl}/${INDEX}/_count`)).body.text();
  const api = await (await request(`${exporter.url}/api/models/iris/drift?limit=1`)).body.text();
  return [
    await show('plumbline_data_quality_failed{model="iris"} == 1'),
    await show('ALERTS{model="iris"}'),
    await show('plumbline_exporter_window_samples{model="iris"}'),
    await show('sum by (status) (plumbline_sidecar_requests_total)'),
    `Elasticsearch ${INDEX}: ${count}`,
    `exporter /api: ${api.slice(0, 1500)}`,
    `pager calls: ${pager.calls.map((c) => `${c.path} ${c.body.slice(0, 300)}`).join('\n')}`,
  ].join('\n');
}

const pages = (): PagerDutyEvent[] =>
  pager.calls
    .filter((c) => c.path.startsWith('/pagerduty/'))
    .map((c) => JSON.parse(c.body) as PagerDutyEvent);

test('a renamed feature pages the iris team through Alertmanager within two windows', async () => {
  let names: readonly string[] = IRIS.features;
  const traffic = startTraffic(() => names);
  stopTraffic = traffic.stop;

  // Clean traffic first: a full window of it with no check failing and nobody paged.
  await until(
    'a clean window evaluated',
    async () => {
      const samples = await promQuery(
        prometheus.url,
        'plumbline_exporter_window_samples{model="iris"} >= 50',
      );
      const r = await promQuery(prometheus.url, 'plumbline_data_quality_failed_checks{model="iris"}');
      return samples.length > 0 && r.length > 0 && r.every((s) => s.value[1] === '0') ? true : undefined;
    },
    120_000,
  ).catch(async (err: Error) => {
    throw new Error(`${err.message}\n${await diagnose()}`);
  });
  await new Promise((r) => setTimeout(r, WINDOW_SECONDS * 1000));
  expect(await promQuery(prometheus.url, 'sum(plumbline_data_quality_failed_checks{model="iris"})')).toEqual([
    expect.objectContaining({ value: [expect.any(Number), '0'] }),
  ]);
  expect(pages()).toEqual([]);

  // The upstream pipeline renames the column.
  names = IRIS.features.map((f) => (f === RENAMED.from ? RENAMED.to : f));
  const renamedAt = Date.now();
  const page = await until(
    'the data-quality page',
    async () =>
      pages().find(
        (p) =>
          p.event_action === 'trigger' &&
          String(p.payload.custom_details?.firing).includes('alertname = PlumblineDataQualityCheckFailed'),
      ),
    4 * WINDOW_SECONDS * 1000,
  ).catch(async (err: Error) => {
    throw new Error(`${err.message}\n${await diagnose()}`);
  });
  const pagedAfterMs = Date.now() - renamedAt;
  expect(pagedAfterMs).toBeLessThanOrEqual(2 * WINDOW_SECONDS * 1000);
  expect(page.routing_key).toBe('iris-team-routing-key');
  expect(page.payload.severity).toBe('critical');
  // One alert per check: the summary is its own, or (two checks in one group) the first one's and the count.
  expect(page.payload.summary).toMatch(
    /^Check \S+ fails for petal_width(_cm)? of iris( \(\d alerts of PlumblineDataQualityCheckFailed\))?$/,
  );

  // What fires: the renamed column is new, the old one goes missing (alert labels = the exporter's series).
  const failing = await until('both columns failing', async () => {
    const r = await promQuery(
      prometheus.url,
      'ALERTS{alertname="PlumblineDataQualityCheckFailed", alertstate="firing", model="iris"}',
    );
    const found = r.map((s) => `${s.metric.feature} ${s.metric.check}`);
    return found.includes(`${RENAMED.to} new_column`) &&
      found.some((f) => f.startsWith(`${RENAMED.from} missing_`))
      ? found
      : undefined;
  });
  expect(failing).not.toContain('sepal_length_cm missing_share');

  // The renamed traffic reached Elasticsearch as well, under the new name, with the model server's refusal.
  await traffic.stop();
  stopTraffic = undefined;
  await request(`${esUrl}/${INDEX}/_refresh`, { method: 'POST' }).then((r) => r.body.dump());
  const res = await request(`${esUrl}/${INDEX}/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 1, query: { exists: { field: `features.${RENAMED.to}` } } }),
  });
  const hits = ((await res.body.json()) as { hits: { hits: { _source: { http_status: number } }[] } }).hits
    .hits;
  expect(hits).toHaveLength(1);
  expect(hits[0]._source.http_status).toBe(400);
  expect(traffic.sent()).toBeGreaterThan(0);
}, 300_000);
