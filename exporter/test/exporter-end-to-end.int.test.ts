// The whole exporter against real services (harness): events seeded in Elasticsearch, a baseline in the file
// store built with STATS' profile builder, STATS' detector, Prometheus scraping /metrics (PromQL returns the drift
// series), the drift notification reaching a real Alertmanager and a Slack-compatible webhook.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import {
  sharedElasticsearch,
  startAlertmanager,
  startPrometheus,
  type ServiceHandle,
} from '@plumbline/harness';
import { request } from 'undici';
import { createFileBaselineStore } from '../src/baseline/file-store';
import { buildReferenceProfile } from '../src/drift/in-memory-profile-builder';
import { parseConfig } from '../src/config';
import { startExporter, type RunningExporter } from '../src/main';
import { eventually } from './helpers/counters';
import { createEventIndices } from './helpers/elasticsearch';
import { feedbackEvent, inferenceEvent } from './helpers/events';

jest.setTimeout(240_000);

const id = randomUUID().slice(0, 8);
const indices = { inference: `plumbline-inference-e2e-${id}`, feedback: `plumbline-feedback-e2e-${id}` };
let es: Client;
let prometheus: ServiceHandle;
let alertmanager: ServiceHandle;
let exporter: RunningExporter;
let webhook: Server;
const webhookBodies: { text: string; plumbline: { model: string; drift: boolean } }[] = [];

/** A deterministic, roughly uniform sequence in [0, 1). */
const u = (i: number) => (i * 0.6180339887498949) % 1;

beforeAll(async () => {
  const { url } = await sharedElasticsearch();
  es = new Client({ node: url });
  await createEventIndices(es, indices);
  const now = Date.now();
  const ops: unknown[] = [];
  for (let i = 0; i < 300; i += 1) {
    // x moves by +3 (drift); y keeps its training distribution.
    const e = inferenceEvent({
      requestId: `e2e-${i}`,
      at: now - 120_000 + i * 200,
      features: { x: 3 + 4 * u(i), y: 10 * u(i + 7) },
      label: i % 3 === 0 ? 'setosa' : 'versicolor',
      confidence: 0.5 + 0.5 * u(i + 3),
    });
    ops.push({ index: { _index: indices.inference, _id: e.event_id } }, e);
    if (i < 100) {
      const f = feedbackEvent({ requestId: `e2e-${i}`, at: now - 30_000, truth: 'setosa' });
      ops.push({ index: { _index: indices.feedback, _id: f.event_id } }, f);
    }
  }
  await es.bulk({ refresh: 'wait_for', operations: ops });

  const baselineDir = mkdtempSync(join(tmpdir(), 'plumbline-e2e-baselines-'));
  const train = Array.from({ length: 500 }, (_, i) => i);
  await createFileBaselineStore(baselineDir).put({
    model: 'iris',
    version: '1',
    source: 'test',
    profile: buildReferenceProfile({
      x: train.map((i) => 4 * u(i + 11)),
      y: train.map((i) => 10 * u(i + 5)),
    }),
  });

  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      webhookBodies.push(JSON.parse(body) as (typeof webhookBodies)[number]);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));

  alertmanager = await startAlertmanager({
    config: 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n',
  });
  const config = parseConfig({
    models: [{ name: 'iris', version: '1' }],
    source: {
      kind: 'elasticsearch',
      url,
      inferenceIndex: indices.inference,
      feedbackIndex: indices.feedback,
    },
    baselineStore: { kind: 'file', dir: baselineDir },
    window: { kind: 'sliding', sizeSeconds: 600, stepSeconds: 1, minimumSamples: 100, graceSeconds: 0 },
    schedule: { intervalSeconds: 1 },
    notify: {
      webhookUrl: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`,
      alertmanagerUrl: alertmanager.url,
    },
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
  });
  exporter = await startExporter(config);
  prometheus = await startPrometheus({
    config: [
      'global:',
      '  scrape_interval: 1s',
      'scrape_configs:',
      '  - job_name: plumbline-exporter',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${exporter.port}']`,
    ].join('\n'),
  });
});

