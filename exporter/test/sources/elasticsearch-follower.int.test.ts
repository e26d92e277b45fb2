// The Elasticsearch follower against a real Elasticsearch (harness, shared per run): each test gets its own
// indices, mapped like the sidecar's (its index templates), and a fake clock; the follower's sink records ids.
import { randomUUID } from 'node:crypto';
import { Client, errors } from '@elastic/elasticsearch';
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { freePort, sharedElasticsearch } from '@plumbline/harness';
import { parseConfig } from '../../src/config';
import {
  FEEDBACK_OVERLAP_MS,
  createElasticsearchFollower,
  SourceError,
  type ElasticsearchPosition,
} from '../../src/sources';
import type { SourcePosition } from '../../src/sources/follow';
import { inferenceTemplate } from '@plumbline/sidecar';
import { isShardsStarting } from '../../src/sources/elasticsearch-errors';
import { recordingCounters } from '../helpers/counters';
import { createEventIndices, indexEvents } from '../helpers/elasticsearch';
import { feedbackEvent, inferenceEvent } from '../helpers/events';
import { recordingSink } from '../helpers/recording-sink';

jest.setTimeout(300_000);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A bucket start (epoch-aligned minute). */
const W0 = Date.parse('2026-03-01T10:00:00Z');
const LAG = 5000;

let url: string;
let client: Client;
const created: string[] = [];

beforeAll(async () => {
  url = (await sharedElasticsearch()).url;
  client = new Client({ node: url });
});

afterAll(async () => {
  if (created.length > 0) await client.indices.delete({ index: created, ignore_unavailable: true });
  await client.close();
});

async function freshIndices(): Promise<{ inference: string; feedback: string }> {
  const suffix = randomUUID().slice(0, 8);
  const indices = {
    inference: `plumbline-inference-fol-${suffix}`,
    feedback: `plumbline-feedback-fol-${suffix}`,
  };
  await createEventIndices(client, indices);
  created.push(indices.inference, indices.feedback);
  return indices;
}

interface FollowerSetup {
  indices: { inference: string; feedback: string };
  clock: { now: number };
  models?: { name: string; version: string | null }[];
  pageSize?: number;
  url?: string;
  client?: Client;
}

function follower(setup: FollowerSetup) {
  const config = parseConfig({
    models: [{ name: 'iris' }],
    source: {
      kind: 'elasticsearch',
      url: setup.url ?? url,
      inferenceIndex: setup.indices.inference,
      feedbackIndex: setup.indices.feedback,
      pageSize: setup.pageSize ?? 1000,
      timeoutMs: 5000,
    },
  }).source;
  if (config.kind !== 'elasticsearch') throw new Error('unreachable');
  const counters = recordingCounters();
  const f = createElasticsearchFollower({
    config,
    counters,
    models: setup.models ?? [{ name: 'iris', version: null }],
    retentionMs: HOUR,
    lagMs: LAG,
    now: () => setup.clock.now,
    client: setup.client,
  });
  return { follower: f, counters };
}

/** `n` events of `model` spread evenly over [from, from + spanMs). */
function spread(n: number, from: number, spanMs: number, prefix: string, model = 'iris'): InferenceEvent[] {
  return Array.from({ length: n }, (_, i) =>
    inferenceEvent({
      requestId: `${prefix}-${i}`,
      at: from + Math.floor((i * spanMs) / n),
      model,
      features: { x: i },
      label: 'a',
    }),
  );
}

function idsOf(events: readonly { event_id: string }[]): string[] {
  return events.map((e) => e.event_id).sort();
}

function expectOnce(delivered: readonly string[], expected: readonly { event_id: string }[]): void {
  expect(new Set(delivered).size).toBe(delivered.length); // no id twice
  expect([...delivered].sort()).toEqual(idsOf(expected));
}

function perBucket(events: readonly InferenceEvent[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const e of events) {
    const start = Math.floor(Date.parse(e['@timestamp']) / MINUTE) * MINUTE;
    counts.set(start, (counts.get(start) ?? 0) + 1);
  }
  return counts;
}

const sortedEntries = (m: ReadonlyMap<number, number>) => [...m].sort(([a], [b]) => a - b);

