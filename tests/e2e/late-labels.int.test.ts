/**
 * Issue #11, item 1: labels arriving two and ten windows after their predictions change the reported accuracy and
 * coverage of the predictions' prediction-time range — end to end through the real sidecar into Elasticsearch,
 * Kafka and the embedded spool store (the harness' real services), with an exporter per store.
 *
 * Windows are 4 s (tumbling), so the window store keeps a prediction about ten seconds: the labels ten windows
 * late (40 s) reach predictions only the label horizon store still holds. 200 rows are predicted at once; 50 labels
 * (all right) are posted to the sidecar's /feedback two windows later, 50 more (all wrong) ten windows later. Each
 * exporter's `GET /api/models/:model/drift` must report, for the 1h range, 50 labelled rows of 200 (coverage 0.25,
 * accuracy 1), then 100 (coverage 0.5, accuracy 0.5).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { request } from 'undici';
import { createPipeline, parseConfig as parseSidecarConfig, startSidecar } from '@plumbline/sidecar';
import { parseConfig as parseExporterConfig, startExporter, type RunningExporter } from '@plumbline/exporter';
import { sharedElasticsearch, sharedKafka } from '@plumbline/harness';
import { until } from './helpers';

// A bounded deadline against hangs on a shared 2-core machine, not a timing assertion.
jest.setTimeout(600_000);

const RUN = `late${process.pid}${Date.now().toString(36)}`;
const MODEL = 'churn';
const INDICES = { inference: `plumbline-inference-${RUN}`, feedback: `plumbline-feedback-${RUN}` };
const TOPICS = { inference: `plumbline.inference.${RUN}`, feedback: `plumbline.feedback.${RUN}` };
const WINDOW_SECONDS = 4;
const REQUESTS = 40;
const ROWS_PER_REQUEST = 5;
const ROWS = REQUESTS * ROWS_PER_REQUEST;

/** Feature `a` of row `row` of request `i`; the model answers `yes` when a > 0.3. */
const aOf = (i: number, row: number): number => ((i * ROWS_PER_REQUEST + row) % 10) / 10;
const predictedOf = (i: number, row: number): 'yes' | 'no' => (aOf(i, row) > 0.3 ? 'yes' : 'no');

/** A V2 model server: label `yes` when input `a` > 0.3, else `no`. */
async function startV2Upstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        inputs: { name: string; data: number[] }[];
      };
      const a = body.inputs.find((t) => t.name === 'a')!.data;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          model_name: MODEL,
          model_version: '1',
          outputs: [
            {
              name: 'label',
              shape: [a.length],
              datatype: 'BYTES',
              data: a.map((x) => (x > 0.3 ? 'yes' : 'no')),
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'plumbline-late-labels-'));
const spoolDir = path.join(dir, 'spool');
let esUrl: string;
let brokers: string[];
let upstream: Awaited<ReturnType<typeof startV2Upstream>>;
let pipeline: ReturnType<typeof createPipeline>;
let sidecar: Awaited<ReturnType<typeof startSidecar>>;
const exporters: Partial<Record<'spool' | 'kafka' | 'elasticsearch', RunningExporter>> = {};

