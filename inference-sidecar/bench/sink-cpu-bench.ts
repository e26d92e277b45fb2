/**
 * `npm run bench:sinks` — CPU per event of each stage the capture thread runs, against real services.
 *
 *   exchange ─▶ capture (adapters, event objects) ─▶ metrics (prom-client) ─▶ event JSON
 *            ─▶ Kafka sink (kafkajs) / Elasticsearch sink (_bulk) ─▶ whole pipeline (both lanes + spool)
 *
 * The exchange is a real one: the request of bench:sidecar (one KServe V2 iris row) sent once to the embedded
 * ONNX model server, its response kept; each event gets its own request id. Elasticsearch and Kafka are started by
 * the harness (tests/harness) on 127.0.0.1, as for the integration tests and bench:sidecar.
 *
 * Each stage runs ROUNDS rounds of EVENTS events after one warm-up round; the table shows the median over rounds
 * of the process's CPU time (user + system, every thread: GC and libuv included) divided by the events, the
 * system (kernel) share of it, and the wall time. The sink stages get events whose JSON bytes are already built (as
 * in the pipeline, where they are built once for every sink: eventBytes), so their rows are the sink's own cost; the
 * pipeline row includes the JSON. Sinks are written
 * the way the pipeline's queue writes them: one batch of BATCH events at a time.
 *
 * Two rows time kafkajs' own produce-request encoder on the Kafka sink's messages, with and without their headers,
 * no network: the part of the Kafka sink's cost that belongs to the client library.
 *
 * The last stages are the real thing end to end: a capture thread (src/capture-thread/, the worker the sidecar
 * runs) with Elasticsearch, Kafka and the spool configured, fed by record() from this thread as the proxy feeds it,
 * timed until Elasticsearch and Kafka hold every event: once with a round handed over at once (the bridge's
 * largest batches), once paced at BENCH_PACED_RATE exchanges a second (default 2,000; 5 s of them a round), where
 * the bridge posts a few exchanges at a time, as under a proxy's real traffic; and paced once more with Kafka off,
 * which shows what the capture thread costs apart from the Kafka client, and once with the spool's embedded store as
 * the only sink (counted from its segment files, read synchronously on this thread). Each of them runs its own worker. Its CPU is read per thread from /proc (bench/thread-cpu.ts): the
 * threads started with it (the capture thread, libuv's I/O pool if it starts then) in one row, V8's helper threads
 * (GC, compiler; shared with this thread, which only packs and posts the exchanges) in the next.
 *
 * `npm run bench:sinks -- kafka` runs only the stages whose name contains "kafka"; BENCH_CPU_PROFILE_DIR=/tmp/prof
 * also writes one measured round of each stage as a .cpuprofile there (open it in Chrome DevTools).
 * Not a test: it prints a table. Take /tmp/plumbline-bench.lock (flock) around it on shared machines.
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { InferenceEvent } from '@plumbline/schema';
import {
  createElasticsearchSink,
  createKafkaSink,
  createPipeline,
  parseConfig,
  SHIPPED_MODEL,
  startModelServer,
  type Sink,
  type SinkRecord,
} from '@plumbline/sidecar';
// The capture thread's own stages, exported for benchmarks only.
import {
  createCapture,
  createSidecarMetrics,
  startCaptureThread,
  type CaptureThread,
  type Exchange,
  type SidecarMetrics,
} from '@plumbline/sidecar/bench';
import { eventBytes, RECORD_HEADER_BYTES } from '@plumbline/spool';
import { startElasticsearch, startKafka } from '@plumbline/harness';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel } from 'kafkajs';
import { threadCpu, threadIds, type ThreadCpu } from './thread-cpu';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** The pipeline's default sinks.batchSize. */
const BATCH = 500;
const RUN = Date.now();
const BODY = JSON.stringify({
  inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [5.8, 2.7, 5.1, 1.9] }],
});
const CONFIG = parseConfig({
  upstream: 'http://127.0.0.1:1',
  models: {
    iris: {
      features: ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm'],
      classes: ['setosa', 'versicolor', 'virginica'],
    },
  },
});
const CAPTURE = 'capture: adapters + events (no metrics)';
const CAPTURE_METRICS = 'capture + prom-client metrics';
const KAFKAJS_ENCODE = 'kafkajs encoding alone (no network)';
const KAFKAJS_NO_HEADERS = 'kafkajs encoding alone, without headers';
const THREAD = 'capture thread, burst: ES + Kafka + spool (worker + I/O pool)';
/** The paced stage: exchanges handed over at this rate, as a proxy serving that many requests a second would. */
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 2000);
const PACED_EVENTS = Math.min(EVENTS, PACED_RATE * 5);
const PACED = `capture thread, ${PACED_RATE} exchanges/s: ES + Kafka + spool (worker + I/O pool)`;
const PACED_NO_KAFKA = `capture thread, ${PACED_RATE} exchanges/s: ES + spool, no Kafka (worker + I/O pool)`;
const PACED_SPOOL_ONLY = `capture thread, ${PACED_RATE} exchanges/s: spool store only (worker + I/O pool)`;
const THREAD_HELPERS = '→ V8 helper threads (GC; shared with the feeding thread)';
/** How often the capture-thread stage asks Elasticsearch and Kafka whether they hold every event yet. */
const POLL_MS = 50;
const silent = pino({ level: 'silent' });
const KIND_HEADER = Buffer.from('inference');
const SCHEMA_VERSION_HEADER = Buffer.from('1');
setFlagsFromString('--expose-gc');
/** A full collection before each round, so one round's garbage is not collected on the next one's time. */
const gc = runInNewContext('gc') as () => void;

