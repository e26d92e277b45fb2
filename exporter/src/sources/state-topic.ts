/**
 * The state topic of an exporter scaled out over several instances (`source.scaleOut.stateTopic`,
 * exporter/README.md "Scale out"): a compacted Kafka topic where each instance publishes the buckets of the
 * partitions it folds (windows/store/sharded-store.ts), keyed `${model}\u0000${partition}\u0000${bucketStart}`,
 * and which every instance reads whole, so the instance that evaluates a model merges every partition's buckets.
 *
 * - Created if missing: `cleanup.policy=compact` (the newest record of a key is what counts; a tombstone — a null
 *   value — removes a bucket that left the retention) and `max.message.bytes` of STATE_MAX_MESSAGE_BYTES (a bucket
 *   with its sample and predictions can be a few MB; records are gzip-compressed). An existing topic is used as is.
 * - Read from the beginning by a consumer group of this instance's own (`<groupId>.state.<instance>`, deleted on
 *   close, like the feedback group): nothing is committed; every start reads the compacted topic whole.
 * - `catchUp()` waits until every record on the topic when it was called has been applied: the exporter calls it
 *   before evaluating, so it merges what every instance published until then.
 */
import { randomUUID } from 'node:crypto';
import { kafkaClientSettings, type KafkaConnection } from '@plumbline/service-kit';
import { CompressionTypes, Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { SourceError } from './source';

/** Largest record the state topic is created for (topic-level `max.message.bytes`). */
export const STATE_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
/** Bytes of records per produce request (a few requests rather than one huge one). */
const SEND_CHUNK_BYTES = 8 * 1024 * 1024;

/** `brokers` and the source's security keys (TLS, SASL: service-kit's KafkaConnection). */
export interface StateTopicOptions extends KafkaConnection {
  brokers: readonly string[];
  clientId: string;
  topic: string;
  /** The exporter's consumer group: the state reader's group is `<groupId>.state.<instance>`. */
  groupId: string;
  /** Most time start() and catchUp() wait. @default 30000 */
  timeoutMs?: number;
  log?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
}

export interface StateTopic {
  /** Creates the topic if missing, then reads it from the beginning into `apply`; resolves once caught up. */
  start(apply: (key: string, value: string | null) => void): Promise<void>;
  /** Writes records (a null value is a tombstone); rejects when the broker does not take them. */
  publish(records: readonly { key: string; value: string | null }[]): Promise<void>;
  /** Resolves once every record on the topic when called has been applied. */
  catchUp(): Promise<void>;
  close(): Promise<void>;
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function createStateTopic(options: StateTopicOptions): StateTopic {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ...kafkaClientSettings(options, 'source'),
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: logLevel.NOTHING,
  });
  const group = `${options.groupId}.state.${randomUUID()}`;
  const admin: Admin = kafka.admin();
  const consumer: Consumer = kafka.consumer({
    groupId: group,
    allowAutoTopicCreation: false,
    // One bucket's state can be a few MB: fetch whole records.
    maxBytesPerPartition: STATE_MAX_MESSAGE_BYTES,
    maxBytes: 2 * STATE_MAX_MESSAGE_BYTES,
  });
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1 });
  /** Next offset applied, per partition of the state topic. */
  const next = new Map<number, bigint>();
  let joined = false;

  async function highWatermarks(): Promise<Map<number, bigint>> {
    const offsets = await admin.fetchTopicOffsets(options.topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  }

  async function catchUp(): Promise<void> {
    const high = await highWatermarks();
    await waitFor(
      () => [...high].every(([p, h]) => h === 0n || (next.get(p) ?? -1n) >= h),
      timeoutMs,
      `reading the state topic ${options.topic}`,
    );
  }

  return {
    async start(apply) {
      try {
        await admin.connect();
        const existing = new Set(await admin.listTopics());
        if (!existing.has(options.topic)) {
          const created = await admin.createTopics({
            waitForLeaders: true,
            topics: [
              {
                topic: options.topic,
                numPartitions: 1,
                configEntries: [
                  { name: 'cleanup.policy', value: 'compact' },
                  { name: 'max.message.bytes', value: String(STATE_MAX_MESSAGE_BYTES) },
                ],
              },
            ],
          });
          if (created) options.log?.info({ topic: options.topic }, 'state topic created (compacted)');
        }
        consumer.on(consumer.events.GROUP_JOIN, () => {
          joined = true;
        });
        await Promise.all([consumer.connect(), producer.connect()]);
        await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            next.set(partition, BigInt(message.offset) + 1n);
            const key = message.key?.toString('utf8');
            if (key === undefined) return;
            apply(key, message.value === null ? null : message.value.toString('utf8'));
          },
        });
        await waitFor(() => joined, timeoutMs, `joining ${group}`);
        await catchUp();
      } catch (err) {
        await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
        throw new SourceError(
          'EXPORTER_ERR_SOURCE_UNAVAILABLE',
          `Kafka at ${options.brokers.join(',')} (state topic ${options.topic}): ${(err as Error).message}`,
          { cause: err },
        );
      }
    },

    async publish(records) {
      let chunk: { key: string; value: string | null }[] = [];
      let bytes = 0;
      const send = async (): Promise<void> => {
        if (chunk.length === 0) return;
        await producer.send({
          topic: options.topic,
          acks: -1,
          compression: CompressionTypes.GZIP,
          messages: chunk.map((r) => ({ key: r.key, value: r.value })),
        });
        chunk = [];
        bytes = 0;
      };
      for (const r of records) {
        const size = r.key.length + (r.value?.length ?? 0);
        if (bytes + size > SEND_CHUNK_BYTES) await send();
        chunk.push(r);
        bytes += size;
      }
      await send();
    },

    catchUp,

    async close() {
      await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
      await admin.deleteGroups([group]).catch((err: unknown) => {
        options.log?.warn({ err, group }, 'could not delete the state topic group of this instance');
      });
      await admin.disconnect().catch(() => undefined);
    },
  };
}
