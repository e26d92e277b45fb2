/**
 * Retention (issue #15 item 4) against the real Elasticsearch and Kafka of the harness: one pass of the pipeline's
 * retention, with an injected clock, deletes the events older than the age from Elasticsearch (both indices),
 * removes the embedded store's segments last written before it (back-dated with utimes), and the topics the Kafka
 * sink creates carry the age as retention.ms. Age by clock and file times, never by sleeping.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { sharedElasticsearch, sharedKafka } from '@plumbline/harness';
import { createPipeline } from '../../src/pipeline/pipeline';
import { makeEvent, makeFeedback, tempDir } from './helpers';
import { countDocs } from './int-helpers';

jest.setTimeout(300_000);

const DAY = 86_400_000;
const MAX_AGE_MS = 30 * DAY;
/** The pipeline's clock: 40 days after makeEvent's timestamps (2026-01-01). */
const NOW = Date.UTC(2026, 1, 10);
const id = randomUUID().slice(0, 8);

it('expires old events from Elasticsearch and the store; created topics get retention.ms', async () => {
  const es = await sharedElasticsearch();
  const { brokers } = await sharedKafka();
  const client = new Client({ node: es.url });
  const tmp = tempDir();
  const indices = { inference: `retention-${id}-inference`, feedback: `retention-${id}-feedback` };
  const topics = { inference: `retention-${id}.inference`, feedback: `retention-${id}.feedback` };
  const pipeline = createPipeline({
    elasticsearch: { url: es.url, inferenceIndex: indices.inference, feedbackIndex: indices.feedback },
    kafka: { brokers, inferenceTopic: topics.inference, feedbackTopic: topics.feedback },
    spool: { dir: tmp.dir, segmentBytes: 4096 },
    store: true,
    queue: { batchSize: 100, flushIntervalMs: 20 },
    retention: { maxAgeMs: MAX_AGE_MS, now: () => NOW },
  });
  try {
    const old = Array.from({ length: 40 }, (_, i) => makeEvent(i));
    const recent = Array.from({ length: 15 }, (_, i) => ({
      ...makeEvent(1000 + i),
      '@timestamp': new Date(NOW - DAY - i * 1000).toISOString(),
    }));
    // Two flushes: the store appends each backlog at once, so the old and the recent events get segments of their own.
    pipeline.submit(old);
    pipeline.submitFeedback([makeFeedback(1), makeFeedback(2)]);
    await pipeline.flush();
    pipeline.submit(recent);
    await pipeline.flush();
    expect(await countDocs(client, indices.inference)).toBe(55);
    expect(await countDocs(client, indices.feedback)).toBe(2);

    // The store's segments: all but the newest back-dated past the age.
    const storeDir = join(tmp.dir, 'store');
    const segments = readdirSync(storeDir)
      .filter((f) => f.endsWith('.seg'))
      .sort();
    expect(segments.length).toBe(2);
    const longAgo = new Date(NOW - MAX_AGE_MS - DAY);
    for (const file of segments.slice(0, -1)) utimesSync(join(storeDir, file), longAgo, longAgo);
    // And the newest one to "now", so only the back-dated ones are older than the cutoff.
    const fresh = new Date(NOW);
    utimesSync(join(storeDir, segments[segments.length - 1]), fresh, fresh);

    const report = await pipeline.expire();
    expect(report.sinks.elasticsearch).toBe(42);
    expect(report.spoolRecords).toBe(42);
    expect(readdirSync(storeDir).filter((f) => f.endsWith('.seg'))).toEqual(segments.slice(-1));
    expect(await countDocs(client, indices.inference)).toBe(15);
    expect(await countDocs(client, indices.feedback)).toBe(0);
    // A second pass has nothing left to do.
    expect((await pipeline.expire()).sinks.elasticsearch).toBe(0);

    const admin = new Kafka({ clientId: 'retention-test', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [topics.inference, topics.feedback].map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: ['retention.ms'],
        })),
      });
      for (const resource of described.resources) {
        expect(resource.configEntries.find((c) => c.configName === 'retention.ms')?.configValue).toBe(
          String(MAX_AGE_MS),
        );
      }
    } finally {
      await admin.disconnect();
    }
  } finally {
    await pipeline.close();
    await client.indices.delete({ index: [indices.inference, indices.feedback] }, { ignore: [404] });
    await client.close();
    tmp.cleanup();
  }
});
