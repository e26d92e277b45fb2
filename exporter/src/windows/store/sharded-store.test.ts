import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { makeProfile, makeStream, T0 } from '../../../test/helpers/bucket-events';
import { exactFields } from '../buckets';
import { createLabelJoinCompanion } from './label-join-companion';
import {
  createShardedWindowStore,
  parseShardBucketKey,
  shardBucketKey,
  type ShardedWindowStore,
} from './sharded-store';
import { createWindowStore } from './window-store';

const profile = makeProfile();
const HOUR = 3_600_000;
const range = { from: T0, to: T0 + 600_000 };
const OPTIONS = { confidenceThreshold: 0.6, maxClasses: 10 };
const SHARDS = 4;

const companion = () => createLabelJoinCompanion({ task: 'classification', bucketWidthMs: 60_000 });

function options(clock: { now: number }, seed: number) {
  return {
    models: [{ name: 'm', version: null }],
    bucketWidthMs: 60_000,
    retentionMs: HOUR,
    seed,
    dedupe: { horizonMs: 600_000, maxIds: 100_000 },
    now: () => clock.now,
    companion,
  };
}

function sharded(clock: { now: number }, seed: number, shards: number[]): ShardedWindowStore {
  const store = createShardedWindowStore(options(clock, seed));
  store.setProfile('m', profile, []);
  store.assignShards(new Set(shards), SHARDS);
  return store;
}

/** The partition a request lands on (any function of the request id: its rows and redeliveries together). */
const shardOf = (e: InferenceEvent): number => Number(e.request_id.replace(/\D/g, '') || 0) % SHARDS;

function labelsFor(events: readonly InferenceEvent[]): FeedbackEvent[] {
  return events
    .filter((_, i) => i % 3 === 0)
    .map((e, i) => ({
      schema_version: 1,
      event_id: `${e.event_id}:feedback`,
      request_id: e.request_id,
      row: e.row,
      '@timestamp': new Date(Date.parse(e['@timestamp']) + 1000).toISOString(),
      model: i % 5 === 0 ? null : { name: 'm', version: '1' },
      ground_truth: i % 2 ? String(e.outputs.label) : 'other',
      source: 'api',
    }));
}

/** Every record of `from` applied to each of `to` (the state topic, compacted or not). */
function share(from: readonly ShardedWindowStore[], to: readonly ShardedWindowStore[]): void {
  for (const s of from) {
    const records = s.stateChanges();
    for (const t of to) for (const r of records) t.applyState(r.key, r.value);
  }
}