describe('Elasticsearch follower', () => {
  it('delivers 20,000 events over ten minutes exactly once, then exactly the new ones on sync', async () => {
    const indices = await freshIndices();
    const first = spread(20_000, W0, 10 * MINUTE, 'first');
    const other = spread(500, W0, 10 * MINUTE, 'other', 'other-model');
    await indexEvents(client, indices.inference, [...first, ...other]);
    const clock = { now: W0 + 10 * MINUTE + LAG };
    const { follower: f, counters } = follower({ indices, clock });
    const sink = recordingSink();
    await f.start(sink, null);
    // Every check of exactly-once also checks that no bucket was refolded (a refold would hide a duplicate).
    expectOnce(sink.inferenceIds(), first); // and nothing of the model that is not configured
    expect(counters.consumedBy).toEqual({ inference: 20_000 });
    expect(sink.refolds).toEqual([]);
    expect(f.position()).toEqual({
      kind: 'elasticsearch',
      inference: { at: W0 + 10 * MINUTE, eventId: null },
      feedback: { at: W0 + 10 * MINUTE, eventId: null },
    });

    const more = spread(3000, W0 + 10 * MINUTE, 2 * MINUTE, 'more');
    await indexEvents(client, indices.inference, more);
    clock.now += 2 * MINUTE;
    await f.sync();
    expectOnce(sink.inferenceIds(), [...first, ...more]);
    expect(counters.consumedBy).toEqual({ inference: 23_000 });
    await f.sync(); // nothing new: nothing read
    expect(counters.consumedBy).toEqual({ inference: 23_000 });
    expect(sink.refolds).toEqual([]);
    await f.close();
  });

  it('resumes from position() in a new follower with nothing lost or repeated, 5,000 events sharing one millisecond', async () => {
    const indices = await freshIndices();
    const T = W0 + 3 * MINUTE + 123;
    const tied = Array.from({ length: 5000 }, (_, i) => inferenceEvent({ requestId: `tie-${i}`, at: T }));
    const around = [...spread(1000, W0, 3 * MINUTE, 'before'), ...spread(1000, T + 1, 2 * MINUTE, 'after')];
    const all = [...tied, ...around];
    await indexEvents(client, indices.inference, all);
    const clock = { now: W0 + 6 * MINUTE };

    // Positions taken inside sink calls: before the tie, on page edges inside it, mid-page, on its last event
    // (pages of 700: 0–999 before the tie, 1000–5999 the tie, 6000–6999 after it). A checkpoint saves the sink's
    // state with the position: the new follower's sink starts with what the first had folded by then.
    const at = new Set([0, 999, 1000, 1001, 1399, 1400, 2099, 2100, 3345, 5999, 6999]);
    const taken: { position: SourcePosition; delivered: InferenceEvent[] }[] = [];
    const delivered: InferenceEvent[] = [];
    const firstSink = recordingSink({
      onInference: (e) => {
        delivered.push(e);
        if (at.has(delivered.length - 1))
          taken.push({ position: first.position(), delivered: [...delivered] });
      },
    });
    const { follower: first } = follower({ indices, clock, pageSize: 700 });
    await first.start(firstSink, null);
    expectOnce(firstSink.inferenceIds(), all);
    expect(taken).toHaveLength(at.size);
    expect(taken.filter((t) => (t.position.inference as { at: number }).at === T)).toHaveLength(8);

    for (const { position, delivered: before } of taken) {
      const { follower: next } = follower({ indices, clock, pageSize: 700 });
      const sink = recordingSink();
      for (const e of before) sink.inference(e);
      await next.start(sink, position);
      expectOnce(sink.inferenceIds(), all);
      expect(sink.refolds).toEqual([]);
      await next.close();
    }

    // A position after a complete sync, then more events in the same millisecond and after it.
    const position = first.position();
    await first.close();
    const late = [
      ...Array.from({ length: 50 }, (_, i) =>
        inferenceEvent({ requestId: `tie-late-${i}`, at: W0 + 6 * MINUTE }),
      ),
      ...spread(100, W0 + 6 * MINUTE + 1, MINUTE, 'later'),
    ];
    await indexEvents(client, indices.inference, late);
    clock.now += 2 * MINUTE;
    const { follower: resumed } = follower({ indices, clock, pageSize: 700 });
    const sink = recordingSink();
    for (const e of delivered) sink.inference(e);
    await resumed.start(sink, position);
    expectOnce(sink.inferenceIds(), [...all, ...late]);
    expect(sink.refolds).toEqual([]);
    await resumed.close();
  });

  it('refolds exactly the buckets that late-indexed events landed in; the per-bucket counts then equal the index', async () => {
    const indices = await freshIndices();
    const onTime = spread(3000, W0, 5 * MINUTE, 'on-time');
    await indexEvents(client, indices.inference, onTime);
    // A broken document of a configured model, read by the tail: counted invalid, and known to the reconcile.
    await client.index({
      index: indices.inference,
      id: 'broken-1',
      refresh: 'wait_for',
      document: {
        model: { name: 'iris', version: '1' },
        '@timestamp': new Date(W0 + 10).toISOString(),
        event_id: 'broken-1',
      },
    });
    // And one without an id (the tail's cursor stays put on it; it sorts after every id of its millisecond).
    await client.index({
      index: indices.inference,
      refresh: 'wait_for',
      document: { model: { name: 'iris' }, '@timestamp': new Date(W0 + 10).toISOString() },
    });
    const clock = { now: W0 + 6 * MINUTE };
    const { follower: f, counters } = follower({ indices, clock });
    const sink = recordingSink();
    await f.start(sink, null);
    expect(counters.invalidBy).toEqual({ inference: 2 });
    expect(sink.refolds).toEqual([]); // the broken documents do not make bucket 0 differ

    // A sidecar replays its spool: old timestamps, in buckets 1 and 3 (behind the cursor).
    const replayed = [
      ...spread(37, W0 + MINUTE, MINUTE, 'replayed-a'),
      ...spread(5, W0 + 3 * MINUTE + 30_000, 1000, 'replayed-b'),
    ];
    await indexEvents(client, indices.inference, replayed);
    clock.now += MINUTE;
    await f.sync();
    expect(sink.refolds).toEqual([
      { model: 'iris', startMs: W0 + MINUTE, rows: 600 + 37 },
      { model: 'iris', startMs: W0 + 3 * MINUTE, rows: 600 + 5 },
    ]);
    expect(sortedEntries(sink.counts('iris'))).toEqual(sortedEntries(perBucket([...onTime, ...replayed])));
    expectOnce(sink.inferenceIds(), [...onTime, ...replayed]);
    expect(counters.invalidBy).toEqual({ inference: 2 }); // not counted again
    await f.sync(); // nothing differs any more
    expect(sink.refolds).toHaveLength(2);

    // A late broken document: its bucket is re-read once, then known.
    await client.index({
      index: indices.inference,
      id: 'broken-2',
      refresh: 'wait_for',
      document: {
        model: { name: 'iris', version: '1' },
        '@timestamp': new Date(W0 + 2 * MINUTE).toISOString(),
        event_id: 'broken-2',
      },
    });
    await f.sync();
    expect(sink.refolds.slice(2)).toEqual([{ model: 'iris', startMs: W0 + 2 * MINUTE, rows: 600 }]);
    expect(counters.invalidBy).toEqual({ inference: 3 });
    await f.sync();
    expect(sink.refolds).toHaveLength(3);

    // A sink that lost a bucket (or holds one the index does not): made equal to the index.
    sink.buckets.get('iris')?.delete(W0 + 4 * MINUTE);
    sink.buckets.get('iris')?.set(W0 + 5 * MINUTE + 0, ['ghost']);
    await f.sync();
    expect(sink.refolds.slice(3)).toEqual([
      { model: 'iris', startMs: W0 + 4 * MINUTE, rows: 600 },
      { model: 'iris', startMs: W0 + 5 * MINUTE, rows: 0 },
    ]);
    expect(sortedEntries(sink.counts('iris')).filter(([, n]) => n > 0)).toEqual(
      sortedEntries(perBucket([...onTime, ...replayed])),
    );
    await f.close();
  });

  it('keeps what a failed sync handed over: the next sync goes on after it', async () => {
    const indices = await freshIndices();
    const events = spread(2000, W0, 4 * MINUTE, 'flaky');
    await indexEvents(client, indices.inference, events);
    // A client whose third search (the third page of the first sync) finds the node gone.
    const flaky = new Client({ node: url });
    const search = flaky.search.bind(flaky) as (...args: unknown[]) => Promise<unknown>;
    let searches = 0;
    (flaky as unknown as { search: typeof search }).search = (...args) => {
      searches += 1;
      return searches === 3 ? Promise.reject(new errors.ConnectionError('injected')) : search(...args);
    };
    const clock = { now: W0 + 5 * MINUTE };
    const { follower: f } = follower({ indices, clock, pageSize: 300, client: flaky });
    const sink = recordingSink();
    const err = await f.start(sink, null).catch((e: unknown) => e);
    expect((err as SourceError).code).toBe('EXPORTER_ERR_SOURCE_UNAVAILABLE');
    expect(sink.inferenceIds()).toHaveLength(600);
    expect(f.position()).toMatchObject({ inference: { eventId: events[599].event_id } });
    await f.sync();
    expectOnce(sink.inferenceIds(), events);
    expect(sink.refolds).toEqual([]);
    await f.close();
    await flaky.close();
  });

  it('leaves events newer than now − lag for a later sync', async () => {
    const indices = await freshIndices();
    const clock = { now: W0 + 10 * MINUTE };
    const old = spread(10, clock.now - LAG - 1000, 1000, 'old');
    const fresh = spread(10, clock.now - LAG, LAG, 'fresh'); // from exactly now − lag on
    await indexEvents(client, indices.inference, [...old, ...fresh]);
    const { follower: f } = follower({ indices, clock });
    const sink = recordingSink();
    await f.start(sink, null);
    expectOnce(sink.inferenceIds(), old);
    clock.now += LAG;
    await f.sync();
    expectOnce(sink.inferenceIds(), [...old, ...fresh]);
    expect(sink.refolds).toEqual([]); // read by the tail, not found by the reconcile
    await f.close();
  });

  it('tails all of the feedback index by time (labels with and without a model), counting each once, re-reading the last minute (labels that became visible late), and resumes it', async () => {
    const indices = await freshIndices();
    const labels = (n: number, from: number, prefix: string): FeedbackEvent[] =>
      Array.from({ length: n }, (_, i) =>
        feedbackEvent({
          requestId: `${prefix}-${i}`,
          at: from + i * 100,
          truth: 'a',
          ...(i % 3 === 0 ? { model: 'other-model' } : {}),
        }),
      ).map((e, i) => (i % 3 === 1 ? { ...e, model: null } : e));
    const before = labels(1500, W0, 'fb');
    await indexEvents(client, indices.feedback, before);
    const clock = { now: W0 + 5 * MINUTE };
    const { follower: f, counters } = follower({ indices, clock, pageSize: 400 });
    const sink = recordingSink();
    await f.start(sink, null);
    expectOnce(sink.feedbackIds, before);
    expect(counters.consumedBy).toEqual({ feedback: 1500 });
    // A label indexed late, behind the cursor but within FEEDBACK_OVERLAP_MS of it, is still found.
    const late = labels(5, W0 + 5 * MINUTE - LAG - 30_000, 'fb-late');
    await indexEvents(client, indices.feedback, late);

    const after = labels(300, W0 + 5 * MINUTE - LAG, 'fb-later');
    await indexEvents(client, indices.feedback, after);
    clock.now += MINUTE;
    await f.sync();
    // Labels of the last minute are handed over again (harmless: the latest per row wins), counted once.
    expect(new Set(sink.feedbackIds)).toEqual(new Set([...before, ...late, ...after].map((e) => e.event_id)));
    expect(counters.consumedBy).toEqual({ feedback: 1500 + 5 + 300 });
    const position = f.position() as ElasticsearchPosition;
    await f.close();

    const last = labels(10, W0 + 6 * MINUTE, 'fb-last');
    await indexEvents(client, indices.feedback, last);
    clock.now += MINUTE;
    const { follower: resumed } = follower({ indices, clock });
    const next = recordingSink();
    await resumed.start(next, position);
    expect(new Set(next.feedbackIds)).toEqual(
      new Set(
        [
          ...after.filter((e) => Date.parse(e['@timestamp']) >= position.feedback.at - FEEDBACK_OVERLAP_MS),
          ...last,
        ].map((e) => e.event_id),
      ),
    );
    await resumed.close();
  });

  it('reads only the configured versions and nothing older than the retention, and serialises concurrent syncs', async () => {
    const indices = await freshIndices();
    const v1 = spread(200, W0, MINUTE, 'v1');
    const v2 = spread(200, W0, MINUTE, 'v2').map((e) => ({ ...e, model: { name: 'iris', version: '2' } }));
    const ancient = spread(10, W0 - 2 * HOUR, MINUTE, 'ancient').map((e) => ({
      ...e,
      model: { name: 'iris', version: '2' },
    }));
    await indexEvents(client, indices.inference, [...v1, ...v2, ...ancient]);
    const clock = { now: W0 + 5 * MINUTE };
    const { follower: f } = follower({ indices, clock, models: [{ name: 'iris', version: '2' }] });
    const sink = recordingSink();
    await f.start(sink, null);
    expectOnce(sink.inferenceIds(), v2);
    expect(sink.refolds).toEqual([]);

    // In the bucket the cursor ends inside (not reconciled yet, so a duplicate would stay).
    const more = spread(300, W0 + 6 * MINUTE, 50_000, 'more').map((e) => ({
      ...e,
      model: { name: 'iris', version: '2' },
    }));
    await indexEvents(client, indices.inference, more);
    clock.now += 2 * MINUTE;
    await Promise.all([f.sync(), f.sync(), f.sync()]);
    expectOnce(sink.inferenceIds(), [...v2, ...more]);
    expect(sink.refolds).toEqual([]);
    await f.close();
  });

  it('waits for the shards of an index created a moment ago instead of failing its start (the sidecar created it beside a starting exporter)', async () => {
    const indices = await freshIndices();
    // A new inference index whose primary shard is not started yet (held unassigned here, as a fresh index's is
    // for a moment after a sidecar's first write created it), then allowed to start while the exporter waits.
    await client.indices.delete({ index: indices.inference });
    const template = inferenceTemplate(indices.inference, 0).template;
    await client.indices.create({
      index: indices.inference,
      settings: { ...template.settings, 'index.routing.allocation.require._name': 'no-such-node' },
      mappings: template.mappings,
      wait_for_active_shards: 0,
    });
    const probe = await client
      .search({ index: indices.inference, allow_partial_search_results: false })
      .catch((e: unknown) => e);
    expect(isShardsStarting(probe)).toBe(true);
    const clock = { now: W0 + 10 * MINUTE };
    const { follower: f } = follower({ indices, clock });
    const sink = recordingSink();
    const started = f.start(sink, null);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await client.indices.putSettings({
      index: indices.inference,
      settings: { 'index.routing.allocation.require._name': null },
    });
    await started; // before: EXPORTER_ERR_SOURCE_QUERY "Search rejected due to missing shards"
    const events = spread(300, W0 + 10 * MINUTE, 5 * MINUTE, 'starting');
    await indexEvents(client, indices.inference, events);
    clock.now += 20 * MINUTE;
    await f.sync();
    expectOnce(sink.inferenceIds(), events);
    await f.close();
  });

  it('treats a missing index as an empty source, a dead node as unavailable (sync retries), and refuses the position of another kind of source', async () => {
    const suffix = randomUUID().slice(0, 8);
    const clock = { now: W0 };
    const { follower: empty } = follower({
      indices: { inference: `nope-${suffix}`, feedback: `nope-too-${suffix}` },
      clock,
    });
    const sink = recordingSink();
    await empty.start(sink, null);
    clock.now += 10 * MINUTE;
    await empty.sync();
    expect(sink.inferenceIds()).toEqual([]);
    expect(sink.feedbackIds).toEqual([]);
    await empty.close();

    const port = await freePort();
    const { follower: down } = follower({
      indices: { inference: 'a', feedback: 'b' },
      clock,
      url: `http://127.0.0.1:${port}`,
    });
    const err = await down.start(recordingSink(), null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe('EXPORTER_ERR_SOURCE_UNAVAILABLE');
    expect((err as SourceError).cause).toBeDefined();
    const again = await down.sync().catch((e: unknown) => e); // a retry goes on (and fails the same way)
    expect((again as SourceError).code).toBe('EXPORTER_ERR_SOURCE_UNAVAILABLE');
    await down.close();

    // A position of another kind of source is a bug of the caller: refused before any request.
    const { follower: wrong } = follower({ indices: { inference: 'a', feedback: 'b' }, clock });
    await expect(wrong.start(recordingSink(), { kind: 'kafka', offsets: {} })).rejects.toThrow(
      /not an Elasticsearch position/,
    );
    await wrong.close();
  });
});
