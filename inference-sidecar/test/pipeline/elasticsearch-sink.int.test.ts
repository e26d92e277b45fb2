/**
 * The Elasticsearch sink against a real Elasticsearch (harness): typed mappings, exact counts, an outage under a
 * stream of events with nothing lost and nothing duplicated, and a mapping conflict counted, never silent.
 */
import { Client } from '@elastic/elasticsearch';
import { Registry } from 'prom-client';
import { startElasticsearch, type ElasticsearchHandle } from '@plumbline/harness';
import { createElasticsearchSink, createPipeline, type ElasticsearchSink } from '@plumbline/sidecar';
import { openSpoolReader } from '@plumbline/spool';
import { describeSinkContract } from './sink-contract';
import { makeEvent, makeFeedback, metricValue, tempDir, waitFor } from './helpers';
import { countDocs, distinctRequestIds, stream } from './int-helpers';

jest.setTimeout(300_000);

describe('Elasticsearch sink (real Elasticsearch)', () => {
  let es: ElasticsearchHandle;
  let client: Client;
  let tmp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    es = await startElasticsearch();
    client = new Client({ node: es.url });
  }, 300_000);
  afterAll(async () => {
    await client?.close();
    await es?.stop();
  });
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  describeSinkContract('elasticsearch', {
    make: () =>
      createElasticsearchSink({
        url: es.url,
        inferenceIndex: 'contract-inference',
        feedbackIndex: 'contract-feedback',
      }),
    makeUnreachable: () => createElasticsearchSink({ url: 'http://127.0.0.1:1', requestTimeoutMs: 2000 }),
    readBack: async (sink) => {
      const { client: c, indices } = sink as ElasticsearchSink;
      await c.indices.refresh({ index: [indices.inference, indices.feedback] });
      const found = await c.search({
        index: [indices.inference, indices.feedback],
        size: 1000,
        _source: false,
      });
      return found.hits.hits.map((h) => h._id ?? '');
    },
  });

  const options = (registry: Registry, index: string) => ({
    registry,
    elasticsearch: {
      url: es.url,
      inferenceIndex: `${index}-inference`,
      feedbackIndex: `${index}-feedback`,
      requestTimeoutMs: 5000,
      batchSize: 100,
      flushIntervalMs: 50,
    },
    spool: { dir: tmp.dir },
    retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 200 },
    replay: { replayInitialDelayMs: 200, replayMaxDelayMs: 1000 },
  });

  it('writes inference and feedback events to their indices with explicit typed mappings', async () => {
    const registry = new Registry();
    const pipeline = createPipeline(options(registry, 'typed'));
    pipeline.submit(Array.from({ length: 25 }, (_, i) => makeEvent(i)));
    pipeline.submitFeedback([makeFeedback(1), makeFeedback(2)]);
    await pipeline.flush();
    expect(await countDocs(client, 'typed-inference')).toBe(25);
    expect(await countDocs(client, 'typed-feedback')).toBe(2);
    const mapping = (await client.indices.getMapping({ index: 'typed-inference' }))['typed-inference']
      .mappings;
    const props = mapping.properties as Record<
      string,
      {
        type?: string;
        properties?: Record<string, { type?: string; properties?: Record<string, { type?: string }> }>;
      }
    >;
    expect(props['@timestamp'].type).toBe('date');
    expect(props.model.properties?.name.type).toBe('keyword');
    expect(props.protocol.type).toBe('keyword');
    expect(props.features.properties?.sepal_length.type).toBe('double');
    expect(props.features.properties?.species_hint.type).toBe('keyword');
    expect(props.outputs.properties?.label.type).toBe('keyword');
    expect(props.outputs.properties?.probabilities.properties?.setosa.type).toBe('double');
    const doc = await client.get({ index: 'typed-inference', id: 'req-3:0' });
    expect((doc._source as { request_id: string }).request_id).toBe('req-3');
    expect(
      await metricValue(registry, 'plumbline_sidecar_sink_events_written_total', { sink: 'elasticsearch' }),
    ).toBe(27);
    await pipeline.close();
  });

  // Regression: templates matched `<index>-*` at one fixed priority, so a sidecar writing `x-inference-blue` next to
  // one writing `x-inference` had its template refused (overlap) and, worse, stopped writing: every batch waited
  // on the template and went to the spool. Caught by the e2e run on the shared Elasticsearch.
  it('index names that extend one another, and a foreign overlapping template, never stop writes', async () => {
    await client.indices.putIndexTemplate({
      name: 'someone-elses-template',
      index_patterns: ['foreign-*'],
      priority: 200 + 'foreign-inference'.length,
      template: { mappings: { properties: { note: { type: 'keyword' } } } },
    });
    const pipelines = ['nested-inference', 'nested-inference-blue', 'foreign-inference'].map((index) =>
      createPipeline({
        ...options(new Registry(), 'unused'),
        elasticsearch: {
          url: es.url,
          inferenceIndex: index,
          feedbackIndex: `${index}-fb`,
          flushIntervalMs: 50,
        },
      }),
    );
    pipelines.forEach((p, i) => p.submit([makeEvent(i, 'iris', `nested-${i}`)]));
    await Promise.all(pipelines.map((p) => p.flush()));
    expect(await countDocs(client, 'nested-inference')).toBe(1);
    expect(await countDocs(client, 'nested-inference-blue')).toBe(1);
    expect(await countDocs(client, 'foreign-inference')).toBe(1);
    const own = await client.indices.getIndexTemplate({ name: 'nested-inference-blue-template' });
    expect(own.index_templates[0].index_template.index_patterns).toEqual(['nested-inference-blue']);
    expect(pipelines.map((p) => p.stats()[0].spooled)).toEqual([0, 0, 0]);
    await Promise.all(pipelines.map((p) => p.close()));
  });

  it('a mapping conflict is rejected per document: counted as dropped{reason="rejected"}, kept in the dead letter', async () => {
    const registry = new Registry();
    const pipeline = createPipeline(options(registry, 'conflict'));
    pipeline.submit([makeEvent(1)]);
    await pipeline.flush();
    const bad = makeEvent(2);
    bad.features = { ...bad.features, sepal_length: 'not-a-number' };
    pipeline.submit([bad, makeEvent(3)]);
    await pipeline.flush();
    expect(await countDocs(client, 'conflict-inference')).toBe(2);
    expect(
      await metricValue(registry, 'plumbline_sidecar_events_dropped_total', {
        sink: 'elasticsearch',
        reason: 'rejected',
      }),
    ).toBe(1);
    const dead = [];
    for await (const e of openSpoolReader(tmp.dir, { stream: 'dead-letter/elasticsearch' }).entries())
      dead.push(e);
    expect(dead.map((e) => e.event.event_id)).toEqual(['req-2:0']);
    await pipeline.close();
  });

  it('per-document 429s (index blocked as at the flood-stage disk watermark) are spooled and replayed once lifted', async () => {
    const registry = new Registry();
    const pipeline = createPipeline(options(registry, 'blocked'));
    pipeline.submit([makeEvent(0, 'iris', 'blocked-0')]);
    await pipeline.flush();
    await client.indices.putSettings({
      index: 'blocked-inference',
      settings: { 'index.blocks.read_only_allow_delete': true },
    });
    try {
      pipeline.submit(Array.from({ length: 50 }, (_, i) => makeEvent(i, 'iris', `blocked-${i + 1}`)));
      await pipeline.flush();
      expect(
        await metricValue(registry, 'plumbline_sidecar_events_spooled_total', { sink: 'elasticsearch' }),
      ).toBe(50);
    } finally {
      await client.indices.putSettings({
        index: 'blocked-inference',
        settings: { 'index.blocks.read_only_allow_delete': null },
      });
    }
    await waitFor(
      async () => (await countDocs(client, 'blocked-inference')) === 51,
      'replay after the block lifts',
    );
    expect(await metricValue(registry, 'plumbline_sidecar_events_dropped_total')).toBe(0);
    await pipeline.close();
  });

  it('a full spool (Elasticsearch refusing writes) drops the oldest by policy and counts it: documents + dropped == submitted', async () => {
    const registry = new Registry();
    const opts = options(registry, 'full');
    const pipeline = createPipeline({
      ...opts,
      spool: { dir: tmp.dir, maxBytes: 64 * 1024, segmentBytes: 8 * 1024 },
    });
    pipeline.submit([makeEvent(0, 'iris', 'full-0')]);
    await pipeline.flush();
    await client.indices.putSettings({
      index: 'full-inference',
      settings: { 'index.blocks.read_only_allow_delete': true },
    });
    const total = 500;
    try {
      for (let i = 1; i <= total; i += 20) {
        pipeline.submit(Array.from({ length: 20 }, (_, k) => makeEvent(i + k, 'iris', `full-${i + k}`)));
        await pipeline.flush();
      }
    } finally {
      await client.indices.putSettings({
        index: 'full-inference',
        settings: { 'index.blocks.read_only_allow_delete': null },
      });
    }
    const droppedNow = () =>
      metricValue(registry, 'plumbline_sidecar_events_dropped_total', {
        sink: 'elasticsearch',
        reason: 'spool_full',
      });
    expect(await droppedNow()).toBeGreaterThan(0);
    // Both sides are read on every poll: records of the batch the replay loop was writing when the spool dropped
    // their segment are counted by the sink's answer, which may come after the index is unblocked.
    await waitFor(
      async () => (await countDocs(client, 'full-inference')) + (await droppedNow()) === total + 1,
      'replay of what was kept',
    );
    await waitFor(() => pipeline.stats()[0].spooled === 0, 'the spool drained');
    // Oldest first: what survived is the newest events, plus at most the one replay batch (≤ batchSize) that was
    // already on its way to Elasticsearch when the spool dropped its segment. Elasticsearch took it, so it is
    // delivered and not counted as dropped (src/sinks/README.md, "Bounded, with a counted drop policy").
    const found = await client.search<{ request_id: string }>({
      index: 'full-inference',
      size: total + 1,
      _source: ['request_id'],
    });
    const delivered = found.hits.hits
      .map((h) => Number(h._source?.request_id.slice('full-'.length)))
      .filter((i) => i > 0)
      .sort((a, b) => a - b);
    expect(delivered.at(-1)).toBe(total);
    let newestRun = delivered.length - 1;
    while (newestRun > 0 && delivered[newestRun - 1] === delivered[newestRun] - 1) newestRun--;
    const inFlightWhenDropped = delivered.slice(0, newestRun);
    expect(inFlightWhenDropped.length).toBeLessThanOrEqual(opts.elasticsearch.batchSize);
    expect(inFlightWhenDropped).toEqual(inFlightWhenDropped.map((_, k) => inFlightWhenDropped[0] + k));
    await pipeline.close();
  });

  it('Elasticsearch stopped under a stream of events: after it returns, documents == events submitted, none twice', async () => {
    const registry = new Registry();
    const pipeline = createPipeline(options(registry, 'outage'));
    const total = 1500;
    let stoppedAt = 0;
    await stream(pipeline, (i) => makeEvent(i, 'iris', `outage-${i}`), {
      total,
      batch: 10,
      everyMs: 5,
      at: {
        400: async () => {
          // The outage starts once writes are flowing (index created, documents arriving).
          await waitFor(
            async () => (stoppedAt = await countDocs(client, 'outage-inference')) > 0,
            'first documents',
          );
          await es.stop();
        },
        1100: () => es.restart(),
      },
    });
    await pipeline.flush();
    await waitFor(
      async () => (await countDocs(client, 'outage-inference')) >= total,
      'all documents',
      180_000,
    );
    expect(stoppedAt).toBeGreaterThan(0);
    expect(await countDocs(client, 'outage-inference')).toBe(total);
    expect(await distinctRequestIds(client, 'outage-inference')).toBe(total);
    const spooled = await metricValue(registry, 'plumbline_sidecar_events_spooled_total', {
      sink: 'elasticsearch',
    });
    expect(spooled).toBeGreaterThan(0);
    await waitFor(
      async () =>
        (await metricValue(registry, 'plumbline_sidecar_events_replayed_total', {
          sink: 'elasticsearch',
        })) === spooled,
      'replay counted',
    );
    expect(await metricValue(registry, 'plumbline_sidecar_events_dropped_total')).toBe(0);
    expect(pipeline.stats()).toEqual([{ name: 'elasticsearch', queued: 0, spooled: 0 }]);
    await pipeline.close();
  });
});
