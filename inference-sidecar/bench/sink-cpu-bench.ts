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
 * of the process's CPU time (user + system, every thread: GC and libuv included) divided by the events, and the
 * wall time. The sink stages get events whose JSON is already built (as in the pipeline, where it is built once
 * for every sink), so their rows are the sink's own cost; the pipeline row includes the JSON. Sinks are written
 * the way the pipeline's queue writes them: one batch of BATCH events at a time.
 *
 * `npm run bench:sinks -- kafka` runs only the stages whose name contains "kafka"; BENCH_CPU_PROFILE_DIR=/tmp/prof
 * also writes one measured round of each stage as a .cpuprofile there (open it in Chrome DevTools).
 * Not a test: it prints a table. Take /tmp/plumbline-bench.lock (flock) around it on shared machines.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
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
  type Exchange,
  type SidecarMetrics,
} from '@plumbline/sidecar/bench';
import { eventJson } from '@plumbline/spool';
import { startElasticsearch, startKafka } from '@plumbline/harness';

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
const silent = pino({ level: 'silent' });
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
  feedback: () => undefined,
  humanLabels: () => undefined,
  shadowRequest: () => undefined,
};

interface Measured {
  cpuUs: number;
  wallMs: number;
}

interface Stage {
  name: string;
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
    const t = process.hrtime.bigint();
    await stage.run(input);
    const used = process.cpuUsage(cpu);
    const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
    if (profiled && profileDir) {
      const { profile } = await profiler.post('Profiler.stop');
      mkdirSync(profileDir, { recursive: true });
      writeFileSync(
        join(profileDir, `${stage.name.replace(/\W+/g, '-')}.cpuprofile`),
        JSON.stringify(profile),
      );
    }
    if (round > 0) results.push({ cpuUs: (used.user + used.system) / EVENTS, wallMs });
  }
  profiler?.disconnect();
  return results;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const only = process.argv[2];
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
  const sample = toEvents([template], NO_METRICS)[0];
  const withJson = (round: number): SinkRecord[] => {
    const input = records(toEvents(exchanges(template, round), NO_METRICS));
    for (const r of input) eventJson(r);
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
      name: 'event JSON (once, shared by sinks)',
      prepare: (round) => records(toEvents(exchanges(template, round), NO_METRICS)),
      run: (input) => {
        for (const r of input as SinkRecord[]) eventJson(r);
      },
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
  ];
  const rows: string[][] = [['stage', 'CPU µs/event (median)', 'min – max', 'wall ms/round (median)']];
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
        median(m.map((x) => x.wallMs)).toFixed(0),
      ]);
    }
    const capture = rows.find((r) => r[0] === CAPTURE);
    const withMetrics = rows.find((r) => r[0] === CAPTURE_METRICS);
    if (capture && withMetrics) {
      const diff = (Number(withMetrics[1]) - Number(capture[1])).toFixed(1);
      rows.splice(rows.indexOf(withMetrics) + 1, 0, ['→ prom-client (difference of the two)', diff, '', '']);
    }
  } finally {
    await Promise.allSettled([esSink.close(), kafkaSink.close(), pipeline.close()]);
    await Promise.allSettled([es.stop(), kafka.stop()]);
    rmSync(spoolDir, { recursive: true, force: true });
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]): string => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  process.stdout.write(
    `\nsink CPU benchmark — ${EVENTS} events × ${ROUNDS} rounds (+1 warm-up), batches of ${BATCH}, ` +
      `one KServe V2 iris row per event (${Buffer.byteLength(JSON.stringify(sample))} bytes of JSON)\n` +
      `Elasticsearch ${es.url}, Kafka ${kafka.brokers.join(',')}; node ${process.version}\n\n` +
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
