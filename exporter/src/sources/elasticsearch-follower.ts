/**
 * Elasticsearch followed by time (issue #18): every event of the indices the sidecar writes is read ONCE and
 * handed to a RefoldableSink (the window store), instead of re-reading the whole window per evaluation.
 *
 * - **Tail.** A cursor per index: `(@timestamp, event_id)` of the last event handed over (`event_id` null = nothing
 *   at that millisecond read yet). Each `sync()` reads the documents after the cursor and older than
 *   `now − lagMs` (refresh and the sidecar's batching stay behind that line), sorted by `@timestamp` then
 *   `event_id` (date and keyword in the sidecar's templates), in `search_after` pages inside one point in time;
 *   then the cursor moves to `(now − lagMs, null)`. The first page expresses the cursor as a query
 *   (`@timestamp > at`, or `= at` and `event_id > id`), so thousands of events in one millisecond resume exactly
 *   after the last one handed over. Inference: the configured models only (`model.name`, and `model.version`
 *   when the model config names one). Feedback: the whole feedback index (a label may carry no model).
 *   Every document is validated (`acceptInference` / `acceptFeedback`, an invalid one is counted and skipped)
 *   and counted as consumed.
 * - **Reconcile.** A sidecar replaying its spool after an Elasticsearch outage writes events with old timestamps,
 *   behind the cursor. After the tail, one search per sync counts the inference documents per model and bucket
 *   (a `terms` on `model.name` with a `date_histogram` of `sink.bucketWidthMs` under it) over the whole buckets
 *   between `now − retentionMs` and the cursor, and compares them with `sink.foldedRows` (plus the documents
 *   of that bucket found invalid, which the sink never saw). A bucket that differs is re-read whole (its model,
 *   `[start, start + width)`, point in time + `search_after`) and handed to `sink.refold`. The bucket the cursor
 *   is inside is compared once the cursor has passed its end; the bucket that straddles `now − retentionMs` is
 *   not compared (it is leaving every window). `terms` → `date_histogram` was chosen by measurement (as fast
 *   as `date_histogram` → `terms`, faster than a `composite` at 1,000,000 documents): exporter/README.md, Sources.
 *   Feedback indexed late behind the cursor is not re-read (the sink has no refold for labels).
 * - **Once.** The sidecar writes `_id` = `event_id`, so one index holds each event once, however often it was
 *   replayed. An index PATTERN that spans indices (rollover, a reindex next to the original) can hold one event
 *   in two indices: the tail hands both copies over and the per-bucket counts count both, so that event is folded
 *   twice and the reconcile sees nothing wrong. Point the exporter at indices that hold each event once.
 * - **Position.** `{ kind: 'elasticsearch', inference: { at, eventId }, feedback: { at, eventId } }` (epoch ms,
 *   event id or null). Inside a sink call it already counts the event being handed over; `start(sink, from)`
 *   resumes just after it. A position older than the retention resumes at the retention's start (older events
 *   are in no window). First start (`from` null): the cursors start at `now − retentionMs`, rounded down to a
 *   bucket start so the first bucket is whole.
 * - **Sync.** `start()` runs the first sync (the catch-up) and resolves when it is done; there is no background
 *   loop: the exporter calls `sync()` before each evaluation. Syncs are serialised (a second call waits for the
 *   running one, then runs). A sync that fails keeps what it handed over (the cursor stays after it): the next
 *   `sync()` goes on from there, also after a failed `start()` (a second `start()` is refused). A missing index
 *   is an empty source; no answer → EXPORTER_ERR_SOURCE_UNAVAILABLE, an error answer (a shard failure included:
 *   a partial page would move the cursor past unread events) → EXPORTER_ERR_SOURCE_QUERY. Shards that have not
 *   started yet (an index a sidecar created a moment ago; `isShardsStarting`) are waited for within the sync, in
 *   the steps of SHARDS_STARTING_WAIT_MS, before that error: an exporter started beside a fresh index must not
 *   fail its start for it.
 *
 * Memory: a page of documents while tailing; one whole bucket of one model while refolding it.
 */