async function kafkaAdmin<T>(use: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const admin = new Kafka({ clientId: RUN, brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

interface RangeBody {
  range: string;
  predictions: number;
  labelled: number;
  coverage: number | null;
  accuracy: number | null;
}

/** The exporter's latest realized quality of the 1h range, or undefined before its first evaluation. */
async function hourRange(url: string): Promise<RangeBody | undefined> {
  const res = await request(`${url}/api/models/${MODEL}/drift?limit=1`);
  if (res.statusCode !== 200) {
    await res.body.dump();
    return undefined;
  }
  const body = (await res.body.json()) as {
    latest: { qualityByPredictionTime: { ranges: RangeBody[] } | null };
  };
  return body.latest.qualityByPredictionTime?.ranges.find((r) => r.range === '1h');
}

/** Waits until every exporter reports `want` for the 1h range. */
async function expectEveryExporter(want: Omit<RangeBody, 'range'>): Promise<void> {
  for (const [source, running] of Object.entries(exporters)) {
    let last: RangeBody | undefined;
    await until(
      `the ${source} exporter to report ${JSON.stringify(want)}`,
      async () => {
        last = await hourRange(running.url);
        return last?.labelled === want.labelled && last.predictions === want.predictions ? last : undefined;
      },
      120_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message} (last: ${JSON.stringify(last)})`);
    });
    expect([source, last]).toMatchObject([source, { range: '1h', ...want }]);
  }
}

async function postFeedback(requests: number[], truth: (i: number, row: number) => string): Promise<void> {
  const items = requests.flatMap((i) =>
    Array.from({ length: ROWS_PER_REQUEST }, (_, row) => ({
      request_id: `${RUN}-${i}`,
      row,
      ground_truth: truth(i, row),
      model: MODEL,
    })),
  );
  const res = await request(`${sidecar.adminUrl}/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(items),
  });
  expect([res.statusCode, res.statusCode < 300 ? '' : await res.body.text()]).toEqual([202, '']);
  if (res.statusCode < 300) await res.body.dump();
}

beforeAll(async () => {
  [{ url: esUrl }, { brokers }] = await Promise.all([sharedElasticsearch(), sharedKafka()]);
  await kafkaAdmin((admin) =>
    admin.createTopics({
      waitForLeaders: true,
      topics: [TOPICS.inference, TOPICS.feedback].map((topic) => ({ topic, numPartitions: 1 })),
    }),
  );
  upstream = await startV2Upstream();
  const config = parseSidecarConfig({
    upstream: upstream.url,
    host: '127.0.0.1',
    port: 0,
    adminPort: 0,
    protocol: 'v2',
    logLevel: 'warn',
    models: { [MODEL]: { task: 'classification', classes: ['no', 'yes'] } },
    sinks: {
      elasticsearch: { url: esUrl, inferenceIndex: INDICES.inference, feedbackIndex: INDICES.feedback },
      kafka: { brokers, inferenceTopic: TOPICS.inference, feedbackTopic: TOPICS.feedback },
      spoolDir,
      spoolFsync: 'never',
      flushIntervalMs: 200,
    },
  });
  // What the sidecar builds from `config.sinks`, plus the embedded store (its config turns the store off when
  // Elasticsearch or Kafka is set; here all three are on, as in window-300k).
  pipeline = createPipeline({
    elasticsearch: config.sinks.elasticsearch,
    kafka: config.sinks.kafka,
    spool: { dir: spoolDir, maxBytes: config.sinks.spoolMaxBytes, fsync: config.sinks.spoolFsync },
    store: true,
    queue: {
      batchSize: config.sinks.batchSize,
      flushIntervalMs: config.sinks.flushIntervalMs,
      maxEvents: config.sinks.maxQueueEvents,
    },
  });
  sidecar = await startSidecar(config, { captureMode: 'inline', pipeline });

  const exporterConfig = (name: string, source: Record<string, unknown>) =>
    parseExporterConfig({
      models: [{ name: MODEL }],
      source,
      baselineStore: { kind: 'file', dir: path.join(dir, 'baselines') },
      window: {
        kind: 'tumbling',
        sizeSeconds: WINDOW_SECONDS,
        graceSeconds: 1,
        bucketSeconds: 1,
        minimumSamples: 1,
      },
      schedule: { intervalSeconds: 0.5 },
      quality: { dir: path.join(dir, `horizon-${name}`) },
      host: '127.0.0.1',
      port: 0,
      logLevel: 'warn',
    });
  exporters.spool = await startExporter(exporterConfig('spool', { kind: 'spool', dir: spoolDir }));
  exporters.kafka = await startExporter(
    exporterConfig('kafka', {
      kind: 'kafka',
      brokers,
      inferenceTopic: TOPICS.inference,
      feedbackTopic: TOPICS.feedback,
      groupId: `exporter-${RUN}`,
      clientId: `exporter-${RUN}`,
    }),
  );
  exporters.elasticsearch = await startExporter(
    exporterConfig('elasticsearch', {
      kind: 'elasticsearch',
      url: esUrl,
      inferenceIndex: INDICES.inference,
      feedbackIndex: INDICES.feedback,
    }),
  );
}, 300_000);

afterAll(async () => {
  for (const e of Object.values(exporters)) await e?.stop();
  await sidecar?.stop();
  await pipeline?.close();
  await upstream?.close();
  if (brokers)
    await kafkaAdmin((admin) => admin.deleteTopics({ topics: [TOPICS.inference, TOPICS.feedback] })).catch(
      () => undefined,
    );
  if (esUrl)
    for (const index of Object.values(INDICES)) {
      await request(`${esUrl}/${index}`, { method: 'DELETE' }).then((r) => r.body.dump());
      await request(`${esUrl}/_index_template/${index}-template`, { method: 'DELETE' }).then((r) =>
        r.body.dump(),
      );
    }
  rmSync(dir, { recursive: true, force: true });
});

test('labels two and ten windows after their predictions change the 1h range’s accuracy and coverage', async () => {
  const predictedAt = Date.now();
  for (let i = 0; i < REQUESTS; i++) {
    const res = await request(`${sidecar.url}/v2/models/${MODEL}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': `${RUN}-${i}` },
      body: JSON.stringify({
        inputs: [
          {
            name: 'a',
            shape: [ROWS_PER_REQUEST],
            datatype: 'FP64',
            data: Array.from({ length: ROWS_PER_REQUEST }, (_, row) => aOf(i, row)),
          },
        ],
      }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  }
  await expectEveryExporter({ predictions: ROWS, labelled: 0, coverage: 0, accuracy: null });

  // Two windows after the predictions: the first 10 requests' rows, every label right.
  const sleepUntil = async (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
  await sleepUntil(predictedAt + 2 * WINDOW_SECONDS * 1000);
  await postFeedback([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], predictedOf);
  await expectEveryExporter({ predictions: ROWS, labelled: 50, coverage: 0.25, accuracy: 1 });

  // Ten windows after: the window store has let these predictions go; the next 10 requests' rows, every label wrong.
  await sleepUntil(predictedAt + 10 * WINDOW_SECONDS * 1000);
  await postFeedback([10, 11, 12, 13, 14, 15, 16, 17, 18, 19], (i, row) =>
    predictedOf(i, row) === 'yes' ? 'no' : 'yes',
  );
  await expectEveryExporter({ predictions: ROWS, labelled: 100, coverage: 0.5, accuracy: 0.5 });
});
