/**
 * The rig of the suites that check one answer from every store the exporter reads (late labels, the 300,000-event
 * window): a small V2 model server, the sidecar in this process in front of it writing to Elasticsearch, Kafka and
 * the spool store (the harness's shared services) through its real pipeline, and one exporter per store.
 *
 * The pipeline is injected only because the sidecar's config turns the embedded store off when Elasticsearch or
 * Kafka is set, and here all three are on; it is the one `createPipeline` builds in production (sinks, queues, retry
 * and spool lanes). Topics and indices are named after the run and removed by `stop()`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { request } from 'undici';
import { createPipeline, parseConfig as parseSidecarConfig, startSidecar } from '@plumbline/sidecar';
import { parseConfig as parseExporterConfig, startExporter, type RunningExporter } from '@plumbline/exporter';
import { sharedElasticsearch, sharedKafka } from '@plumbline/harness';

export type Store = 'spool' | 'kafka' | 'elasticsearch';
export const STORES: readonly Store[] = ['spool', 'kafka', 'elasticsearch'];

export interface ThreeStores {
  sidecar: Awaited<ReturnType<typeof startSidecar>>;
  pipeline: ReturnType<typeof createPipeline>;
  /** One exporter per store, in STORES order. */
  exporters: Record<Store, RunningExporter>;
  /** Stops everything that started and removes the run's topics, indices and index templates. */
  stop(): Promise<void>;
}

export interface ThreeStoresOptions {
  /** Names the topics and indices; unique per run. */
  run: string;
  /** The one model, a classifier of `no` / `yes`. */
  model: string;
  /** Holds the spool store (`spool/`); the caller's to remove. */
  dir: string;
  /** More of the sidecar's `sinks` keys (batch size, queue bound); the sinks themselves are set here. */
  sinks?: Record<string, unknown>;
  /**
   * The exporter's config for a store, without `models` and `source` (window, baseline store, schedule...); it
   * listens on 127.0.0.1, a free port, logging warnings, unless this says otherwise.
   */
  exporter: (store: Store) => Record<string, unknown>;
}

/** A V2 model server for `model`: label `yes` when input `a` > 0.3, else `no` (a missing value is `no`). */
async function startV2Labeller(model: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        inputs: { name: string; data: (number | null)[] }[];
      };
      const a = body.inputs.find((t) => t.name === 'a')!.data;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          model_name: model,
          model_version: '1',
          outputs: [
            {
              name: 'label',
              shape: [a.length],
              datatype: 'BYTES',
              data: a.map((x) => (x !== null && x > 0.3 ? 'yes' : 'no')),
            },
          ],
        }),
      );
    });
  });
  // This server shares its event loop with the sidecar and three exporters, whose window evaluations can hold the
  // loop for seconds: a request the sidecar wrote just before such a stall would meet Node's 5 s keep-alive timer,
  // due during it, when the loop comes back (timers run before reads), and be reset — a 502 no margin on the
  // sidecar's side can rule out (it keeps connections 2 s less than announced). A model server in its own process,
  // as in production, has no such stall from its neighbours.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function startThreeStores(options: ThreeStoresOptions): Promise<ThreeStores> {
  const { run, model } = options;
  const indices = { inference: `plumbline-inference-${run}`, feedback: `plumbline-feedback-${run}` };
  const topics = { inference: `plumbline.inference.${run}`, feedback: `plumbline.feedback.${run}` };
  const spoolDir = path.join(options.dir, 'spool');
  const [{ url: esUrl }, { brokers }] = await Promise.all([sharedElasticsearch(), sharedKafka()]);
  const kafkaAdmin = async <T>(use: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> => {
    const admin = new Kafka({ clientId: run, brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect();
    }
  };

  // What has started, stopped in reverse by stop() — also when a later start fails.
  const started: (() => Promise<unknown>)[] = [
    async () => {
      for (const index of Object.values(indices)) {
        await request(`${esUrl}/${index}`, { method: 'DELETE' }).then((r) => r.body.dump());
        await request(`${esUrl}/_index_template/${index}-template`, { method: 'DELETE' }).then((r) =>
          r.body.dump(),
        );
      }
    },
    () => kafkaAdmin((admin) => admin.deleteTopics({ topics: Object.values(topics) })).catch(() => undefined),
  ];
  const stop = async (): Promise<void> => {
    for (const step of started.splice(0).reverse()) await step();
  };

  try {
    // The topics exist before the exporters subscribe (the sidecar's sink would create them on its first write).
    await kafkaAdmin((admin) =>
      admin.createTopics({
        waitForLeaders: true,
        topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })),
      }),
    );
    const upstream = await startV2Labeller(model);
    started.push(() => upstream.close());
    const config = parseSidecarConfig({
      upstream: upstream.url,
      host: '127.0.0.1',
      port: 0,
      adminPort: 0,
      protocol: 'v2',
      logLevel: 'warn',
      models: { [model]: { task: 'classification', classes: ['no', 'yes'] } },
      sinks: {
        elasticsearch: { url: esUrl, inferenceIndex: indices.inference, feedbackIndex: indices.feedback },
        kafka: { brokers, inferenceTopic: topics.inference, feedbackTopic: topics.feedback },
        spoolDir,
        spoolFsync: 'never',
        flushIntervalMs: 200,
        ...options.sinks,
      },
    });
    // What the sidecar builds from `config.sinks` (sidecar-core's pipelineOptions), plus the embedded store.
    const pipeline = createPipeline({
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
    started.push(() => pipeline.close());
    const sidecar = await startSidecar(config, { captureMode: 'inline', pipeline });
    started.push(() => sidecar.stop());

    const sources: Record<Store, Record<string, unknown>> = {
      spool: { kind: 'spool', dir: spoolDir },
      kafka: {
        kind: 'kafka',
        brokers,
        inferenceTopic: topics.inference,
        feedbackTopic: topics.feedback,
        groupId: `exporter-${run}`,
        clientId: `exporter-${run}`,
      },
      elasticsearch: {
        kind: 'elasticsearch',
        url: esUrl,
        inferenceIndex: indices.inference,
        feedbackIndex: indices.feedback,
      },
    };
    const exporters: Partial<Record<Store, RunningExporter>> = {};
    for (const store of STORES) {
      const exporter = await startExporter(
        parseExporterConfig({
          host: '127.0.0.1',
          port: 0,
          logLevel: 'warn',
          ...options.exporter(store),
          models: [{ name: model }],
          source: sources[store],
        }),
      );
      started.push(() => exporter.stop());
      exporters[store] = exporter;
    }
    return { sidecar, pipeline, exporters: exporters as Record<Store, RunningExporter>, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