import { Client } from '@elastic/elasticsearch';
import { elasticsearchClientSettings } from '@plumbline/service-kit';
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import type { ElasticsearchSourceConfig } from '../config';
import { elasticsearchError, isMissingIndex, isShardsStarting } from './elasticsearch-errors';
import type { EventFollower, RefoldableSink, SourcePosition } from './follow';
import type { EventKind, SourceCounters } from './source';
import { acceptFeedback, acceptInference } from './validate-entry';

type Query = Record<string, unknown>;

/** Waits (ms) between the attempts of a sync that met shards not started yet; their sum is the longest wait. */
export const SHARDS_STARTING_WAIT_MS = [250, 500, 1000, 2000, 4000];

/** The default distance behind now that the tail keeps (refresh interval and the sidecar's batching). */
export const DEFAULT_ELASTICSEARCH_LAG_MS = 5000;

export interface ElasticsearchFollowerOptions {
  config: ElasticsearchSourceConfig;
  counters: SourceCounters;
  /** The models whose inference events are read; `version` null = every version. */
  models: readonly { readonly name: string; readonly version: string | null }[];
  /** How far back the windows reach (`retentionMs(window)`): where a first start begins, what is reconciled. */
  retentionMs: number;
  /** Events newer than `now − lagMs` wait for a later sync. @default DEFAULT_ELASTICSEARCH_LAG_MS */
  lagMs?: number;
  /** @default Date.now */
  now?: () => number;
  /** Injected for tests; by default one is made from config.url. */
  client?: Client;
}

/** Where a tail stands: everything up to `(at, eventId)` was handed over; `eventId` null = nothing at `at`. */
export interface TailCursor {
  /** Epoch ms. */
  at: number;
  eventId: string | null;
}

export interface ElasticsearchPosition extends SourcePosition {
  readonly kind: 'elasticsearch';
  readonly inference: TailCursor;
  readonly feedback: TailCursor;
}

interface Hit {
  _id?: string;
  _source?: unknown;
  sort?: unknown[];
}

const SORT = [
  { '@timestamp': { order: 'asc' } },
  // Documents without an id (invalid anyway) sort after every id of their millisecond.
  { event_id: { order: 'asc', missing: '_last' } },
  { _shard_doc: 'asc' },
];
const KEEP_ALIVE = '1m';

function isCursor(v: unknown): v is TailCursor {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return Number.isFinite(c.at) && (c.eventId === null || typeof c.eventId === 'string');
}

function parsePosition(from: SourcePosition): ElasticsearchPosition {
  if (from.kind !== 'elasticsearch' || !isCursor(from.inference) || !isCursor(from.feedback)) {
    throw new RangeError(
      `not an Elasticsearch position: ${JSON.stringify(from)} (expected { kind: 'elasticsearch', ` +
        `inference: { at, eventId }, feedback: { at, eventId } })`,
    );
  }
  return from as ElasticsearchPosition;
}

const epochMs = (range: Record<string, number>): Query => ({
  range: { '@timestamp': { ...range, format: 'epoch_millis' } },
});

/** Documents after `cursor` (in the tail's sort order) and before `toMs`. */
/** How far before its cursor feedback is read again on each sync (labels that became visible late). */
export const FEEDBACK_OVERLAP_MS = 60_000;

/** Counters for documents read again: counted the first time already. */
const quietCounters: SourceCounters = { consumed: () => undefined, invalid: () => undefined };

/**
 * True when a hit (its sort values: time, event id) is past the cursor — not handed over yet. A cursor
 * `(at, null)` has handed over everything before `at`; `(at, id)` also the ids up to `id` at `at`.
 */
function isPast(sort: readonly unknown[] | undefined, cursor: TailCursor): boolean {
  const [at, id] = sort ?? [];
  if (typeof at !== 'number') return false;
  if (at !== cursor.at) return at > cursor.at;
  return cursor.eventId === null || typeof id !== 'string' || id > cursor.eventId;
}

function afterCursor(cursor: TailCursor, toMs: number): Query[] {
  const before = epochMs({ lt: toMs });
  if (cursor.eventId === null) return [epochMs({ gte: cursor.at }), before];
  const sameMs = epochMs({ gte: cursor.at, lte: cursor.at });
  return [
    before,
    {
      bool: {
        should: [
          epochMs({ gt: cursor.at }),
          { bool: { filter: [sameMs, { range: { event_id: { gt: cursor.eventId } } }] } },
          { bool: { filter: [sameMs], must_not: [{ exists: { field: 'event_id' } }] } },
        ],
        minimum_should_match: 1,
      },
    },
  ];
}

