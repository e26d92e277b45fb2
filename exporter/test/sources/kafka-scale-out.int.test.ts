/**
 * Issue #18 item 4 on the real broker: one model's traffic spread over several exporter instances of one consumer
 * group (`source.scaleOut`), their bucket states merged through the compacted state topic, and the verdicts equal
 * to one instance's on the same events. 30,000 events of three models (a drift planted in one) and their labels go
 * through the sidecar's Kafka sink with `partitionBy: 'request'` over 6 partitions; one exporter instance without
 * scale-out is the reference, then groups of 2 and 3 scaled-out instances (in process) read the same topics. For each
 * model: the window's rows, every feature's n and missing, every test's verdict, the statistics of the tests on
 * counts (exact over every row), the dataset verdict, and the quality (predictions, labelled, accuracy) equal the
 * reference's. Then one of the three instances is stopped: the other two take its partitions over (re-read from the
 * committed offsets and republished under the same keys) and converge to the same figures.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { sharedKafka } from '@plumbline/harness';
import { createPipeline } from '@plumbline/sidecar';
import { createFileBaselineStore } from '../../src/baseline/file-store';
import { parseConfig } from '../../src/config';
import { buildReferenceProfile } from '../../src/drift/in-memory-profile-builder';
import { startExporter, type RunningExporter } from '../../src/main';
import type { ModelWindowReport } from '../../src/service/report';
import { getStatTest } from '../../src/stattests/registry';
import { eventually } from '../helpers/counters';
import { feedbackEvent, inferenceEvent } from '../helpers/events';

jest.setTimeout(600_000);

const id = randomUUID().slice(0, 8);
const topics = { inference: `so-inference-${id}`, feedback: `so-feedback-${id}` };
const MODELS = ['iris', 'wine', 'churn'];
const DRIFTED = 'iris';
const PER_MODEL = 10_000;
const PARTITIONS = 6;
const u = (i: number) => (i * 0.6180339887498949) % 1;
const v = (i: number) => (i * 0.7548776662466927) % 1;
const dir = mkdtempSync(path.join(tmpdir(), 'plumbline-scale-out-'));
let brokers: string[];
const running: RunningExporter[] = [];

afterAll(async () => {
  await Promise.allSettled(running.map((r) => r.stop()));
  rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  brokers = (await sharedKafka()).brokers;
  const store = createFileBaselineStore(path.join(dir, 'baselines'));
  for (const model of MODELS)
    await store.put({
      model,
      version: '1',
      source: 'test',
      profile: buildReferenceProfile(
        {
          x: Array.from({ length: 4000 }, (_, i) => 3 + 4 * u(i)),
          y: Array.from({ length: 4000 }, (_, i) => 10 * v(i)),
          color: Array.from({ length: 4000 }, (_, i) => (i % 3 ? 'red' : 'blue')),
        },
        { columnTypes: { color: 'categorical' } },
      ),
    });
  // Four minutes of traffic ending a minute before the current window's end: in the evaluated window for the next
  // few minutes whatever minute the evaluations fall in.
  const to = Math.floor((Date.now() - 1000) / 60_000) * 60_000;
  const from = to - 300_000;
  const pipeline = createPipeline({
    kafka: {
      brokers,
      inferenceTopic: topics.inference,
      feedbackTopic: topics.feedback,
      numPartitions: PARTITIONS,
      partitionBy: 'request',
      batchSize: 1000,
      flushIntervalMs: 50,
    },
    spool: { dir: path.join(dir, 'spool'), fsync: 'never' },
  });
  for (const model of MODELS)
    for (let chunk = 0; chunk < PER_MODEL; chunk += 2000) {
      const events = Array.from({ length: 2000 }, (_, k) => {
        const i = chunk + k;
        return inferenceEvent({
          requestId: `${model}-${i}`,
          model,
          at: from + Math.floor((i * 240_000) / PER_MODEL),
          features:
            i % 101 === 0
              ? { color: 'red' } // x and y missing now and then
              : {
                  x: 3 + 4 * u(i) + (model === DRIFTED ? 2 : 0),
                  y: 10 * v(i),
                  color: model === DRIFTED && i % 2 ? 'green' : i % 3 ? 'red' : 'blue',
                },
          label: i % 4 ? 'a' : 'b',
          confidence: 0.3 + 0.7 * v(i + 1),
        });
      });
      pipeline.submit(events);
      pipeline.submitFeedback(
        events
          .filter((_, k) => k % 4 === 0)
          .map((e, k) =>
            feedbackEvent({
              requestId: e.request_id,
              model,
              at: Date.parse(e['@timestamp']) + 1000,
              truth: k % 3 ? 'a' : 'b',
            }),
          ),
      );
      await pipeline.flush();
    }
  await pipeline.close();
  const admin = new Kafka({ clientId: 'scale-out-test', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topics.inference);
  await admin.disconnect();
  // The sidecar spread every model over the partitions.
  expect(offsets).toHaveLength(PARTITIONS);
  expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(MODELS.length * PER_MODEL);
  expect(offsets.every((o) => Number(o.high) > PER_MODEL / PARTITIONS)).toBe(true);
}, 300_000);

function start(group: string, stateTopic: string | null): Promise<RunningExporter> {
  const config = parseConfig({
    models: MODELS.map((name) => ({ name })),
    source: {
      kind: 'kafka',
      brokers,
      inferenceTopic: topics.inference,
      feedbackTopic: topics.feedback,
      groupId: `${group}-${id}`,
      scaleOut: stateTopic ? { stateTopic: `${stateTopic}-${id}` } : null,
    },
    baselineStore: { kind: 'file', dir: path.join(dir, 'baselines') },
    // ~2,000 events per model and minute: one instance keeps a uniform sample of 1,000 per minute for the tests
    // on raw values (KS, Wasserstein); a scaled-out instance one of 1,000 per minute and partition.
    window: {
      kind: 'sliding',
      sizeSeconds: 600,
      stepSeconds: 60,
      minimumSamples: 100,
      graceSeconds: 1,
      bucketSampleSize: 1000,
    },
    schedule: { intervalSeconds: 3600 },
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
  });
  return startExporter(config, { logger: pino({ level: 'silent' }) }).then((r) => {
    running.push(r);
    return r;
  });
}

/** Every instance publishes, then each evaluates (reading the state topic first); each model's one report. */
async function round(instances: readonly RunningExporter[]): Promise<Map<string, ModelWindowReport>> {
  for (const r of instances) await r.exporter.scaleOut?.publish();
  const out = new Map<string, ModelWindowReport>();
  for (const r of instances)
    for (const report of await r.exporter.evaluateOnce({ force: true })) {
      if (out.has(report.model)) throw new Error(`${report.model} evaluated by two instances`);
      out.set(report.model, report);
    }
  return out;
}

