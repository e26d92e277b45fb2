/**
 * `sinks.kafka.partitionBy: 'request'` against a real broker: one model's inference messages are keyed by model +
 * request id and so spread over every partition of the topic (what an exporter scaled out over several instances
 * reads), each request's rows on one partition; feedback stays keyed by model. The default keeps a model on one
 * partition.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Registry } from 'prom-client';
import { startKafka, type KafkaHandle } from '@plumbline/harness';
import { createPipeline } from '@plumbline/sidecar';
import { makeEvent, makeFeedback, tempDir, waitFor } from './helpers';

jest.setTimeout(300_000);

interface Placed {
  topic: string;
  partition: number;
  key: string;
}

describe('Kafka sink partitionBy (real Kafka)', () => {
  let kafka: KafkaHandle;
  let client: Kafka;
  let admin: Admin;
  let tmp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    kafka = await startKafka();
    client = new Kafka({ clientId: 'partition-by-test', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    admin = client.admin();
    await admin.connect();
  }, 300_000);
  afterAll(async () => {
    await admin?.disconnect();
    await kafka?.stop();
  });
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  /** Sends 200 events of model iris (and one feedback) through a pipeline; returns where every message landed. */
  async function send(prefix: string, partitionBy: 'model' | 'request' | undefined): Promise<Placed[]> {
    const pipeline = createPipeline({
      registry: new Registry(),
      kafka: {
        brokers: kafka.brokers,
        inferenceTopic: `${prefix}.inference`,
        feedbackTopic: `${prefix}.feedback`,
        numPartitions: 6,
        partitionBy,
        batchSize: 100,
        flushIntervalMs: 50,
      },
      spool: { dir: tmp.dir },
    });
    pipeline.submit(Array.from({ length: 200 }, (_, i) => makeEvent(i, 'iris')));
    pipeline.submitFeedback([makeFeedback(1)]);
    await pipeline.flush();
    await pipeline.close();
    const consumer = client.consumer({ groupId: `check-${prefix}` });
    const seen: Placed[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({
        topics: [`${prefix}.inference`, `${prefix}.feedback`],
        fromBeginning: true,
      });
      await consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          seen.push({ topic, partition, key: message.key?.toString() ?? '' });
        },
      });
      await waitFor(() => seen.length >= 201, `messages on ${prefix}.*`, 120_000);
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }

  it("'request': one model's messages on several partitions, key = model NUL request id; feedback keyed by model", async () => {
    const seen = await send('by-request', 'request');
    const inference = seen.filter((m) => m.topic === 'by-request.inference');
    expect(inference).toHaveLength(200);
    expect(inference.map((m) => m.key)).toEqual(
      expect.arrayContaining(['iris\u0000req-0', 'iris\u0000req-199']),
    );
    expect(new Set(inference.map((m) => m.key.split('\u0000')[0]))).toEqual(new Set(['iris']));
    expect(new Set(inference.map((m) => m.key)).size).toBe(200);
    // 200 request ids hashed over 6 partitions: every partition gets some.
    expect(new Set(inference.map((m) => m.partition)).size).toBe(6);
    const feedback = seen.filter((m) => m.topic === 'by-request.feedback');
    expect(feedback.map((m) => m.key)).toEqual(['iris']);
  });

  it("the default ('model'): every message of a model on one partition, key = model", async () => {
    const seen = await send('by-model', undefined);
    const inference = seen.filter((m) => m.topic === 'by-model.inference');
    expect(inference).toHaveLength(200);
    expect(new Set(inference.map((m) => m.key))).toEqual(new Set(['iris']));
    expect(new Set(inference.map((m) => m.partition)).size).toBe(1);
  });
});
