/**
 * Kafka sink (kafkajs): a producer with acks = all (-1) and one request in flight, one message per event, key =
 * model name (so a model's events stay in order on one partition), inference and feedback events on two topics,
 * created if absent through the admin client. With `partitionBy: 'request'` an inference message's key is
 * `${model}\u0000${request_id}`: a model's events spread over every partition (an exporter scaled out over several
 * instances of one consumer group, exporter/README.md "Scale out"), the rows of a request and its redeliveries
 * together on one.
 *
 * Size: the limit is the topic's `max.message.bytes` (read at setup; `maxMessageBytes` overrides it). A message
 * over it can never be written: it is rejected with reason `oversize` (the pipeline counts it as
 * dropped{reason="oversize"} and keeps it in the spool's dead-letter stream) — never dropped silently. Batches
 * are split so no produce request carries more than the limit; a broker still answering "too large" splits the
 * batch further, down to one message.
 *
 * Broker down, leader moving, timeouts → every unsent record retryable (the pipeline spools them). After such an
 * error the producer is rebuilt before the next write, so a broker restart never leaves a wedged producer.
 * A send is tried once: retrying is the pipeline's job (pipeline/retry.ts), so the producer has kafkajs'
 * retries off. (It was idempotent, whose kafkajs default is Number.MAX_SAFE_INTEGER retries: a batch was re-sent
 * inside each of the pipeline's tries, without bound while the broker answered a retriable error. kafkajs allows
 * no idempotent producer without retries, and a producer rebuilt after every error gains nothing from
 * idempotence: consumers deduplicate on event_id.) Connecting keeps the client's few quick retries (`retry`
 * below).
 * Delivery is at-least-once: a replay after an unacknowledged-but-written batch can repeat a message; consumers
 * deduplicate on the `event_id` header (also the event's own field).
 */
import {
  Kafka,
  logLevel,
  Partitioners,
  ConfigResourceTypes,
  type ICustomPartitioner,
  type Message,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaClientSettings, type KafkaConnection } from '@plumbline/service-kit';
import { eventBytes } from '@plumbline/spool';
import {
  errorMessage,
  sinkResult,
  type Rejection,
  type Sink,
  type SinkRecord,
  type SinkResult,
} from './sink';

/** `brokers` and the shared security keys (TLS, SASL: service-kit's KafkaConnection; files read at creation). */
export interface KafkaSinkOptions extends KafkaConnection {
  /** host:port list. */
  brokers: string[];
  /** @default 'plumbline-sidecar' */
  clientId?: string;
  /** @default 'plumbline.inference' */
  inferenceTopic?: string;
  /** @default 'plumbline.feedback' */
  feedbackTopic?: string;
  /** Create missing topics at start-up. @default true */
  createTopics?: boolean;
  /** Partitions of topics this sink creates. @default 1 */
  numPartitions?: number;
  /** Replication factor of topics this sink creates; -1 = the broker's default. @default -1 */
  replicationFactor?: number;
  /**
   * `retention.ms` of the topics this sink creates (events older than this are deleted by the broker); topics
   * that already exist keep theirs. @default the broker's default (unset)
   */
  retentionMs?: number;
  /** Largest message accepted; default: the topic's max.message.bytes, else 1,048,588 (the broker default). */
  maxMessageBytes?: number;
  /** @default 10000 */
  requestTimeoutMs?: number;
  /** @default 3000 */
  connectionTimeoutMs?: number;
  /** Sink name (metric label, spool stream). @default 'kafka' */
  name?: string;
  /**
   * Key of inference messages: 'model' = the model name (a model's events in order on one partition); 'request' =
   * `${model}\u0000${request_id}` (a model's events spread over every partition, the rows of one request together:
   * what an exporter scaled out over several instances reads). Feedback is keyed by model either way.
   * @default 'model'
   */
  partitionBy?: 'model' | 'request';
}

export const DEFAULT_INFERENCE_TOPIC = 'plumbline.inference';
export const DEFAULT_FEEDBACK_TOPIC = 'plumbline.feedback';
const BROKER_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
/** Record and batch framing kafkajs adds around key + value + headers (generous). */
const FRAMING_BYTES = 128;
const SCHEMA_VERSION_HEADER = '1';
/**
 * The values of the `kind` and `schema_version` headers, encoded once and shared by every message: kafkajs writes a
 * Buffer value as it is, where a string is measured and encoded again per message. The bytes on the wire are the
 * same.
 */
