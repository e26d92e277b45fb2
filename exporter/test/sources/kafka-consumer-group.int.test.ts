// Two exporters on Kafka in one consumer group against a real broker (harness): the partitions — and so the
// models, since the sidecar keys messages by model name — are split between them, nothing is counted twice,
// and every event is counted by exactly one instance. Feedback reaches every instance.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { sharedKafka } from '@plumbline/harness';
import { Registry } from 'prom-client';
import { createExporter, windowStoreGeometry, type Exporter } from '../../src/app';
import { parseConfig, type KafkaSourceConfig } from '../../src/config';
import { createFollower, partitionForModel } from '../../src/sources';
import { eventually } from '../helpers/counters';
import { meanShiftEngine } from '../helpers/fake-drift';
import { feedbackEvent, inferenceEvent } from '../helpers/events';

jest.setTimeout(180_000);

const now = Date.now();
const id = randomUUID().slice(0, 8);
const topics = { inference: `exp-inference-${id}`, feedback: `exp-feedback-${id}` };
const MODELS = ['iris', 'wine', 'churn', 'fraud', 'price', 'spam'];
const PER_MODEL = 25;
let brokers: string[];
let kafka: Kafka;

function config(): KafkaSourceConfig {
  const c = parseConfig({
    models: [{ name: 'iris' }],
    source: {
      kind: 'kafka',
      brokers,
      inferenceTopic: topics.inference,
      feedbackTopic: topics.feedback,
      groupId: `exp-${id}`,
    },
  }).source;
  if (c.kind !== 'kafka') throw new Error('unreachable');
  return c;
}

beforeAll(async () => {
  brokers = (await sharedKafka()).brokers;
  kafka = new Kafka({ clientId: 'exporter-test', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: topics.inference, numPartitions: 4 },
      { topic: topics.feedback, numPartitions: 2 },
    ],
  });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const messages = MODELS.flatMap((model) =>
    Array.from({ length: PER_MODEL }, (_, i) => ({
      key: model,
      value: JSON.stringify(
        inferenceEvent({
          requestId: `${model}-${i}`,
          at: now - 60_000 + i,
          model,
          features: { x: i },
          label: 'a',
        }),
      ),
    })),
  );
  messages.push(
    { key: 'iris', value: '{not json' },
    { key: 'iris', value: JSON.stringify({ schema_version: 1 }) },
  );
  await producer.send({ topic: topics.inference, messages });
  // Feedback without a model lands on the `unknown` key's partition, wherever its prediction is owned.
  await producer.send({
    topic: topics.feedback,
    messages: MODELS.map((model) => ({
      key: 'unknown',
      value: JSON.stringify({
        ...feedbackEvent({ requestId: `${model}-0`, at: now - 30_000, truth: 'a', model }),
        model: null,
      }),
    })),
  });
  await producer.disconnect();
});

describe('Kafka source, two exporters in one consumer group', () => {
  it('splits the models between the instances without double counting', async () => {
    const exporterConfig = parseConfig({
      models: MODELS.map((name) => ({ name })),
      source: config(),
      window: { kind: 'sliding', sizeSeconds: 600, stepSeconds: 60, minimumSamples: 10, graceSeconds: 0 },
      host: '127.0.0.1',
      port: 0,
    });
    const engine = meanShiftEngine(
      Object.fromEntries(MODELS.map((m) => [m, { means: { x: 12 }, shift: 100 }])),
    );
    const make = () =>
      createExporter(exporterConfig, {
        createSource: (counters) =>
          createFollower(exporterConfig.source, {
            counters,
            ...windowStoreGeometry(exporterConfig),
            models: exporterConfig.models,
            lagMs: 0,
          }),
        driftEngine: engine,
        registry: new Registry(),
      });
    /** model → rows of its latest report, for the models this exporter evaluated. */
    const evaluate = async (e: Exporter) =>
      new Map((await e.evaluateOnce({ force: true })).map((r) => [r.model, r]));
    const a = make();
    const b = make();
    await a.start({ schedule: false });
    expect(MODELS.every((m) => a.source.owns(m))).toBe(true); // alone in the group: everything is A's
    expect([...(await evaluate(a)).values()].map((r) => r.samples)).toEqual(MODELS.map(() => PER_MODEL));
    await b.start({ schedule: false });
    // After the rebalance each model has exactly one owner.
    await eventually(
      () => MODELS.every((m) => a.source.owns(m) !== b.source.owns(m)),
      60_000,
      'a clean split',
    );
    const ownedByA = MODELS.filter((m) => a.source.owns(m));
    const ownedByB = MODELS.filter((m) => b.source.owns(m));
    expect(ownedByA.length).toBeGreaterThan(0);
    expect(ownedByB.length).toBeGreaterThan(0);
    // Each owner reports all of its models' events, the other none of them (A drops the buckets it held for B's
    // models); the totals add up to what was produced.
    const [ra, rb] = await eventually(
      async () => {
        const [x, y] = [await evaluate(a), await evaluate(b)];
        return ownedByB.every((m) => y.get(m)?.samples === PER_MODEL) ? [x, y] : undefined;
      },
      30_000,
      "B reading its models' events",
    );
    expect([...ra.keys()].sort()).toEqual([...ownedByA].sort());
    expect([...rb.keys()].sort()).toEqual([...ownedByB].sort());
    for (const r of [...ra.values(), ...rb.values()]) {
      expect(r.samples).toBe(PER_MODEL);
      // Feedback with no model reached the owner even though it sat on another key's partition.
      expect(r.quality?.labelled).toBe(1);
    }
    expect(
      MODELS.every(
        (m) =>
          a.store.window(m, { from: 0, to: Date.now() + 60_000 }).state.rows ===
          (ownedByA.includes(m) ? PER_MODEL : 0),
      ),
    ).toBe(true);
    // The two broken messages sit on iris's partition: counted invalid.
    const invalid = async (e: Exporter) =>
      (await e.registry.getSingleMetric('plumbline_exporter_events_invalid_total')!.get()).values.reduce(
        (n, v) => n + v.value,
        0,
      );
    expect((await invalid(a)) + (await invalid(b))).toBeGreaterThanOrEqual(2);
    // B leaves: A takes its partitions over and, because offsets were committed only up to the oldest event a
    // window still needs, re-reads B's models' whole window — each model counted once, by A.
    await b.stop();
    await eventually(() => MODELS.every((m) => a.source.owns(m)), 60_000, 'A owning every model');
    await eventually(
      async () => {
        const r = await evaluate(a);
        return MODELS.every((m) => r.get(m)?.samples === PER_MODEL);
      },
      30_000,
      "A re-reading B's models' windows",
    );
    await a.stop();
    // Each instance deleted its own feedback group on close; the shared group, with its offsets, stays.
    const admin = kafka.admin();
    await admin.connect();
    const { groups } = await admin.listGroups();
    await admin.disconnect();
    const ours = groups.map((g) => g.groupId).filter((g) => g.startsWith(`exp-${id}`));
    expect(ours).toEqual([`exp-${id}`]);
  });

  it('maps each model to the partition the producer (DefaultPartitioner) actually wrote it to', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topics.inference);
    await admin.disconnect();
    const written = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
    const expected = new Map<number, number>();
    for (const m of MODELS) {
      const p = partitionForModel(topics.inference, m, 4);
      expected.set(p, (expected.get(p) ?? 0) + PER_MODEL + (m === 'iris' ? 2 : 0));
    }
    for (let p = 0; p < 4; p += 1) expect(written.get(p) ?? 0).toBe(expected.get(p) ?? 0);
  });
});