afterAll(async () => {
  await exporter?.stop();
  await prometheus?.stop();
  await alertmanager?.stop();
  webhook?.close();
  await es?.indices.delete({ index: [indices.inference, indices.feedback], ignore_unavailable: true });
  await es?.close();
});

async function promql(query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await request(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.body.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return body.data.result;
}

describe('exporter end to end', () => {
  it('Prometheus scrapes the drift series and a PromQL query returns them', async () => {
    const drifted = await eventually(
      async () => {
        const r = await promql('plumbline_drift_detected{model="iris",feature="x"} == 1');
        return r.length > 0 ? r : undefined;
      },
      90_000,
      'the drift series in Prometheus',
    );
    expect(drifted[0].metric).toMatchObject({
      model: 'iris',
      model_version: '1',
      feature: 'x',
      job: 'plumbline-exporter',
    });
    const stable = await promql('max by (feature) (plumbline_drift_detected{model="iris",feature="y"})');
    expect(stable[0].value[1]).toBe('0');
    const share = await promql('plumbline_dataset_drift_share{model="iris"}');
    expect(Number(share[0].value[1])).toBe(0.5);
    const acc = await promql('plumbline_model_accuracy{model="iris"}');
    expect(Number(acc[0].value[1])).toBeCloseTo(34 / 100, 12); // rows 0..99 with truth setosa; predicted setosa when i % 3 == 0
  });

  it('a drift state change reaches Alertmanager and the webhook once', async () => {
    const alerts = await eventually(
      async () => {
        const res = await request(
          `${alertmanager.url}/api/v2/alerts?filter=alertname%3D%22PlumblineDatasetDrift%22`,
        );
        const body = (await res.body.json()) as {
          labels: Record<string, string>;
          status: { state: string };
        }[];
        return body.length > 0 ? body : undefined;
      },
      60_000,
      'the alert in Alertmanager',
    );
    expect(alerts[0].labels).toMatchObject({
      alertname: 'PlumblineDatasetDrift',
      model: 'iris',
      model_version: '1',
    });
    expect(alerts[0].status.state).toBe('active');
    await eventually(() => webhookBodies.length > 0, 30_000, 'the webhook');
    expect(webhookBodies[0].text).toMatch(/Data drift detected for model iris v1/);
    expect(webhookBodies[0].plumbline).toMatchObject({ model: 'iris', drift: true });
    // Several evaluations later there is still one message: the state did not change.
    const evaluations = exporter.exporter.history('iris').length;
    await eventually(
      () => exporter.exporter.history('iris').length >= evaluations + 2,
      30_000,
      'more evaluations',
    );
    expect(webhookBodies).toHaveLength(1);
  });

  it('serves the drift report, confusion matrix and histograms on /api', async () => {
    const drift = (await (await request(`${exporter.url}/api/models/iris/drift`)).body.json()) as {
      latest: { status: string; features: { name: string; drift: boolean; tests: { name: string }[] }[] };
    };
    expect(drift.latest.status).toBe('ok');
    expect(drift.latest.features.find((f) => f.name === 'x')!.drift).toBe(true);
    expect(drift.latest.features.find((f) => f.name === 'x')!.tests.map((t) => t.name)).toContain('ks');
    const hist = (await (
      await request(`${exporter.url}/api/models/iris/histograms?feature=x`)
    ).body.json()) as {
      features: { histogram: { edges: number[]; reference: number[]; current: number[] } }[];
    };
    const h = hist.features[0].histogram;
    expect(h.edges.length).toBe(h.reference.length + 1);
    expect(h.reference.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    const health = await request(`${exporter.url}/api/health`);
    expect(health.statusCode).toBe(200);
    expect(await health.body.json()).toMatchObject({ status: 'ok', source: 'elasticsearch' });
  });
});