/** What must be equal to one instance's: rows, per feature n / missing / verdicts / exact statistics, quality. */
function figures(report: ModelWindowReport) {
  return {
    samples: report.samples,
    status: report.status,
    dataset: report.drift && {
      drift: report.drift.dataset.drift,
      driftShare: report.drift.dataset.driftShare,
    },
    features: report.drift?.features.map((f) => ({
      name: f.name,
      n: f.n,
      missing: f.missing,
      drift: f.drift,
      tests: f.tests.map((t) =>
        getStatTest(t.name).reads === 'counts'
          ? { name: t.name, drift: t.drift, statistic: t.statistic, pValue: t.pValue }
          : { name: t.name, drift: t.drift },
      ),
    })),
    summaries: Object.fromEntries(
      Object.entries(report.summaries).map(([name, s]) => [
        name,
        { rows: s.rows, missingRatio: s.missingRatio },
      ]),
    ),
    quality: report.quality && {
      predictions: report.quality.predictions,
      labelled: report.quality.labelled,
      accuracy: report.quality.classification?.accuracy,
    },
  };
}

function allFigures(reports: Map<string, ModelWindowReport>) {
  return Object.fromEntries(MODELS.map((m) => [m, reports.has(m) ? figures(reports.get(m)!) : null]));
}

