// Two exporter Kafka sources in one consumer group against a real broker (harness): the partitions — and so the
// models, since the sidecar keys messages by model name — are split between them, nothing is counted twice,
// and every event is counted by exactly one instance. Feedback reaches every instance.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { sharedKafka } from '@plumbline/harness';
import { parseConfig, type KafkaSourceConfig } from '../../src/config';
import { createKafkaSource, partitionForModel } from '../../src/sources';
import { eventually, recordingCounters } from '../helpers/counters';
import { feedbackEvent, inferenceEvent } from '../helpers/events';

jest.setTimeout(180_000);

const now = Date.now();
const range = { from: now - 10 * 60_000, to: now + 60_000 };
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

describe('Kafka source, two instances in one consumer group', () => {
  it('splits the models between the instances without double counting', async () => {
    const countersA = recordingCounters();
    const countersB = recordingCounters();
    const a = createKafkaSource({ config: config(), counters: countersA, retentionMs: 3_600_000 });
    const b = createKafkaSource({ config: config(), counters: countersB, retentionMs: 3_600_000 });
    await a.start();
    expect(MODELS.every((m) => a.owns(m))).toBe(true); // alone in the group: everything is A's
    await b.start();
    // After the rebalance each model has exactly one owner.
    await eventually(() => MODELS.every((m) => a.owns(m) !== b.owns(m)), 60_000, 'a clean split');
    const ownedByA = MODELS.filter((m) => a.owns(m));
    const ownedByB = MODELS.filter((m) => b.owns(m));
    expect(ownedByA.length + ownedByB.length).toBe(MODELS.length);
    expect(ownedByA.length).toBeGreaterThan(0);
    expect(ownedByB.length).toBeGreaterThan(0);

    // Each owner sees all of its models' events, the other none; the totals add up to what was produced.
    const counted = new Map<string, number>();
    for (const [source, owned] of [
      [a, ownedByA],
      [b, ownedByB],
    ] as const) {
      for (const model of MODELS) {
        const w = await eventually(
          async () => {
            const r = await source.read({ model, version: null, range, minimumSamples: 1 });
            return !owned.includes(model) || r.inference.length === PER_MODEL ? r : undefined;
          },
          30_000,
          `${model}'s events`,
        );
        if (!owned.includes(model)) expect(w.inference).toHaveLength(0);
        else {
          counted.set(model, (counted.get(model) ?? 0) + w.inference.length);
          expect(new Set(w.inference.map((e) => e.event_id)).size).toBe(PER_MODEL);
          // Feedback with no model reached the owner even though it sat on another key's partition.
          expect(w.feedback.map((f) => f.request_id)).toContain(`${model}-0`);
        }
      }
    }
    expect([...counted.values()].reduce((x, y) => x + y, 0)).toBe(MODELS.length * PER_MODEL);
    expect(MODELS.every((m) => counted.get(m) === PER_MODEL)).toBe(true);
    // The two broken messages sit on iris's partition: counted invalid (once per read of that partition).
    expect(
      (countersA.invalidBy.inference ?? 0) + (countersB.invalidBy.inference ?? 0),
    ).toBeGreaterThanOrEqual(2);
    // B leaves: A takes its partitions over and, because offsets were committed only up to the oldest event a
    // window still needs, re-reads B's models' whole window — each model counted once, by A.
    await b.close();
    await eventually(() => MODELS.every((m) => a.owns(m)), 60_000, 'A owning every model');
    for (const model of ownedByB) {
      await eventually(
        async () =>
          (await a.read({ model, version: null, range, minimumSamples: 1 })).inference.length === PER_MODEL,
        30_000,
        `A re-reading ${model}'s window`,
      );
    }
    await a.close();
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
