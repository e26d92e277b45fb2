/**
 * Regression (real broker): a partition an instance KEEPS through a rebalance is read on from where it was. kafkajs
 * resumes every assigned partition from its committed offset after each rebalance, and the follower commits the
 * oldest message a window still needs, so an instance that kept a partition folded that partition's window again
 * when another instance joined — skipped by the dedupe only within `dedupe.horizonSeconds`, counted twice past it.
 * With `source.scaleOut`, where instances join and leave as the load changes, every rebalance did so.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { sharedKafka } from '@plumbline/harness';
import type { InferenceEvent } from '@plumbline/schema';
import { parseConfig, type KafkaSourceConfig } from '../../src/config';
import type { ShardedSink } from '../../src/sources';
import { createKafkaFollower } from '../../src/sources';
import { eventually, recordingCounters } from '../helpers/counters';
import { inferenceEvent } from '../helpers/events';

jest.setTimeout(180_000);

const id = randomUUID().slice(0, 8);
const topics = { inference: `reb-inference-${id}`, feedback: `reb-feedback-${id}` };
const EVENTS = 400;
let brokers: string[];

function config(): KafkaSourceConfig {
  const c = parseConfig({
    models: [{ name: 'iris' }],
    source: {
      kind: 'kafka',
      brokers,
      inferenceTopic: topics.inference,
      feedbackTopic: topics.feedback,
      groupId: `reb-${id}`,
      scaleOut: { stateTopic: `reb-state-${id}` },
    },
  }).source;
  if (c.kind !== 'kafka') throw new Error('unreachable');
  return c;
}

/** Records every event handed over, with its partition, and the partitions assigned. */
function recordingSink() {
  const seen: { shard: number; id: string }[] = [];
  let shards = new Set<number>();
  const sink: ShardedSink = {
    bucketWidthMs: 60_000,
    inference: () => {
      throw new Error('a scaled-out follower hands every event over with its partition');
    },
    inferenceFrom: (shard: number, e: InferenceEvent) => void seen.push({ shard, id: e.event_id }),
    assignShards: (s) => void (shards = new Set(s)),
    feedback: () => undefined,
    foldedRows: () => new Map(),
    refold: () => undefined,
  };
  return { sink, seen, shards: () => shards };
}

beforeAll(async () => {
  brokers = (await sharedKafka()).brokers;
  const kafka = new Kafka({ clientId: 'rebalance-test', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: topics.inference, numPartitions: 4 },
      { topic: topics.feedback, numPartitions: 1 },
    ],
  });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const now = Date.now();
  await producer.send({
    topic: topics.inference,
    messages: Array.from({ length: EVENTS }, (_, i) => ({
      key: `iris\u0000r${i}`,
      value: JSON.stringify(inferenceEvent({ requestId: `r${i}`, at: now - 60_000 + i, features: { x: i } })),
    })),
  });
  await producer.disconnect();
});

it('a partition kept through a rebalance is not read again from the committed offset', async () => {
  const a = recordingSink();
  const b = recordingSink();
  const options = { counters: recordingCounters(), retentionMs: 3_600_000 };
  const followerA = createKafkaFollower({ config: config(), ...options });
  const followerB = createKafkaFollower({ config: config(), ...options });
  try {
    await followerA.start(a.sink, null);
    expect(a.seen).toHaveLength(EVENTS);
    expect(a.shards().size).toBe(4);
    await followerA.sync(); // commits the oldest offset the window needs: the start of every partition
    await followerB.start(b.sink, null);
    await eventually(
      () => a.shards().size + b.shards().size === 4 && a.shards().size > 0 && b.shards().size > 0,
      60_000,
      'the partitions split between A and B',
    );
    // B reads its partitions from the committed offsets: the whole window of each.
    const onB = (s: { shard: number }) => b.shards().has(s.shard);
    await eventually(
      () => b.seen.length === a.seen.filter(onB).length,
      60_000,
      "B reading its partitions' window",
    );
    // Whatever A would read again has had time to arrive.
    await new Promise((r) => setTimeout(r, 3000));
    const ids = a.seen.map((s) => s.id);
    expect(new Set(ids).size).toBe(EVENTS);
    expect(ids).toHaveLength(EVENTS);
  } finally {
    await Promise.allSettled([followerA.close(), followerB.close()]);
  }
});
