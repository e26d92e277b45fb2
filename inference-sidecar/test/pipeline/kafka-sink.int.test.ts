/**
 * The Kafka sink against a real Kafka broker (harness, KRaft): topics created, key = model, headers, a broker
 * outage under a stream of events with every event consumed exactly once afterwards, and oversize messages
 * counted and dead-lettered instead of dropped silently.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Registry } from 'prom-client';
import { startKafka, type KafkaHandle } from '@plumbline/harness';
import { createKafkaSink, createPipeline, type PipelineOptions } from '@plumbline/sidecar';
import { openSpoolReader } from '@plumbline/spool';
import { describeSinkContract } from './sink-contract';
import { makeEvent, makeFeedback, metricValue, tempDir, waitFor } from './helpers';
import { stream } from './int-helpers';

jest.setTimeout(300_000);

interface Consumed {
  key: string;
  eventId: string;
  kind: string;
}

describe('Kafka sink (real Kafka)', () => {
  let kafka: KafkaHandle;
  let client: Kafka;
  let admin: Admin;
  let tmp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    kafka = await startKafka();
    client = new Kafka({ clientId: 'pipeline-test', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    admin = client.admin();
    await admin.connect();
  }, 300_000);
  afterAll(async () => {
    await admin?.disconnect();
    await kafka?.stop();
  });
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  describeSinkContract('kafka', {
    make: () =>
      createKafkaSink({
        brokers: kafka.brokers,
        inferenceTopic: 'contract.inference',
        feedbackTopic: 'contract.feedback',
      }),
    makeUnreachable: () =>
      createKafkaSink({ brokers: ['127.0.0.1:1'], connectionTimeoutMs: 500, requestTimeoutMs: 1000 }),
  });

  const options = (registry: Registry, prefix: string): PipelineOptions => ({
    registry,
    kafka: {
      brokers: kafka.brokers,
      inferenceTopic: `${prefix}.inference`,
      feedbackTopic: `${prefix}.feedback`,
      requestTimeoutMs: 3000,
      connectionTimeoutMs: 1000,
      batchSize: 100,
      flushIntervalMs: 50,
    },
    spool: { dir: tmp.dir },
    retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 200 },
    replay: { replayInitialDelayMs: 200, replayMaxDelayMs: 1000 },
  });

  /** Reads `topics` from the beginning until `until` says enough, then returns every message seen. */
  async function consume(topics: string[], until: (seen: Consumed[]) => boolean): Promise<Consumed[]> {
    const consumer = client.consumer({ groupId: `check-${topics[0]}-${Date.now()}` });
    const seen: Consumed[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.push({
            key: message.key?.toString() ?? '',
            eventId: message.headers?.event_id?.toString() ?? '',
            kind: message.headers?.kind?.toString() ?? '',
          });
        },
      });
      await waitFor(() => until(seen), `messages on ${topics.join(', ')}`, 120_000);
      return seen;
    } finally {
      await consumer.disconnect();
    }
  }

  it('creates both topics and writes one message per event, key = model, event id and kind in the headers', async () => {
    const registry = new Registry();
    const pipeline = createPipeline(options(registry, 'basic'));
    pipeline.submit([makeEvent(1, 'iris'), makeEvent(2, 'wine')]);
    pipeline.submitFeedback([makeFeedback(1)]);
    await pipeline.flush();
    const topics = await admin.listTopics();
    expect(topics).toEqual(expect.arrayContaining(['basic.inference', 'basic.feedback']));
    const seen = await consume(['basic.inference', 'basic.feedback'], (s) => s.length >= 3);
    expect(seen).toEqual(
      expect.arrayContaining([
        { key: 'iris', eventId: 'req-1:0', kind: 'inference' },
        { key: 'wine', eventId: 'req-2:0', kind: 'inference' },
        { key: 'iris', eventId: 'req-1:0:feedback', kind: 'feedback' },
      ]),
    );
    expect(seen).toHaveLength(3);
    expect(
      await metricValue(registry, 'plumbline_sidecar_sink_events_written_total', { sink: 'kafka' }),
    ).toBe(3);
    await pipeline.close();
  });

  it('a message over the topic max.message.bytes is counted as dropped{reason="oversize"} and kept in the dead letter', async () => {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: 'small.inference',
          numPartitions: 1,
          configEntries: [{ name: 'max.message.bytes', value: '4096' }],
        },
        { topic: 'small.feedback', numPartitions: 1 },
      ],
    });
    const registry = new Registry();
    const pipeline = createPipeline(options(registry, 'small'));
    const big = makeEvent(2);
    big.features = { ...big.features, note: 'x'.repeat(10_000) };
    pipeline.submit([makeEvent(1), big, makeEvent(3)]);
    await pipeline.flush();
    expect(
      await metricValue(registry, 'plumbline_sidecar_events_dropped_total', {
        sink: 'kafka',
        reason: 'oversize',
      }),
    ).toBe(1);
    const dead = [];
    for await (const e of openSpoolReader(tmp.dir, { stream: 'dead-letter/kafka' }).entries()) dead.push(e);
    expect(dead.map((e) => e.event.event_id)).toEqual(['req-2:0']);
    const seen = await consume(['small.inference'], (s) => s.length >= 2);
    expect(seen.map((s) => s.eventId).sort()).toEqual(['req-1:0', 'req-3:0']);
    await pipeline.close();
  });

  it('the broker stopped under a stream of events: afterwards every event is consumed, exactly once', async () => {
    const registry = new Registry();
    const pipeline = createPipeline(options(registry, 'outage'));
    const total = 1000;
    const written = () =>
      metricValue(registry, 'plumbline_sidecar_sink_events_written_total', { sink: 'kafka' });
    await stream(pipeline, (i) => makeEvent(i, 'iris', `outage-${i}`), {
      total,
      batch: 10,
      everyMs: 5,
      at: {
        300: async () => {
          await waitFor(async () => (await written()) > 0, 'first messages');
          await kafka.stop();
        },
        700: () => kafka.restart(),
      },
    });
    await pipeline.flush();
    const spooled = await metricValue(registry, 'plumbline_sidecar_events_spooled_total', { sink: 'kafka' });
    expect(spooled).toBeGreaterThan(0);
    await waitFor(async () => (await written()) >= total, 'all events written', 180_000);
    const seen = await consume(['outage.inference'], (s) => new Set(s.map((m) => m.eventId)).size >= total);
    expect(new Set(seen.map((m) => m.eventId)).size).toBe(total);
    expect(seen).toHaveLength(total);
    expect(await metricValue(registry, 'plumbline_sidecar_events_dropped_total')).toBe(0);
    await pipeline.close();
  });
});
