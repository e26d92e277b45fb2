/**
 * The review store over the indices the sidecar writes (plumbline-inference / plumbline-feedback by default):
 * the queue is a search of the predictions below their limit (one clause per class with its own limit, one for
 * the rest), newest first with search_after; a page's feedback is one `terms` query on its request ids. Nothing is
 * held between calls; `labelled()` walks the range with a point-in-time, page by page.
 */
import { Client } from '@elastic/elasticsearch';
import {
  foldFeedback,
  type FeedbackEvent,
  type InferenceEvent,
  type RowFeedbackState,
} from '@plumbline/schema';
import type { ElasticsearchSourceConfig } from '../config';
import { elasticsearchError, isMissingIndex } from '../sources/elasticsearch-errors';
import { acceptFeedback, acceptInference } from '../sources/validate-entry';
import type { SourceCounters } from '../sources/source';
import type { ConfidenceLimits } from './limits';
import { rowKey, type LowConfidenceQuery, type ReviewPrediction, type ReviewStore } from './review-store';
import { reviewPrediction } from './spool-review-store';

type Query = Record<string, unknown>;

export interface ElasticsearchReviewStoreOptions {
  config: ElasticsearchSourceConfig;
  /** Invalid documents are counted like the source's. */
  counters?: SourceCounters;
  /** Injected for tests; by default one is made from config.url. */
  client?: Client;
}

const NO_COUNTERS: SourceCounters = { consumed() {}, invalid() {} };

/** Predictions below their limit: each class with its own limit, then every other class under the fallback. */
export function belowLimitQuery(limits: ConfidenceLimits): Query {
  const classes = Object.keys(limits.perClass);
  const should: Query[] = classes.map((c) => ({
    bool: {
      filter: [
        { term: { 'outputs.label': c } },
        { range: { 'outputs.confidence': { lt: limits.perClass[c] } } },
      ],
    },
  }));
  should.push({
    bool: {
      filter: [{ range: { 'outputs.confidence': { lt: limits.fallback } } }],
      ...(classes.length ? { must_not: [{ terms: { 'outputs.label': classes } }] } : {}),
    },
  });
  return { bool: { should, minimum_should_match: 1 } };
}

export function createElasticsearchReviewStore(options: ElasticsearchReviewStoreOptions): ReviewStore {
  const { config } = options;
  const counters = options.counters ?? NO_COUNTERS;
  const client =
    options.client ?? new Client({ node: config.url, requestTimeout: config.timeoutMs, maxRetries: 2 });
  const wrap = (what: string, err: unknown) => elasticsearchError(config.url, what, err);

  async function search(
    index: string,
    body: Query,
    what: string,
  ): Promise<{ source: unknown; sort: unknown[] }[]> {
    try {
      const res = await client.search({ index, ignore_unavailable: true, track_total_hits: false, ...body });
      return res.hits.hits.map((h) => ({ source: h._source, sort: (h.sort ?? []) as unknown[] }));
    } catch (err) {
      if (isMissingIndex(err)) return [];
      throw wrap(what, err);
    }
  }

  function predictions(hits: { source: unknown }[]): ReviewPrediction[] {
    const out: ReviewPrediction[] = [];
    for (const h of hits) {
      const e: InferenceEvent | null = acceptInference(h.source, counters);
      if (e) out.push(reviewPrediction(e));
    }
    return out;
  }

  async function feedbackOf(list: readonly { requestId: string; row: number }[]) {
    const out = new Map<string, RowFeedbackState>();
    const wanted = new Set(list.map((r) => rowKey(r.requestId, r.row)));
    const ids = [...new Set(list.map((r) => r.requestId))];
    for (let i = 0; i < ids.length; i += 1000) {
      const hits = await search(
        config.feedbackIndex,
        {
          size: 10_000,
          query: { bool: { filter: [{ terms: { request_id: ids.slice(i, i + 1000) } }] } },
        },
        'reading review feedback',
      );
      for (const h of hits) {
        const e: FeedbackEvent | null = acceptFeedback(h.source, counters);
        if (!e) continue;
        const key = rowKey(e.request_id, e.row);
        if (wanted.has(key)) out.set(key, foldFeedback(out.get(key) ?? null, e));
      }
    }
    return out;
  }

  return {
    kind: 'elasticsearch',
    async *lowConfidence(q: LowConfidenceQuery) {
      const filter: Query[] = [{ term: { 'model.name': q.model } }, belowLimitQuery(q.limits)];
      if (q.predictedClass !== null) filter.push({ term: { 'outputs.label': q.predictedClass } });
      if (q.maxConfidence !== null)
        filter.push({ range: { 'outputs.confidence': { lte: q.maxConfidence } } });
      let after: unknown[] | null = q.after ? [q.after.atMs, q.after.eventId] : null;
      for (;;) {
        const hits = await search(
          config.inferenceIndex,
          {
            size: config.pageSize,
            query: { bool: { filter } },
            sort: [{ '@timestamp': 'desc' }, { event_id: 'desc' }],
            ...(after ? { search_after: after } : {}),
          },
          'reading the review queue',
        );
        for (const p of predictions(hits)) yield p;
        if (hits.length < config.pageSize) return;
        after = hits[hits.length - 1].sort;
      }
    },
    async prediction(model, requestId, row) {
      const hits = await search(
        config.inferenceIndex,
        {
          size: 1,
          query: {
            bool: {
              filter: [
                { term: { 'model.name': model } },
                { term: { request_id: requestId } },
                { term: { row } },
              ],
            },
          },
        },
        'looking up a prediction',
      );
      return predictions(hits)[0] ?? null;
    },
    feedback: feedbackOf,
    async *labelled(model, range) {
      const query = {
        bool: {
          filter: [
            { term: { 'model.name': model } },
            {
              range: {
                '@timestamp': {
                  gte: new Date(range.from).toISOString(),
                  lt: new Date(range.to).toISOString(),
                },
              },
            },
          ],
        },
      };
      let pit: string;
      try {
        pit = (await client.openPointInTime({ index: config.inferenceIndex, keep_alive: '2m' })).id;
      } catch (err) {
        if (isMissingIndex(err)) return;
        throw wrap('opening the export range', err);
      }
      try {
        let after: unknown[] | undefined;
        for (;;) {
          let res;
          try {
            res = await client.search({
              pit: { id: pit, keep_alive: '2m' },
              size: config.pageSize,
              query,
              sort: [{ '@timestamp': 'asc' }, { _shard_doc: 'asc' }],
              track_total_hits: false,
              ...(after ? { search_after: after as never } : {}),
            });
          } catch (err) {
            throw wrap('reading the export range', err);
          }
          pit = res.pit_id ?? pit;
          const hits = res.hits.hits;
          const page = predictions(hits.map((h) => ({ source: h._source })));
          const states = await feedbackOf(page.map((p) => ({ requestId: p.requestId, row: p.row })));
          for (const p of page)
            yield { prediction: p, feedback: states.get(rowKey(p.requestId, p.row)) ?? null };
          if (hits.length < config.pageSize) return;
          after = hits[hits.length - 1].sort as unknown[];
        }
      } finally {
        await client.closePointInTime({ id: pit }).catch(() => undefined);
      }
    },
    async close() {
      if (!options.client) await client.close();
    },
  };
}