const HEADER_VALUES = {
  inference: Buffer.from('inference', 'utf8'),
  feedback: Buffer.from('feedback', 'utf8'),
  schemaVersion: Buffer.from(SCHEMA_VERSION_HEADER, 'utf8'),
} as const;
/** Length of the header names event_id, kind and schema_version. */
const HEADER_NAME_BYTES = 'event_id'.length + 'kind'.length + 'schema_version'.length;

interface Encoded {
  record: SinkRecord;
  topic: string;
  message: Message;
  bytes: number;
}

/** Distinct keys a partitioner remembers before it starts over (model names come from request paths). */
const MAX_CACHED_KEYS = 1000;

/**
 * Partitioners.DefaultPartitioner — murmur2 of the key modulo the topic's partition count, the Java client's
 * placement, so a model's events stay on one partition — with its answer kept per topic, key and partition
 * count. kafkajs calls the partitioner once per message; the default one filters the partition list and hashes
 * the key with 64-bit Long objects each time (≈ 3 µs of the capture thread's CPU per event, measured with
 * `npm run bench:sinks`), although the answer changes only with the key or the partition count. Messages
 * without a key or with an explicit partition are handed to the default partitioner unchanged.
 */
export const CachedKeyPartitioner: ICustomPartitioner = () => {
  const partitioner = Partitioners.DefaultPartitioner();
  const byTopic = new Map<string, { partitions: number; byKey: Map<string, number> }>();
  return (args) => {
    const { topic, partitionMetadata, message } = args;
    if (typeof message.key !== 'string' || (message.partition !== undefined && message.partition !== null))
      return partitioner(args);
    let cached = byTopic.get(topic);
    if (
      cached === undefined ||
      cached.partitions !== partitionMetadata.length ||
      cached.byKey.size >= MAX_CACHED_KEYS
    ) {
      cached = { partitions: partitionMetadata.length, byKey: new Map() };
      byTopic.set(topic, cached);
    }
    let partition = cached.byKey.get(message.key);
    if (partition === undefined) {
      partition = partitioner(args);
      cached.byKey.set(message.key, partition);
    }
    return partition;
  };
};

/**
 * kafkajs' message with the messages of the errors it aggregates: "Topic creation errors" alone said nothing;
 * the inner "Topic authorization failed" is what a user without the CREATE ACL needs to read (found by
 * tests/integration/kafka-sasl.int.test.ts).
 */
export function kafkaErrorMessage(error: unknown): string {
  const inner = (error as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(inner) || inner.length === 0) return errorMessage(error);
  const details = [
    ...new Set(
      inner.map((e: unknown) => {
        const topic = (e as { topic?: unknown }).topic;
        return typeof topic === 'string' ? `${topic}: ${errorMessage(e)}` : errorMessage(e);
      }),
    ),
  ];
  return `${errorMessage(error)} (${details.join('; ')})`;
}

