/**
 * Reads a window straight from the indices the sidecar writes (plumbline-inference / plumbline-feedback by
 * default, see inference-sidecar/src/sinks/elasticsearch.ts): a `_count` first (below the minimum sample size
 * nothing more is fetched), then a point-in-time with search_after pages, newest first, up to
 * `maxEventsPerWindow` rows — a consistent snapshot even while the sidecar keeps writing.
 */
import { Client } from '@elastic/elasticsearch';
import { elasticsearchClientSettings } from '@plumbline/service-kit';
import type { ElasticsearchSourceConfig } from '../config';
import { acceptFeedback, acceptInference } from './validate-entry';
import type { EventKind, EventSource, SourceCounters, WindowEvents, WindowQuery } from './source';
import { elasticsearchError, isMissingIndex } from './elasticsearch-errors';
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';

type Query = Record<string, unknown>;

export interface ElasticsearchSourceOptions {
  config: ElasticsearchSourceConfig;
  counters: SourceCounters;
  /** Injected for tests; by default one is made from config.url. */
  client?: Client;
}

function inferenceQuery(q: WindowQuery): Query {
  const filter: Query[] = [
    { term: { 'model.name': q.model } },
    {
      range: {
        '@timestamp': { gte: new Date(q.range.from).toISOString(), lt: new Date(q.range.to).toISOString() },
      },
    },
  ];
  if (q.version !== null) filter.push({ term: { 'model.version': q.version } });
  return { bool: { filter } };
}

function feedbackQuery(q: WindowQuery): Query {
  return {
    bool: {
      filter: [{ range: { '@timestamp': { gte: new Date(q.range.from).toISOString() } } }],
      should: [
        { term: { 'model.name': q.model } },
        { bool: { must_not: { exists: { field: 'model.name' } } } },
      ],
      minimum_should_match: 1,
    },
  };
}

export function createElasticsearchSource(options: ElasticsearchSourceOptions): EventSource {
  const { config, counters } = options;
  const client =
    options.client ??
    new Client({
      ...elasticsearchClientSettings(config, 'source'),
      requestTimeout: config.timeoutMs,
      maxRetries: 2,
    });

  const wrap = (what: string, err: unknown) => elasticsearchError(config.url, what, err);

  /** Every hit of `query` in `index` via PIT + search_after, newest first, up to `limit`. */
  async function scan(
    index: string,
    query: Query,
    limit: number,
    take: (source: unknown) => void,
  ): Promise<number> {
    let pit: string;
    try {
      pit = (await client.openPointInTime({ index, keep_alive: '1m', ignore_unavailable: true })).id;
    } catch (err) {
      if (isMissingIndex(err)) return 0;
      throw err;
    }
    let seen = 0;
    try {
      let after: unknown[] | undefined;
      while (seen < limit) {
        const res = await client.search({
          pit: { id: pit, keep_alive: '1m' },
          size: Math.min(config.pageSize, limit - seen),
          query,
          sort: [{ '@timestamp': 'desc' }, { _shard_doc: 'desc' }],
          track_total_hits: false,
          ...(after ? { search_after: after as never } : {}),
        });
        pit = res.pit_id ?? pit;
        const hits = res.hits.hits;
        for (const h of hits) take(h._source);
        seen += hits.length;
        if (hits.length < config.pageSize) break;
        after = hits[hits.length - 1].sort as unknown[];
      }
    } finally {
      await client.closePointInTime({ id: pit }).catch(() => undefined);
    }
    return seen;
  }

  /** The window's events of one kind: scanned, validated by `accept`, and counted as consumed. */
  async function collect<T>(
    kind: EventKind,
    index: string,
    query: Query,
    accept: (raw: unknown, counters: SourceCounters) => T | null,
  ): Promise<T[]> {
    const events: T[] = [];
    const read = await scan(index, query, config.maxEventsPerWindow, (source) => {
      const event = accept(source, counters);
      if (event) events.push(event);
    });
    counters.consumed(kind, read);
    return events;
  }

  return {
    kind: 'elasticsearch',
    async start() {
      try {
        await client.cluster.health({ timeout: `${Math.ceil(config.timeoutMs / 1000)}s` });
      } catch (err) {
        throw wrap('connecting', err);
      }
    },
    async read(q: WindowQuery): Promise<WindowEvents> {
      let total: number;
      try {
        total = (
          await client.count({
            index: config.inferenceIndex,
            query: inferenceQuery(q),
            ignore_unavailable: true,
          })
        ).count;
      } catch (err) {
        if (isMissingIndex(err)) total = 0;
        else throw wrap('counting the window', err);
      }
      if (total < q.minimumSamples) return { inference: [], feedback: [], total, truncated: false };
      let inference: InferenceEvent[];
      let feedback: FeedbackEvent[];
      try {
        inference = await collect('inference', config.inferenceIndex, inferenceQuery(q), acceptInference);
        feedback = await collect('feedback', config.feedbackIndex, feedbackQuery(q), acceptFeedback);
      } catch (err) {
        throw wrap('reading the window', err);
      }
      inference.reverse();
      return {
        inference,
        feedback,
        total: Math.max(total, inference.length),
        truncated: total > config.maxEventsPerWindow,
      };
    },
    owns: () => true,
    async close() {
      if (!options.client) await client.close();
    },
  };
}