/** The metrics interface doing nothing: capture's own cost without prom-client. */
const NO_METRICS: SidecarMetrics = {
  registry: new Registry(),
  observeRequest: () => undefined,
  upstreamError: () => undefined,
  prediction: () => undefined,
  confidence: () => undefined,
  regressionOutput: () => undefined,
  invalidOutput: () => undefined,
  featureValue: () => undefined,
  events: () => undefined,
  unparsed: () => undefined,
  sampledOut: () => undefined,
  captureLost: () => undefined,
  submitFailed: () => undefined,
  feedback: () => undefined,
  humanLabels: () => undefined,
  shadowRequest: () => undefined,
};

interface Measured {
  cpuUs: number;
  systemUs: number;
  /** Stages measured per thread: V8's helper threads' CPU per event. */
  helpersUs?: number;
  wallMs: number;
}

interface Stage {
  name: string;
  /** Measure the threads started in setup() (from /proc) instead of the whole process. */
  threads?: () => Set<string> | null;
  /** Before the first round, after the last (not measured). */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  /** Events per round. @default EVENTS */
  events?: number;
  /** Prepares one round's input (not measured). */
  prepare(round: number): unknown;
  /** The measured work on that input. */
  run(input: unknown): Promise<void> | void;
}

async function realExchange(): Promise<Exchange> {
  const server = await startModelServer({ modelPath: SHIPPED_MODEL.modelPath, port: 0 });
  try {
    const started = Date.now();
    const res = await fetch(`${server.url}/v2/models/iris/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: BODY,
    });
    const responseBody = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`model server answered ${res.status}`);
    return {
      requestId: 'template',
      receivedAt: started,
      method: 'POST',
      path: '/v2/models/iris/infer',
      query: '',
      contentType: 'application/json',
      headerVersion: null,
      requestBody: Buffer.from(BODY),
      requestBytes: BODY.length,
      requestTruncated: false,
      status: 200,
      responseBody,
      responseBytes: responseBody.length,
      responseTruncated: false,
      totalMs: 1.42,
      upstreamMs: 1.17,
      errorCode: null,
      errorMessage: null,
    };
  } finally {
    await server.stop();
  }
}

function exchanges(template: Exchange, round: number): Exchange[] {
  return Array.from({ length: EVENTS }, (_, i) => ({
    ...template,
    requestId: `${RUN}-${round}-${i}-5f0c2a9e-8d1b-4c3e-9a7f`,
    receivedAt: template.receivedAt + i,
  }));
}

const noPipeline = {
  submit: () => undefined,
  submitFeedback: () => undefined,
  flush: async () => undefined,
  close: async () => undefined,
};

function toEvents(list: Exchange[], metrics: SidecarMetrics): InferenceEvent[] {
  const capture = createCapture({ config: CONFIG, metrics, pipeline: noPipeline, logger: silent });
  const out: InferenceEvent[] = [];
  for (const ex of list) for (const e of capture.toEvents(ex)) out.push(e);
  return out;
}

const records = (events: InferenceEvent[]): SinkRecord[] =>
  events.map((event) => ({ kind: 'inference', event }));

async function writeAll(sink: Sink, input: SinkRecord[]): Promise<void> {
  for (let i = 0; i < input.length; i += BATCH) {
    const result = await sink.write(input.slice(i, i + BATCH));
    if (result.status !== 'success') throw new Error(`${sink.name}: ${result.status} ${result.error ?? ''}`);
  }
}

/** Runs a stage; with BENCH_CPU_PROFILE_DIR, its first measured round is written there as a .cpuprofile. */
async function measure(stage: Stage): Promise<Measured[]> {
  const results: Measured[] = [];
  const events = stage.events ?? EVENTS;
  await stage.setup?.();
  const threads = stage.threads?.() ?? null;
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  const profiler = profileDir ? new Session() : null;
  profiler?.connect();
  for (let round = 0; round <= ROUNDS; round++) {
    const input = stage.prepare(round);
    gc();
    const profiled = profiler !== null && round === 1;
    if (profiled) {
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const cpu = process.cpuUsage();
    const threadsBefore = stage.threads ? threadCpu(threads) : null;
    const t = process.hrtime.bigint();
    await stage.run(input);
    const used = process.cpuUsage(cpu);
    const threadsAfter = stage.threads ? threadCpu(threads) : null;
    const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
    if (profiled && profileDir) {
      const { profile } = await profiler.post('Profiler.stop');
      mkdirSync(profileDir, { recursive: true });
      writeFileSync(
        join(profileDir, `${stage.name.replace(/\W+/g, '-')}.cpuprofile`),
        JSON.stringify(profile),
      );
    }
    if (round === 0) continue;
    if (stage.threads !== undefined) {
      if (threadsBefore === null || threadsAfter === null)
        throw new Error('per-thread CPU needs /proc (Linux)');
      const spent = (pick: (t: ThreadCpu) => NodeJS.CpuUsage): NodeJS.CpuUsage => ({
        user: pick(threadsAfter).user - pick(threadsBefore).user,
        system: pick(threadsAfter).system - pick(threadsBefore).system,
      });
      const started = spent((x) => x.started);
      const helpers = spent((x) => x.helpers);
      results.push({
        cpuUs: (started.user + started.system) / events,
        systemUs: started.system / events,
        helpersUs: (helpers.user + helpers.system) / events,
        wallMs,
      });
    } else {
      results.push({ cpuUs: (used.user + used.system) / events, systemUs: used.system / events, wallMs });
    }
  }
  profiler?.disconnect();
  await stage.teardown?.();
  return results;
}

/**
 * kafkajs' own produce-request encoder (v3, what the broker of the harness is sent), reached into for this one
 * measurement: what kafkajs costs per message before any network, with and without the sink's three headers.
 */
type ProduceV3 = (request: {
  acks: number;
  timeout: number;
  topicData: { topic: string; partitions: { partition: number; messages: unknown[] }[] }[];
}) => { encode(): Promise<unknown> };
const produceV3 = createRequire(__filename)('kafkajs/src/protocol/requests/produce/v3/request') as ProduceV3;

async function encodeWithKafkajs(messages: unknown[]): Promise<void> {
  for (let i = 0; i < messages.length; i += BATCH) {
    await produceV3({
      acks: -1,
      timeout: 10_000,
      topicData: [
        {
          topic: 'plumbline.inference',
          partitions: [{ partition: 0, messages: messages.slice(i, i + BATCH) }],
        },
      ],
    }).encode();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The sidecar's capture thread with every sink on, and a way to know when the sinks hold what it was given. */
interface ThreadUnderTest {
  thread: CaptureThread;
  /** Threads that existed before the capture thread started. */
  before: Set<string> | null;
  /** Resolves once Elasticsearch (and Kafka, when on) each hold `total` events. */
  delivered(total: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Counts the records in a spool stream's segments as they grow, with synchronous reads on this thread: libuv's I/O
 * pool is shared by every thread of the process, and the capture thread's own use of it is what is measured.
 */
function storeCounter(dir: string): () => number {
  const read = new Map<string, { offset: number; records: number }>();
  return () => {
    let total = 0;
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.seg'));
    } catch {
      return 0;
    }
    for (const file of files) {
      let state = read.get(file);
      if (state === undefined) {
        state = { offset: 0, records: 0 };
        read.set(file, state);
      }
      const fd = openSync(join(dir, file), 'r');
      try {
        const size = fstatSync(fd).size;
        if (size > state.offset) {
          const chunk = Buffer.allocUnsafe(size - state.offset);
          readSync(fd, chunk, 0, chunk.length, state.offset);
          let at = 0;
          while (chunk.length - at >= RECORD_HEADER_BYTES) {
            const length = chunk.readUInt32LE(at + 2);
            if (chunk.length - at < RECORD_HEADER_BYTES + length) break;
            at += RECORD_HEADER_BYTES + length;
            state.records++;
          }
          state.offset += at;
        }
      } finally {
        closeSync(fd);
      }
      total += state.records;
    }
    return total;
  };
}

async function startThreadUnderTest(
  esUrl: string | null,
  brokers: string[] | null,
  spoolDir: string,
  tag: string,
): Promise<ThreadUnderTest> {
  const index = `plumbline-sinkbench-thread-${tag}-${RUN}`;
  const topic = `plumbline.sinkbench.thread.${tag}.${RUN}`;
  const config = parseConfig({
    upstream: 'http://127.0.0.1:1',
    models: CONFIG.models,
    logLevel: 'warn',
    sinks: {
      elasticsearch:
        esUrl === null
          ? undefined
          : { url: esUrl, inferenceIndex: index, feedbackIndex: `${index}-feedback` },
      kafka:
        brokers === null ? undefined : { brokers, inferenceTopic: topic, feedbackTopic: `${topic}.feedback` },
      spoolDir,
      // As the pipeline stage: room for a whole round in memory, so it is sent, not spilled to the spool.
      maxQueueEvents: EVENTS + BATCH,
    },
  });
  const before = threadIds();
  const thread = await startCaptureThread(config, silent);
  const es = esUrl === null ? null : new Client({ node: esUrl });
  // Neither Elasticsearch nor Kafka: the pipeline writes the embedded store (spool dir `store/`).
  const inStore = esUrl === null && brokers === null ? storeCounter(join(spoolDir, 'store')) : null;
  const admin = brokers === null ? null : new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin?.connect();
  async function counts(): Promise<[number, number]> {
    if (inStore !== null) return [inStore(), Number.POSITIVE_INFINITY];
    const inEs =
      es === null
        ? Number.POSITIVE_INFINITY
        : await es.indices
            .refresh({ index, ignore_unavailable: true })
            .then(() => es.count({ index, ignore_unavailable: true }))
            .then((r) => r.count)
            .catch(() => 0);
    const inKafka =
      admin === null
        ? Number.POSITIVE_INFINITY
        : await admin
            .fetchTopicOffsets(topic)
            .then((parts) => parts.reduce((sum, p) => sum + Number(p.high), 0))
            .catch(() => 0);
    return [inEs, inKafka];
  }
  return {
    thread,
    before,
    async delivered(total) {
      for (;;) {
        const [inEs, inKafka] = await counts();
        if (inEs >= total && inKafka >= total) return;
        await sleep(POLL_MS);
      }
    },
    async close() {
      await thread.close();
      await Promise.allSettled([es?.close(), admin?.disconnect()]);
    },
  };
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const loadAtStart = loadavg();
  const [es, kafka, template] = await Promise.all([startElasticsearch(), startKafka(), realExchange()]);
  const spoolDir = mkdtempSync(join(tmpdir(), 'plumbline-sink-bench-'));
  const esSink = createElasticsearchSink({
    url: es.url,
    inferenceIndex: `plumbline-sinkbench-inference-${RUN}`,
    feedbackIndex: `plumbline-sinkbench-feedback-${RUN}`,
  });
  const kafkaSink = createKafkaSink({
    brokers: kafka.brokers,
    inferenceTopic: `plumbline.sinkbench.inference.${RUN}`,
    feedbackTopic: `plumbline.sinkbench.feedback.${RUN}`,
  });
  const pipeline = createPipeline({
    elasticsearch: {
      url: es.url,
      inferenceIndex: `plumbline-sinkbench-pipeline-${RUN}`,
      feedbackIndex: `plumbline-sinkbench-pipeline-feedback-${RUN}`,
    },
    kafka: {
      brokers: kafka.brokers,
      inferenceTopic: `plumbline.sinkbench.pipeline.${RUN}`,
      feedbackTopic: `plumbline.sinkbench.pipeline-feedback.${RUN}`,
    },
    spool: { dir: spoolDir },
    // A round is submitted at once: room for all of it, so it is sent in batches, not spilled to the spool.
    queue: { batchSize: BATCH, flushIntervalMs: 1000, maxEvents: EVENTS + BATCH },
    registry: new Registry(),
    logger: silent,
  });
  /** A capture-thread stage: its own worker, started before its first round and closed after its last. */
  const threadStage = (
    name: string,
    sinks: { elasticsearch: boolean; kafka: boolean },
    paced: boolean,
  ): Stage => {
    let underTest: ThreadUnderTest | null = null;
    let handedOver = 0;
    const withKafka = sinks.kafka;
    const tag = `${sinks.elasticsearch ? 'es' : 'noes'}-${withKafka ? 'kafka' : 'nokafka'}-${paced ? 'paced' : 'burst'}`;
    return {
      name,
      events: paced ? PACED_EVENTS : EVENTS,
      async setup() {
        underTest = await startThreadUnderTest(
          sinks.elasticsearch ? es.url : null,
          withKafka ? kafka.brokers : null,
          join(spoolDir, tag),
          tag,
        );
        closers.push(() => underTest?.close());
      },
      threads: () => underTest?.before ?? null,
      prepare: (round) =>
        exchanges(template, round)
          .slice(0, paced ? PACED_EVENTS : EVENTS)
          .map((ex) => ({ ...ex, requestId: `${tag}-${ex.requestId}` })),
      run: async (input) => {
        const list = input as Exchange[];
        const thread = (underTest as ThreadUnderTest).thread;
        if (paced) {
          // As a proxy at PACED_RATE requests a second hands them over: the bridge's batches are small.
          const started = performance.now();
          let sent = 0;
          while (sent < list.length) {
            const due = Math.min(
              list.length,
              Math.floor(((performance.now() - started) * PACED_RATE) / 1000),
            );
            while (sent < due) thread.record(list[sent++]);
            await sleep(1);
          }
        } else {
          // All at once: one record() per exchange, batched by the bridge (BATCH_MAX_EXCHANGES per message).
          for (const ex of list) thread.record(ex);
        }
        handedOver += list.length;
        await (underTest as ThreadUnderTest).delivered(handedOver);
        if (thread.stats().lost > 0) throw new Error('the capture thread lost exchanges');
      },
      async teardown() {
        await underTest?.close();
        underTest = null;
      },
    };
  };
  const closers: (() => Promise<void> | undefined)[] = [];
  const sample = toEvents([template], NO_METRICS)[0];
  const withJson = (round: number): SinkRecord[] => {
    const input = records(toEvents(exchanges(template, round), NO_METRICS));
    for (const r of input) eventBytes(r);
    return input;
  };
  const stages: Stage[] = [
    {
      name: CAPTURE,
      prepare: (round) => exchanges(template, round),
      run: (input) => void toEvents(input as Exchange[], NO_METRICS),
    },
    {
      name: CAPTURE_METRICS,
      prepare: (round) => exchanges(template, round),
      run: (input) => void toEvents(input as Exchange[], createSidecarMetrics(new Registry())),
    },
    {
      name: 'event JSON bytes (once, shared by sinks)',
      prepare: (round) => records(toEvents(exchanges(template, round), NO_METRICS)),
      run: (input) => {
        for (const r of input as SinkRecord[]) eventBytes(r);
      },
    },
    {
      name: KAFKAJS_ENCODE,
      // The messages as the Kafka sink builds them (src/sinks/kafka.ts encode()): the event's shared bytes, the
      // kind and schema_version header values as shared Buffers.
      prepare: (round) =>
        withJson(round).map((r) => ({
          key: r.event.model?.name ?? 'unknown',
          value: eventBytes(r),
          headers: { event_id: r.event.event_id, kind: KIND_HEADER, schema_version: SCHEMA_VERSION_HEADER },
        })),
      run: (input) => encodeWithKafkajs(input as unknown[]),
    },
    {
      name: KAFKAJS_NO_HEADERS,
      prepare: (round) =>
        withJson(round).map((r) => ({ key: r.event.model?.name ?? 'unknown', value: eventBytes(r) })),
      run: (input) => encodeWithKafkajs(input as unknown[]),
    },
    {
      name: 'kafka sink write',
      prepare: withJson,
      run: (input) => writeAll(kafkaSink, input as SinkRecord[]),
    },
    {
      name: 'elasticsearch sink write',
      prepare: withJson,
      run: (input) => writeAll(esSink, input as SinkRecord[]),
    },
    {
      name: 'pipeline: JSON + both lanes + spool',
      prepare: (round) => toEvents(exchanges(template, round), NO_METRICS),
      run: async (input) => {
        const events = input as InferenceEvent[];
        for (let i = 0; i < events.length; i += BATCH) pipeline.submit(events.slice(i, i + BATCH));
        await pipeline.flush();
      },
    },
    threadStage(THREAD, { elasticsearch: true, kafka: true }, false),
    threadStage(PACED, { elasticsearch: true, kafka: true }, true),
    threadStage(PACED_NO_KAFKA, { elasticsearch: true, kafka: false }, true),
    threadStage(PACED_SPOOL_ONLY, { elasticsearch: false, kafka: false }, true),
  ];
  const rows: string[][] = [
    ['stage', 'CPU µs/event (median)', 'min – max', 'of which system', 'wall ms/round (median)'],
  ];
  try {
    await pipeline.ready;
    for (const stage of stages) {
      if (only && !stage.name.includes(only)) continue;
      const m = await measure(stage);
      const cpu = m.map((x) => x.cpuUs);
      rows.push([
        stage.name,
        median(cpu).toFixed(1),
        `${Math.min(...cpu).toFixed(1)} – ${Math.max(...cpu).toFixed(1)}`,
        median(m.map((x) => x.systemUs)).toFixed(1),
        median(m.map((x) => x.wallMs)).toFixed(0),
      ]);
      const helpers = m.map((x) => x.helpersUs ?? 0);
      if (stage.threads !== undefined) {
        const range = `${Math.min(...helpers).toFixed(1)} – ${Math.max(...helpers).toFixed(1)}`;
        rows.push([THREAD_HELPERS, median(helpers).toFixed(1), range, '', '']);
      }
    }
    const encode = rows.find((r) => r[0] === KAFKAJS_ENCODE);
    const noHeaders = rows.find((r) => r[0] === KAFKAJS_NO_HEADERS);
    if (encode && noHeaders) {
      const diff = (Number(encode[1]) - Number(noHeaders[1])).toFixed(1);
      rows.splice(rows.indexOf(noHeaders) + 1, 0, [
        '→ the three headers (difference of the two)',
        diff,
        '',
        '',
        '',
      ]);
    }
    const capture = rows.find((r) => r[0] === CAPTURE);
    const withMetrics = rows.find((r) => r[0] === CAPTURE_METRICS);
    if (capture && withMetrics) {
      const diff = (Number(withMetrics[1]) - Number(capture[1])).toFixed(1);
      rows.splice(rows.indexOf(withMetrics) + 1, 0, [
        '→ prom-client (difference of the two)',
        diff,
        '',
        '',
        '',
      ]);
    }
  } finally {
    await Promise.allSettled([
      esSink.close(),
      kafkaSink.close(),
      pipeline.close(),
      ...closers.map((c) => c()),
    ]);
    await Promise.allSettled([es.stop(), kafka.stop()]);
    rmSync(spoolDir, { recursive: true, force: true });
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]): string => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  process.stdout.write(
    `\nsink CPU benchmark — ${EVENTS} events × ${ROUNDS} rounds (+1 warm-up), batches of ${BATCH}, ` +
      `one KServe V2 iris row per event (${Buffer.byteLength(JSON.stringify(sample))} bytes of JSON)\n` +
      `Elasticsearch ${es.url}, Kafka ${kafka.brokers.join(',')}; node ${process.version}; ` +
      `1-minute load average ${loadAtStart[0].toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end, ` +
      `on ${cpus().length} cores\n\n` +
      `${line(rows[0])}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n` +
      rows
        .slice(1)
        .map((r) => `${line(r)}\n`)
        .join('') +
      '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