/** Rounds until every model's rows are all there (rebalances settled), then the reports. */
async function settledReports(instances: readonly RunningExporter[], what: string) {
  return eventually(
    async () => {
      const r = await round(instances);
      return MODELS.every((m) => r.get(m)?.samples === PER_MODEL) ? r : undefined;
    },
    180_000,
    what,
  );
}

async function settled(instances: readonly RunningExporter[], what: string) {
  return allFigures(await settledReports(instances, what));
}

describe('one model over several exporter instances (real Kafka, partitionBy request)', () => {
  let reference: ReturnType<typeof allFigures>;
  let referenceReports: Map<string, ModelWindowReport>;

  beforeAll(async () => {
    const single = await start('single', null);
    expect(single.exporter.scaleOut).toBeNull();
    referenceReports = await settledReports([single], 'the single instance reading every event');
    reference = allFigures(referenceReports);
    await single.stop();
  });

  it('the reference: every event counted, drift found where it was planted, labels joined', () => {
    for (const model of MODELS) {
      const r = reference[model]!;
      expect(r.samples).toBe(PER_MODEL);
      expect(r.status).toBe('ok');
      expect(r.dataset!.drift).toBe(model === DRIFTED);
      const x = r.features!.find((f) => f.name === 'x')!;
      expect(x.missing[1]).toBe(Math.ceil(PER_MODEL / 101));
      expect(x.drift).toBe(model === DRIFTED);
      expect(r.quality!.predictions).toBe(PER_MODEL);
      expect(r.quality!.labelled).toBe(PER_MODEL / 4);
      // Not vacuous: tests on counts (compared exactly) and on a sample of the rows (compared by verdict) ran.
      const tests = referenceReports.get(model)!.drift!.features.find((f) => f.name === 'x')!.tests;
      expect(tests.some((t) => getStatTest(t.name).reads === 'counts')).toBe(true);
      const sampled = tests.filter((t) => getStatTest(t.name).reads === 'values').map((t) => t.sampled);
      expect(sampled.length).toBeGreaterThan(0);
      for (const rows of sampled) expect(rows).toBeLessThan(0.6 * PER_MODEL);
    }
  });

  it.each([2, 3])('%i instances of one group report what one instance does', async (n) => {
    const group: RunningExporter[] = [];
    for (let i = 0; i < n; i++) group.push(await start(`group${n}`, `state${n}`));
    const merged = await settled(group, `${n} instances converging`);
    expect(merged).toEqual(reference);
    // Every instance folds some partitions, and every model is evaluated by exactly one of them (round checks it).
    for (const r of group) expect(r.exporter.scaleOut!.store.shards().length).toBeGreaterThan(0);
    expect(group.reduce((k, r) => k + r.exporter.scaleOut!.store.shards().length, 0)).toBe(PARTITIONS);
    // The state topic was created compacted: the newest state of each (model, partition, bucket) is what stays.
    const admin = new Kafka({ clientId: 'scale-out-test', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: `state${n}-${id}`, configNames: ['cleanup.policy'] },
      ],
    });
    await admin.disconnect();
    expect(described.resources[0].configEntries[0]).toMatchObject({
      configName: 'cleanup.policy',
      configValue: 'compact',
    });
    if (n === 3) {
      // One instance goes: the other two take its partitions over, re-read them from the committed offsets,
      // republish them under the same keys, and report the same figures.
      await group[2].stop();
      const rest = group.slice(0, 2);
      await eventually(
        () => rest.reduce((k, r) => k + r.exporter.scaleOut!.store.shards().length, 0) === PARTITIONS,
        60_000,
        'the two instances owning every partition',
      );
      expect(await settled(rest, 'two instances after the rebalance')).toEqual(reference);
    }
    for (const r of group) await r.stop();
  });
});