describe('sharded window store (scale-out)', () => {
  const clock = { now: T0 + 700_000 };
  const events = makeStream(6000, { seed: 3 });
  const labels = labelsFor(events);

  function single() {
    const store = createWindowStore(options(clock, 5));
    store.setProfile('m', profile, []);
    for (const e of events) store.inference(e);
    for (const l of labels) store.feedback(l);
    return store;
  }

  /** `instances` sharded stores splitting the shards round robin, fed like a consumer group, state shared. */
  function group(instances: number): ShardedWindowStore[] {
    const stores = Array.from({ length: instances }, (_, i) =>
      sharded(
        clock,
        11 + i,
        Array.from({ length: SHARDS }, (_, s) => s).filter((s) => s % instances === i),
      ),
    );
    for (const e of events) for (const s of stores) s.inferenceFrom(shardOf(e), e);
    for (const l of labels) for (const s of stores) s.feedback(l);
    share(stores, stores);
    return stores;
  }

  it.each([1, 2, 3])('%i instance(s): every count of the merged window equals the single store', (n) => {
    const reference = single().window('m', range);
    for (const store of group(n)) {
      const w = store.window('m', range);
      expect(exactFields(w.state)).toEqual(exactFields(reference.state));
      expect(w.bucketStarts).toEqual(reference.bucketStarts);
      expect(w.state.sampling.rows).toBeGreaterThan(0);
    }
  });

  it.each([2, 3])('%i instances: the quality of the merged window equals the single store', (n) => {
    const expected = single().window('m', range).quality!(OPTIONS);
    expect(expected.labelled).toBeGreaterThan(1000);
    for (const store of group(n)) expect(store.window('m', range).quality!(OPTIONS)).toEqual(expected);
  });

  it('publishes only what changed, and a tombstone for a bucket that left the retention', () => {
    const local = { now: clock.now };
    const store = sharded(local, 1, [0, 1]);
    for (const e of events) store.inferenceFrom(shardOf(e), e);
    const first = store.stateChanges();
    expect(first.length).toBe(2 * 10); // two shards × ten minutes
    expect(first.every((r) => r.value !== null)).toBe(true);
    expect(parseShardBucketKey(first[0].key)).toMatchObject({ model: 'm' });
    expect(store.stateChanges()).toEqual([]);
    const late = events.find((e) => shardOf(e) === 1)!;
    store.inferenceFrom(1, { ...late, event_id: 'new-one', request_id: 'r1' });
    const bucket = Math.floor(Date.parse(late['@timestamp']) / 60_000) * 60_000;
    expect(store.stateChanges().map((r) => r.key)).toEqual([shardBucketKey('m', 1, bucket)]);
    // An hour later the first minute leaves the retention: a tombstone per shard.
    local.now = T0 + HOUR + 60_000;
    store.evict();
    const after = store.stateChanges();
    expect(after).toEqual([
      { key: shardBucketKey('m', 0, T0), value: null },
      { key: shardBucketKey('m', 1, T0), value: null },
    ]);
  });

  it('a shard taken away is let go without tombstones, its late messages ignored, the published state kept', () => {
    const a = sharded(clock, 1, [0, 1, 2, 3]);
    const b = sharded(clock, 2, []);
    for (const e of events) a.inferenceFrom(shardOf(e), e);
    share([a], [a, b]);
    const before = b.window('m', range);
    expect(before.state.rows).toBe(6000);
    a.assignShards(new Set([0, 1]), SHARDS);
    for (const e of events.slice(0, 100)) a.inferenceFrom(shardOf(e), e); // fetched before the rebalance
    expect(a.stateChanges().every((r) => r.value !== null)).toBe(true);
    // a still merges shards 2 and 3 from what it published itself until their new owner republishes.
    share([a], [a, b]);
    expect(exactFields(a.window('m', range).state)).toEqual(exactFields(before.state));
    // The new owner (b) re-reads shards 2 and 3 from the committed offsets and republishes the same keys.
    b.assignShards(new Set([2, 3]), SHARDS);
    for (const e of events) b.inferenceFrom(shardOf(e), e);
    share([b], [a, b]);
    expect(exactFields(a.window('m', range).state)).toEqual(exactFields(before.state));
    expect(exactFields(b.window('m', range).state)).toEqual(exactFields(before.state));
  });

  it('leaves out a shard bucket folded under another baseline, and a stale record out of the retention', () => {
    const a = sharded(clock, 1, [0, 1]);
    const b = sharded(clock, 2, [2, 3]);
    for (const e of events) for (const s of [a, b]) s.inferenceFrom(shardOf(e), e);
    b.setProfile('m', makeProfile(2000, 9), []);
    for (const e of events) b.inferenceFrom(shardOf(e), { ...e, event_id: `${e.event_id}-again` });
    share([a, b], [a]);
    const own = events.filter((e) => shardOf(e) < 2).length;
    expect(a.window('m', range).state.rows).toBe(own);
    const stale = sharded({ now: T0 + 3 * HOUR }, 3, []);
    share([a], [stale]);
    expect(stale.remoteSize).toBe(0);
  });

  it('needs the partition of every event', () => {
    const store = sharded(clock, 1, [0]);
    expect(() => store.inference(events[0])).toThrow(/inferenceFrom/);
  });
});