export function isTooLarge(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as { type?: unknown; originalError?: unknown; errors?: unknown; cause?: unknown };
  if (e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE') return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isTooLarge(inner, depth + 1))) return true;
  return isTooLarge(e.originalError, depth + 1) || isTooLarge(e.cause, depth + 1);
}

export function createKafkaSink(options: KafkaSinkOptions, logger?: Logger): Sink {
  const topics = {
    inference: options.inferenceTopic ?? DEFAULT_INFERENCE_TOPIC,
    feedback: options.feedbackTopic ?? DEFAULT_FEEDBACK_TOPIC,
  };
  const kafka = new Kafka({
    clientId: options.clientId ?? 'plumbline-sidecar',
    brokers: options.brokers,
    ...kafkaClientSettings(options, 'sinks.kafka'),
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => logger?.debug({ kafka: entry.namespace, ...entry.log }, entry.log.message),
  });
  const byRequest = options.partitionBy === 'request';
  let producer: Producer | null = null;
  let maxBytes = options.maxMessageBytes ?? 0;
  let setUp = false;

  async function setup(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = [topics.inference, topics.feedback].filter((t) => !existing.has(t));
      if (missing.length > 0 && options.createTopics !== false) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: options.numPartitions ?? 1,
            replicationFactor: options.replicationFactor ?? -1,
            configEntries:
              options.retentionMs === undefined
                ? undefined
                : [{ name: 'retention.ms', value: String(options.retentionMs) }],
          })),
        });
        logger?.info({ topics: missing }, 'kafka topics created');
      }
      if (!options.maxMessageBytes) {
        const described = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [topics.inference, topics.feedback].map((name) => ({
            type: ConfigResourceTypes.TOPIC,
            name,
            configNames: ['max.message.bytes'],
          })),
        });
        const limits = described.resources.flatMap((r) =>
          r.configEntries
            .filter((c) => c.configName === 'max.message.bytes')
            .map((c) => Number(c.configValue)),
        );
        const valid = limits.filter((n) => Number.isFinite(n) && n > 0);
        maxBytes = valid.length > 0 ? Math.min(...valid) : BROKER_DEFAULT_MAX_MESSAGE_BYTES;
      }
    } finally {
      await admin.disconnect();
    }
    setUp = true;
  }

  async function connectedProducer(): Promise<Producer> {
    if (producer) return producer;
    const p = kafka.producer({
      // One try per send; the pipeline's retry policy decides about more (see the header).
      retry: { retries: 0 },
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: CachedKeyPartitioner,
    });
    await p.connect();
    producer = p;
    return p;
  }

  async function dropProducer(): Promise<void> {
    const p = producer;
    producer = null;
    if (p) await p.disconnect().catch(() => undefined);
  }

  function encode(record: SinkRecord): Encoded {
    // The event's bytes shared with every other sink (eventBytes): kafkajs copies them into its request.
    const value = eventBytes(record);
    const model = record.event.model?.name ?? 'unknown';
    const key = byRequest && record.kind === 'inference' ? `${model}\u0000${record.event.request_id}` : model;
    const eventId = record.event.event_id;
    const headers = {
      event_id: eventId,
      kind: HEADER_VALUES[record.kind],
      schema_version: HEADER_VALUES.schemaVersion,
    };
    const bytes =
      value.length +
      Buffer.byteLength(key) +
      HEADER_NAME_BYTES +
      Buffer.byteLength(eventId) +
      record.kind.length +
      SCHEMA_VERSION_HEADER.length +
      FRAMING_BYTES;
    return {
      record,
      topic: record.kind === 'inference' ? topics.inference : topics.feedback,
      message: { key, value, headers },
      bytes,
    };
  }

  /** Sends one chunk (at most maxBytes); on "too large" splits it. Returns the records not written. */
  async function sendChunk(
    chunk: Encoded[],
    rejected: Rejection[],
  ): Promise<{ retry: SinkRecord[]; error?: string }> {
    try {
      const p = await connectedProducer();
      const byTopic = new Map<string, Message[]>();
      for (const e of chunk) {
        const messages = byTopic.get(e.topic);
        if (messages === undefined) byTopic.set(e.topic, [e.message]);
        else messages.push(e.message);
      }
      await p.sendBatch({
        acks: -1,
        timeout: options.requestTimeoutMs ?? 10_000,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      return { retry: [] };
    } catch (error) {
      if (isTooLarge(error)) {
        if (chunk.length === 1) {
          rejected.push({ record: chunk[0].record, reason: 'oversize', error: errorMessage(error) });
          return { retry: [] };
        }
        const half = Math.ceil(chunk.length / 2);
        const a = await sendChunk(chunk.slice(0, half), rejected);
        if (a.retry.length > 0)
          return { retry: [...a.retry, ...chunk.slice(half).map((e) => e.record)], error: a.error };
        return sendChunk(chunk.slice(half), rejected);
      }
      await dropProducer();
      return { retry: chunk.map((e) => e.record), error: errorMessage(error) };
    }
  }

  return {
    name: options.name ?? 'kafka',
    async write(records: readonly SinkRecord[]): Promise<SinkResult> {
      if (!setUp) {
        try {
          await setup();
        } catch (error) {
          return sinkResult(records, [], `kafka setup: ${kafkaErrorMessage(error)}`);
        }
      }
      const rejected: Rejection[] = [];
      const chunks: Encoded[][] = [];
      let current: Encoded[] = [];
      let currentBytes = 0;
      for (const encoded of records.map(encode)) {
        if (encoded.bytes > maxBytes) {
          rejected.push({
            record: encoded.record,
            reason: 'oversize',
            error: `message of ~${encoded.bytes} bytes is over the topic's max.message.bytes ${maxBytes}`,
          });
          continue;
        }
        if (currentBytes + encoded.bytes > maxBytes && current.length > 0) {
          chunks.push(current);
          current = [];
          currentBytes = 0;
        }
        current.push(encoded);
        currentBytes += encoded.bytes;
      }
      if (current.length > 0) chunks.push(current);
      for (let i = 0; i < chunks.length; i++) {
        const { retry, error } = await sendChunk(chunks[i], rejected);
        if (retry.length > 0) {
          const rest = chunks.slice(i + 1).flatMap((c) => c.map((e) => e.record));
          return sinkResult([...retry, ...rest], rejected, error);
        }
      }
      return sinkResult([], rejected);
    },
    async close(): Promise<void> {
      await dropProducer();
    },
  };
}