/** One clause per model name: the name, and its versions when every config of that name names one. */
function modelClauses(models: ElasticsearchFollowerOptions['models']): Map<string, Query> {
  const versions = new Map<string, Set<string> | null>();
  for (const m of models) {
    const seen = versions.get(m.name);
    if (m.version === null || seen === null) versions.set(m.name, null);
    else versions.set(m.name, new Set([...(seen ?? []), m.version]));
  }
  const clauses = new Map<string, Query>();
  for (const [name, v] of versions) {
    const filter: Query[] = [{ term: { 'model.name': name } }];
    if (v !== null) filter.push({ terms: { 'model.version': [...v].sort() } });
    clauses.set(name, { bool: { filter } });
  }
  return clauses;
}

const alignDown = (t: number, w: number) => Math.floor(t / w) * w;
const alignUp = (t: number, w: number) => Math.ceil(t / w) * w;

function modelNameOf(source: unknown): string | null {
  const model = (source as { model?: { name?: unknown } } | undefined)?.model;
  return typeof model?.name === 'string' ? model.name : null;
}

export function createElasticsearchFollower(options: ElasticsearchFollowerOptions): EventFollower {
  const { config, counters, retentionMs } = options;
  const lagMs = options.lagMs ?? DEFAULT_ELASTICSEARCH_LAG_MS;
  const now = options.now ?? Date.now;
  const client =
    options.client ??
    new Client({
      ...elasticsearchClientSettings(config, 'source'),
      requestTimeout: config.timeoutMs,
      maxRetries: 2,
    });
  const clauses = modelClauses(options.models);
  const modelsQuery: Query = { bool: { should: [...clauses.values()], minimum_should_match: 1 } };

  let sink: RefoldableSink | null = null;
  let inferenceCursor: TailCursor = { at: 0, eventId: null };
  let feedbackCursor: TailCursor = { at: 0, eventId: null };
  /** Feedback ids read within FEEDBACK_OVERLAP_MS of the cursor, and their times (read again: not counted). */
  const recentFeedback = new Map<string, number>();
  /** Documents found invalid per model and bucket start: in the index's counts, never in the sink's. */
  const invalidRows = new Map<string, Map<number, number>>();
  let queue: Promise<void> = Promise.resolve();
  let closed = false;

  /** Every hit of `query` in `index`, in the tail's order, a page at a time, inside one point in time. */
  async function scan(index: string, query: Query, onPage: (hits: readonly Hit[]) => void): Promise<void> {
    let pit: string;
    try {
      pit = (await client.openPointInTime({ index, keep_alive: KEEP_ALIVE, ignore_unavailable: true })).id;
    } catch (err) {
      if (isMissingIndex(err)) return;
      throw err;
    }
    try {
      let after: unknown[] | undefined;
      for (;;) {
        const res = await client.search({
          pit: { id: pit, keep_alive: KEEP_ALIVE },
          size: config.pageSize,
          query,
          sort: SORT as never,
          track_total_hits: false,
          allow_partial_search_results: false,
          ...(after ? { search_after: after as never } : {}),
        });
        pit = res.pit_id ?? pit;
        if (res._shards.failed > 0) throw new Error(`${res._shards.failed} shard(s) failed`);
        const hits = res.hits.hits as Hit[];
        onPage(hits);
        if (hits.length < config.pageSize) break;
        after = hits[hits.length - 1].sort;
      }
    } finally {
      await client.closePointInTime({ id: pit }).catch(() => undefined);
    }
  }

  /** The cursor just after `hit` (a document without an id leaves it where it was: see SORT). */
  function cursorAfter(hit: Hit, cursor: TailCursor): TailCursor {
    const [at, eventId] = hit.sort ?? [];
    if (typeof at !== 'number' || typeof eventId !== 'string') return cursor;
    return { at, eventId };
  }

  function noteInvalid(model: string, startMs: number, count: number): void {
    let byBucket = invalidRows.get(model);
    if (!byBucket) invalidRows.set(model, (byBucket = new Map()));
    if (count === 0) byBucket.delete(startMs);
    else byBucket.set(startMs, count);
  }

  async function tailInference(target: RefoldableSink, toMs: number): Promise<void> {
    if (clauses.size === 0) return;
    const w = target.bucketWidthMs;
    const query = { bool: { filter: [modelsQuery, ...afterCursor(inferenceCursor, toMs)] } };
    await scan(config.inferenceIndex, query, (hits) => {
      if (hits.length > 0) counters.consumed('inference', hits.length);
      for (const hit of hits) {
        inferenceCursor = cursorAfter(hit, inferenceCursor);
        const event = acceptInference(hit._source, counters);
        if (event) {
          target.inference(event);
          continue;
        }
        const model = modelNameOf(hit._source);
        const at = hit.sort?.[0];
        if (model !== null && typeof at === 'number') {
          const start = alignDown(at, w);
          noteInvalid(model, start, (invalidRows.get(model)?.get(start) ?? 0) + 1);
        }
      }
    });
    if (toMs > inferenceCursor.at) inferenceCursor = { at: toMs, eventId: null };
  }

  /**
   * Feedback is read again from FEEDBACK_OVERLAP_MS before the cursor on every sync: a label that became visible
   * late (index refresh, the sidecar's batching) is still found, and reading a label twice changes nothing (the
   * label join keeps the latest per row). Each label counts as consumed once.
   */
  async function tailFeedback(target: RefoldableSink, toMs: number): Promise<void> {
    const from: TailCursor = { at: Math.max(0, feedbackCursor.at - FEEDBACK_OVERLAP_MS), eventId: null };
    const query = { bool: { filter: afterCursor(from, toMs) } };
    await scan(config.feedbackIndex, query, (hits) => {
      for (const hit of hits) {
        if (isPast(hit.sort, feedbackCursor)) feedbackCursor = cursorAfter(hit, feedbackCursor);
        // Counted once: the ids read in the overlap are remembered for as long as they can be read again.
        const id = hit._id ?? '';
        const at = typeof hit.sort?.[0] === 'number' ? hit.sort[0] : 0;
        const isNew = id === '' || !recentFeedback.has(id);
        if (isNew) {
          recentFeedback.set(id, at);
          counters.consumed('feedback', 1);
        }
        const event: FeedbackEvent | null = acceptFeedback(hit._source, isNew ? counters : quietCounters);
        if (event) target.feedback(event);
      }
    });
    if (toMs > feedbackCursor.at) feedbackCursor = { at: toMs, eventId: null };
    for (const [id, at] of recentFeedback)
      if (at < feedbackCursor.at - FEEDBACK_OVERLAP_MS) recentFeedback.delete(id);
  }

  /** Inference documents per model and bucket start in [fromMs, toMs), as the index holds them now. */
  async function indexCounts(
    fromMs: number,
    toMs: number,
    widthMs: number,
  ): Promise<Map<string, Map<number, number>>> {
    const counts = new Map<string, Map<number, number>>();
    let res;
    try {
      res = await client.search({
        index: config.inferenceIndex,
        ignore_unavailable: true,
        allow_partial_search_results: false,
        size: 0,
        track_total_hits: false,
        query: { bool: { filter: [modelsQuery, epochMs({ gte: fromMs, lt: toMs })] } },
        aggs: {
          models: {
            terms: { field: 'model.name', size: clauses.size },
            aggs: {
              buckets: {
                date_histogram: { field: '@timestamp', fixed_interval: `${widthMs}ms`, min_doc_count: 1 },
              },
            },
          },
        },
      });
    } catch (err) {
      if (isMissingIndex(err)) return counts;
      throw err;
    }
    if (res._shards.failed > 0) throw new Error(`${res._shards.failed} shard(s) failed`);
    type Buckets = { buckets: { key: unknown; doc_count: number; buckets?: Buckets }[] };
    for (const m of (res.aggregations?.models as unknown as Buckets | undefined)?.buckets ?? []) {
      const byStart = new Map<number, number>();
      for (const b of m.buckets?.buckets ?? []) byStart.set(Number(b.key), b.doc_count);
      counts.set(String(m.key), byStart);
    }
    return counts;
  }

  /** Re-reads one model's bucket whole and hands it to `sink.refold`; invalid documents counted once. */
  async function refold(target: RefoldableSink, model: string, startMs: number): Promise<void> {
    const clause = clauses.get(model) as Query;
    const query = {
      bool: { filter: [clause, epochMs({ gte: startMs, lt: startMs + target.bucketWidthMs })] },
    };
    const known = invalidRows.get(model)?.get(startMs) ?? 0;
    let invalid = 0;
    const quiet: SourceCounters = {
      consumed: () => undefined,
      invalid(kind: EventKind, error: string) {
        invalid += 1;
        if (invalid > known) counters.invalid(kind, error);
      },
    };
    const events: InferenceEvent[] = [];
    await scan(config.inferenceIndex, query, (hits) => {
      if (hits.length > 0) counters.consumed('inference', hits.length);
      for (const hit of hits) {
        const event = acceptInference(hit._source, quiet);
        if (event) events.push(event);
      }
    });
    noteInvalid(model, startMs, invalid);
    target.refold(model, startMs, events);
  }

  async function reconcile(target: RefoldableSink, nowMs: number): Promise<void> {
    const w = target.bucketWidthMs;
    const fromMs = alignUp(nowMs - retentionMs, w);
    const toMs = alignDown(inferenceCursor.at, w);
    for (const byBucket of invalidRows.values()) {
      for (const start of byBucket.keys()) if (start < fromMs) byBucket.delete(start);
    }
    if (clauses.size === 0 || toMs <= fromMs) return;
    const counts = await indexCounts(fromMs, toMs, w);
    for (const model of clauses.keys()) {
      const inIndex = counts.get(model) ?? new Map<number, number>();
      const folded = target.foldedRows(model, { from: fromMs, to: toMs });
      const starts = new Set([...inIndex.keys(), ...folded.keys()]);
      for (const start of [...starts].sort((a, b) => a - b)) {
        if (start < fromMs || start >= toMs) continue;
        const expected = inIndex.get(start) ?? 0;
        const seen = (folded.get(start) ?? 0) + (invalidRows.get(model)?.get(start) ?? 0);
        if (seen !== expected) await refold(target, model, start);
      }
    }
  }

  async function syncOnce(): Promise<void> {
    if (closed) throw new Error('the Elasticsearch follower is closed');
    const target = sink;
    if (!target) throw new Error('sync() before start()');
    for (let attempt = 0; ; attempt++) {
      const nowMs = now();
      const toMs = nowMs - lagMs;
      let step = 'tailing the inference index';
      try {
        await tailInference(target, toMs);
        step = 'tailing the feedback index';
        await tailFeedback(target, toMs);
        step = 'reconciling the inference buckets';
        await reconcile(target, nowMs);
        return;
      } catch (err) {
        // What was handed over stays handed over (the cursors moved with it): the next attempt goes on from there.
        if (isShardsStarting(err) && attempt < SHARDS_STARTING_WAIT_MS.length && !closed) {
          await new Promise((resolve) => setTimeout(resolve, SHARDS_STARTING_WAIT_MS[attempt]));
          continue;
        }
        throw elasticsearchError(config.url, step, err);
      }
    }
  }

  function serialised(): Promise<void> {
    const run = queue.then(syncOnce);
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    kind: 'elasticsearch',
    async start(target, from) {
      if (sink) throw new Error('the Elasticsearch follower is already started');
      const retentionStart = alignDown(now() - retentionMs, target.bucketWidthMs);
      const initial: TailCursor = { at: retentionStart, eventId: null };
      const position = from === null ? null : parsePosition(from);
      const resume = (c: TailCursor | undefined): TailCursor =>
        c && c.at >= retentionStart ? { at: c.at, eventId: c.eventId } : initial;
      inferenceCursor = resume(position?.inference);
      feedbackCursor = resume(position?.feedback);
      sink = target;
      await serialised();
    },
    sync: serialised,
    position(): ElasticsearchPosition {
      return { kind: 'elasticsearch', inference: { ...inferenceCursor }, feedback: { ...feedbackCursor } };
    },
    owns: () => true,
    async close() {
      await queue;
      closed = true;
      if (!options.client) await client.close();
    },
  };
}
