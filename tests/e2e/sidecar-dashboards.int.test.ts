/**
 * End to end on real components, sidecar half: the shipped ONNX model server → the sidecar (Elasticsearch and Kafka
 * sinks) → Prometheus scraping it with the real rule file. Proves that every event reaches Elasticsearch and Kafka,
 * that Prometheus evaluates every Plumbline rule without error, and that every dashboard query built only on what
 * the sidecar emits returns data from that Prometheus. A second sidecar, spool only, copies its few requests to a
 * shadow (the same model server) so that the shadow's queries have data too.
 *
 * The exporter half (drift and quality, the drift alert through Alertmanager to the retrain webhook) is in
 * drift-alert-loop.int.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { request } from 'undici';
import { SIDECAR_METRICS } from '@plumbline/schema';
import { sharedElasticsearch, sharedKafka, type ServiceHandle } from '@plumbline/harness';
import { parsePromQL } from '../contract/promql';
import { dashboardQueries, recordedNames } from '../contract/sources';
import {
  concrete,
  postIrisFeedback,
  promQuery as promQueryAt,
  sendIrisRequests,
  serveModel,
  startIrisSidecar,
  startRulesPrometheus,
  until,
  type ModelServerProcess,
} from './helpers';

const RUN = `e2e${process.pid}${Date.now().toString(36)}`;
const INDEX = `plumbline-inference-${RUN}`;
const TOPIC = `plumbline.inference.${RUN}`;
const REQUESTS = 40;
const ROWS_PER_REQUEST = 3;

let model: ModelServerProcess;
let sidecar: Awaited<ReturnType<typeof startIrisSidecar>>;
let shadowing: Awaited<ReturnType<typeof startIrisSidecar>>;
let shadowSpoolDir: string;
const SHADOWED_REQUESTS = 5;
let prometheus: ServiceHandle;
let spoolDir: string;
let es: { url: string };
let brokers: string[];

const promQuery = (expr: string) => promQueryAt(prometheus.url, expr);

beforeAll(async () => {
  [es, { brokers }] = await Promise.all([sharedElasticsearch(), sharedKafka()]);
  model = await serveModel();
  spoolDir = mkdtempSync(path.join(tmpdir(), 'e2e-spool-'));
  sidecar = await startIrisSidecar(model.url, {
    elasticsearch: { url: es.url, inferenceIndex: INDEX },
    kafka: { brokers, inferenceTopic: TOPIC },
    spoolDir,
  });
  shadowSpoolDir = mkdtempSync(path.join(tmpdir(), 'e2e-shadow-spool-'));
  shadowing = await startIrisSidecar(model.url, { spoolDir: shadowSpoolDir }, { shadow: { url: model.url } });
  // The real rules; only their evaluation interval (1m in production) shortened so the test waits seconds.
  prometheus = await startRulesPrometheus({
    sidecars: [sidecar.adminUrl, shadowing.adminUrl],
    shortFor: false,
  });

  // Bounded traffic: REQUESTS sequential V2 calls of ROWS_PER_REQUEST rows through the sidecar.
  await sendIrisRequests(sidecar.url, RUN, REQUESTS, (i) =>
    Array.from({ length: ROWS_PER_REQUEST }, (_, r) => [5 + ((i + r) % 3), 3, 1 + ((i * r) % 5), 0.2 + r]),
  );
  // Ground truth for the first row of every request.
  await postIrisFeedback(sidecar.adminUrl, RUN, REQUESTS);
  await sendIrisRequests(shadowing.url, `${RUN}-shadowed`, SHADOWED_REQUESTS, () => [[5, 3, 1, 0.2]]);
});

afterAll(async () => {
  await prometheus?.stop();
  await sidecar?.stop();
  await shadowing?.stop();
  await model?.stop();
  if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  if (shadowSpoolDir) rmSync(shadowSpoolDir, { recursive: true, force: true });
});

test('every captured row reaches Elasticsearch and Kafka', async () => {
  const rows = REQUESTS * ROWS_PER_REQUEST;
  await until('rows in Elasticsearch', async () => {
    await request(`${es.url}/${INDEX}/_refresh`, { method: 'POST' }).then((r) => r.body.dump());
    const res = await request(`${es.url}/${INDEX}/_count`);
    const { count } = (await res.body.json()) as { count?: number };
    return count === rows ? count : undefined;
  });
  const admin = new Kafka({ clientId: `e2e-${RUN}`, brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const total = await until('rows in Kafka', async () => {
      const offsets = await admin.fetchTopicOffsets(TOPIC);
      const n = offsets.reduce((s, o) => s + Number(o.high) - Number(o.low), 0);
      return n >= rows ? n : undefined;
    });
    expect(total).toBe(rows);
  } finally {
    await admin.disconnect();
  }
});

test('Prometheus loads every Plumbline rule and evaluates it without error', async () => {
  const rules = await until('rules evaluated', async () => {
    const res = await request(`${prometheus.url}/api/v1/rules`);
    const body = (await res.body.json()) as {
      data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const all = body.data.groups.flatMap((g) => g.rules);
    return all.length > 0 && all.every((r) => r.health !== 'unknown') ? all : undefined;
  });
  expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
  expect(rules.map((r) => r.name)).toEqual(
    expect.arrayContaining([...recordedNames(), 'PlumblineLatencySloFastBurn']),
  );
});

test('every dashboard query built on sidecar metrics returns data from that Prometheus', async () => {
  const sidecarSeries = new Set(
    Object.values(SIDECAR_METRICS).flatMap((d) =>
      d.type === 'histogram' ? [`${d.name}_bucket`, `${d.name}_sum`, `${d.name}_count`] : [d.name],
    ),
  );
  const recorded = recordedNames();
  const queries = dashboardQueries().filter((q) => {
    const parsed = parsePromQL(q.expr);
    return parsed.ok && parsed.selectors.every((s) => sidecarSeries.has(s.metric) || recorded.has(s.metric));
  });
  expect(queries.length).toBeGreaterThan(15);
  await until('the requests in Prometheus', async () => {
    const r = (await promQuery(`sum(${SIDECAR_METRICS.requests.name})`)) as { value: [number, string] }[];
    return r.length && Number(r[0].value[1]) === REQUESTS + SHADOWED_REQUESTS ? true : undefined;
  });
  // Rates need two scrapes inside their window and the recording rules a few evaluations: poll until all answer.
  let empty: string[] = [];
  await until(
    'every sidecar query to return data',
    async () => {
      empty = [];
      for (const q of queries) {
        // Legitimately empty in a healthy run of a classifier (no failures, nothing spooled, replayed or dropped,
        // no regression output): those must still evaluate without error.
        const result = await promQuery(concrete(q.expr, 'iris'));
        if (
          result.length === 0 &&
          !/status=~"5\.\."|invalid_outputs|upstream_errors|unparsed|regression_output|spooled|replayed|dropped/.test(
            q.expr,
          )
        ) {
          empty.push(`${q.where}: ${q.expr}`);
        }
      }
      return empty.length === 0 ? true : undefined;
    },
    60_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\nstill empty:\n${empty.join('\n')}`);
  });
});
