/**
 * The window state of an exporter scaled out over several instances of one Kafka consumer group (issue #18 item 4,
 * exporter/README.md "Scale out"). The sidecar keys a model's messages by model + request id, so every partition
 * holds some of every model; each instance folds the partitions (shards) it is assigned, and a model's window is
 * the merge of EVERY shard's buckets — its own, and the others' read from the state topic.
 *
 * - One WindowStore per assigned shard (the single-instance store, unchanged): each event is folded once into its
 *   shard's bucket, with its own reservoir seed. Shard buckets of the same minute are disjoint sets of events, so
 *   `mergeBuckets` over all of them gives exact counts and a uniform sample of the window's rows.
 * - `stateChanges()` lists what to publish: every bucket of an assigned shard that changed since it was last
 *   published, keyed `${model}\u0000${shard}\u0000${bucketStart}` (the bucket JSON and its predictions in the label
 *   join), and a tombstone (null) for a published bucket its shard no longer holds (out of the retention, or
 *   dropped by a new baseline). A shard taken away is let go without tombstones: its new owner republishes the same
 *   keys, and until then the last published state stands in for it.
 * - `applyState(key, value)` takes a record of the state topic (from any instance, this one included): the latest
 *   state of every (model, shard, bucket) is held as text, parsed only when a window of that model is merged here.
 *   A shard this instance is assigned is always taken from its own store.
 * - Labels: every instance reads all feedback; each model's labels are held once (not per shard). A window's quality
 *   joins them with the predictions of every shard's buckets in the window (LabelJoinState.load with `merge`),
 *   in a join built for that evaluation: O(predictions + labels held) per evaluated window.
 * Pure: no I/O. The exporter publishes and reads the state topic (sources/state-topic.ts).
 */
import type { FeedbackEvent } from '@plumbline/schema';
import type { ReferenceProfile } from '../../drift/profile-types';
import type { ShardedSink } from '../../sources/follow';
import type { TimeRange } from '../window';
import { bucketFromJson, bucketToJson, mergeBuckets, type BucketSchema, type BucketState } from '../buckets';
import type { LabelJoinCompanion } from './label-join-companion';
import {
  blankProfile,
  createWindowStore,
  type ModelWindow,
  type StoredBucket,
  type WindowStore,
  type WindowStoreOptions,
} from './window-store';

/** A record of the state topic: `value` null is a tombstone. */
export interface StateRecord {
  readonly key: string;
  readonly value: string | null;
}

/** What a state record's value holds. */
export interface ShardBucketJson {
  readonly schemaId: string;
  readonly bucket: unknown;
  /** The bucket's predictions in the label join (LabelJoinState.toJSON(start)); null without one. */
  readonly join: unknown;
}

export interface ShardedWindowStoreOptions extends Omit<WindowStoreOptions, 'companion'> {
  /** Per model: the label join (one per shard store, one holding the labels, one per evaluated window). */
  readonly companion?: (model: string) => LabelJoinCompanion | null;
}

export interface ShardedWindowStore extends WindowStore, ShardedSink {
  /** The shards this instance folds now. */
  shards(): number[];
  /** What changed since the last call: the records to publish to the state topic (marked published). */
  stateChanges(): StateRecord[];
  /** Takes a record read from the state topic. */
  applyState(key: string, value: string | null): void;
  /** Buckets of other shards held from the state topic. */
  readonly remoteSize: number;
}

/** The state topic's key of a shard's bucket. */
export function shardBucketKey(model: string, shard: number, bucketStartMs: number): string {
  return `${model}\u0000${shard}\u0000${bucketStartMs}`;
}

/** The parts of a state key; null when it is not one. */
export function parseShardBucketKey(key: string): { model: string; shard: number; startMs: number } | null {
  const parts = key.split('\u0000');
  if (parts.length !== 3) return null;
  const shard = Number(parts[1]);
  const startMs = Number(parts[2]);
  if (!Number.isInteger(shard) || shard < 0 || !Number.isInteger(startMs)) return null;
  return { model: parts[0], shard, startMs };
}

interface RemoteBucket {
  readonly text: string;
  parsed: { schemaId: string; state: BucketState | null; join: unknown } | null;
}

interface ModelEntry {
  profile: ReferenceProfile;
  /** What setProfile was last given (each new shard store gets it too); null before the first call. */
  profileArgs: Parameters<WindowStore['setProfile']> | null;
  schema: BucketSchema;
  coveredFrom: number | null;
  /** The model's labels (no predictions): every feedback event of the model. */
  readonly labels: LabelJoinCompanion | null;
  /** shard → bucket start → the latest published state read from the topic. */
  readonly remote: Map<number, Map<number, RemoteBucket>>;
}

/** A shard's reservoir seed: the instance's, mixed with the shard (states merged must not share one). */
function shardSeed(seed: number, shard: number): number {
  return (seed ^ Math.imul(shard + 1, 0x9e3779b1)) >>> 0;
}

export function createShardedWindowStore(options: ShardedWindowStoreOptions): ShardedWindowStore {
  const now = options.now ?? Date.now;
  const width = options.bucketWidthMs;
  const seed = options.seed ?? 0;
  // Never fed: derives each model's schema from setProfile's arguments exactly as a shard store does.
  const template = createWindowStore({ ...options, companion: undefined, dedupe: undefined });
  const models = new Map<string, ModelEntry>();
  for (const m of options.models) {
    models.set(m.name, {
      profile: blankProfile([]),
      profileArgs: null,
      schema: template.schemaOf(m.name)!,
      coveredFrom: null,
      labels: options.companion?.(m.name) ?? null,
      remote: new Map(),
    });
  }
  const local = new Map<number, WindowStore>();
  /** Published generation per key, per assigned shard. */
  const published = new Map<number, Map<string, number>>();
  let assigned = new Set<number>();

  function entryOf(model: string): ModelEntry {
    const e = models.get(model);
    if (!e) throw new RangeError(`model "${model}" is not watched by this exporter`);
    return e;
  }

  function shardStore(shard: number): WindowStore {
    let s = local.get(shard);
    if (!s) {
      s = createWindowStore({
        ...options,
        seed: shardSeed(seed, shard),
        // A shard store folds; the coverage is the sharded store's (it is not refolded from Elasticsearch).
        refoldable: false,
        companion: options.companion,
      });
      for (const e of models.values()) if (e.profileArgs) s.setProfile(...e.profileArgs);
      local.set(shard, s);
      published.set(shard, new Map());
    }
    return s;
  }

  /** The shard buckets of `model` merged into its window: own shards from their stores, the others' from the topic. */
  function shardBuckets(
    model: string,
    e: ModelEntry,
    range: TimeRange,
  ): { state: BucketState; join: () => unknown }[] {
    const out: { state: BucketState; join: () => unknown }[] = [];
    const inRange = (start: number): boolean => start >= range.from && start + width <= range.to;
    for (const store of local.values())
      for (const b of store.buckets())
        if (b.model === model && inRange(b.state.startMs)) {
          const start = b.state.startMs;
          out.push({ state: b.state, join: () => store.companionOf(model)?.bucketToJson(start) ?? null });
        }
    for (const [shard, buckets] of e.remote) {
      if (assigned.has(shard)) continue;
      for (const [start, r] of buckets) {
        if (!inRange(start)) continue;
        r.parsed ??= parseRemote(r.text, e.schema);
        const parsed = r.parsed;
        // A bucket folded under another baseline (an instance that has not loaded the new one yet) is left out.
        if (parsed.schemaId !== e.schema.id || parsed.state === null) continue;
        out.push({ state: parsed.state, join: () => parsed.join });
      }
    }
    return out.sort((a, b) => a.state.startMs - b.state.startMs);
  }

  function parseRemote(text: string, schema: BucketSchema): NonNullable<RemoteBucket['parsed']> {
    const doc = JSON.parse(text) as ShardBucketJson;
    if (doc.schemaId !== schema.id) return { schemaId: doc.schemaId, state: null, join: null };
    return { schemaId: doc.schemaId, state: bucketFromJson(doc.bucket, schema), join: doc.join };
  }

  function unsupported(what: string): never {
    throw new RangeError(
      `${what}: a scaled-out store is rebuilt from its partitions (the committed offsets), not from a checkpoint or a refold`,
    );
  }

  const store: ShardedWindowStore = {
    bucketWidthMs: width,

    inference() {
      throw new RangeError('a scaled-out store needs the partition of each event (inferenceFrom)');
    },

    inferenceFrom(shard, event) {
      // A message of a partition taken away (fetched before the rebalance) belongs to its new owner now.
      if (!assigned.has(shard)) return;
      shardStore(shard).inference(event);
    },

    assignShards(shards) {
      for (const shard of [...local.keys()])
        if (!shards.has(shard)) {
          local.delete(shard);
          published.delete(shard);
        }
      assigned = new Set(shards);
    },

    shards() {
      return [...assigned].sort((a, b) => a - b);
    },

    feedback(event: FeedbackEvent) {
      if (event.model !== null) {
        models.get(event.model.name)?.labels?.label(event);
        return;
      }
      for (const e of models.values()) e.labels?.label(event);
    },

    foldedRows(model, range) {
      const out = new Map<number, number>();
      for (const s of local.values())
        for (const [start, rows] of s.foldedRows(model, range)) out.set(start, (out.get(start) ?? 0) + rows);
      return out;
    },

    refold() {
      unsupported('refold');
    },

    setProfile(...args) {
      const [model, profile, features] = args;
      const e = entryOf(model);
      template.setProfile(...args);
      const schema = template.schemaOf(model)!;
      e.profile = profile ?? blankProfile(features);
      e.profileArgs = args;
      let hadBuckets = false;
      for (const s of local.values()) {
        hadBuckets ||= s.buckets().some((b) => b.model === model);
        s.setProfile(...args);
      }
      if (schema.id === e.schema.id) return false;
      e.schema = schema;
      for (const buckets of e.remote.values()) for (const r of buckets.values()) r.parsed = null;
      if (hadBuckets) e.coveredFrom = now();
      return true;
    },

    schemaOf(model) {
      return models.get(model)?.schema ?? null;
    },

    window(model, range): ModelWindow {
      const e = entryOf(model);
      const parts = shardBuckets(model, e, range);
      const state = mergeBuckets(
        e.schema,
        parts.map((p) => p.state),
        { sampleSize: options.windowSampleSize, seed },
      );
      const starts = [...new Set(parts.map((p) => p.state.startMs))].sort((a, b) => a - b);
      const covered = e.coveredFrom !== null && e.coveredFrom > range.from ? e.coveredFrom : null;
      const labels = e.labels;
      /** This window's join: the model's labels and every shard's predictions of its buckets (built once). */
      let joined: ReturnType<NonNullable<typeof options.companion>> | null = null;
      const windowJoin = () => {
        if (!joined) {
          joined = options.companion!(model)!;
          joined.load(labels!.labelsToJson());
          for (const p of parts) {
            const json = p.join();
            if (json) joined.join.load(json, { merge: true });
          }
        }
        return joined;
      };
      return {
        schema: e.schema,
        profile: e.profile,
        state,
        bucketStarts: starts,
        coveredFrom: covered,
        quality: labels ? (o) => windowJoin()!.quality(starts, state, o) : null,
        truths: labels ? () => windowJoin()!.truths(starts) : null,
      };
    },

    evict() {
      const before = now() - options.retentionMs;
      for (const s of local.values()) s.evict();
      for (const e of models.values()) {
        e.labels?.evictLabelsBefore(before);
        for (const buckets of e.remote.values())
          for (const start of [...buckets.keys()]) if (start + width <= before) buckets.delete(start);
      }
    },

    forget(model, coveredFrom) {
      // Buckets are kept per partition, not per model: another instance evaluating this model still needs this
      // one's shards of it. Only the coverage is set (a window that restarts at that time).
      const e = models.get(model);
      if (e && coveredFrom !== undefined) e.coveredFrom = coveredFrom;
    },

    buckets() {
      const out: StoredBucket[] = [];
      // A loop, not push(...s.buckets()): a shard holds every model's buckets (20 models × a week of minutes is
      // 201,600), and a spread of more than ~125,000 arguments throws.
      for (const s of local.values()) for (const b of s.buckets()) out.push(b);
      return out;
    },

    stateChanges() {
      const out: StateRecord[] = [];
      for (const [shard, s] of local) {
        const seen = published.get(shard)!;
        const held = new Set<string>();
        for (const b of s.buckets()) {
          const key = shardBucketKey(b.model, shard, b.state.startMs);
          held.add(key);
          if (seen.get(key) === b.generation) continue;
          const schema = s.schemaOf(b.model)!;
          const value: ShardBucketJson = {
            schemaId: schema.id,
            bucket: bucketToJson(b.state, schema),
            join: s.companionOf(b.model)?.bucketToJson(b.state.startMs) ?? null,
          };
          out.push({ key, value: JSON.stringify(value) });
          seen.set(key, b.generation);
        }
        for (const key of [...seen.keys()])
          if (!held.has(key)) {
            out.push({ key, value: null });
            seen.delete(key);
          }
      }
      return out;
    },

    applyState(key, value) {
      const k = parseShardBucketKey(key);
      if (!k) return;
      const e = models.get(k.model);
      if (!e) return;
      let buckets = e.remote.get(k.shard);
      if (value === null) {
        buckets?.delete(k.startMs);
        return;
      }
      // Out of the retention already (an old record not compacted away yet): not held.
      if (k.startMs + width <= now() - options.retentionMs) return;
      if (!buckets) e.remote.set(k.shard, (buckets = new Map()));
      buckets.set(k.startMs, { text: value, parsed: null });
    },

    restore() {
      return unsupported('restore');
    },

    companionOf() {
      // Checkpoints are not written by a scaled-out store (see restore).
      return null;
    },

    labelGeneration() {
      return 0;
    },

    models() {
      return [...models.keys()];
    },

    coveredFrom(model) {
      return models.get(model)?.coveredFrom ?? null;
    },

    get size() {
      let n = 0;
      for (const s of local.values()) n += s.size;
      return n;
    },

    get remoteSize() {
      let n = 0;
      for (const e of models.values()) for (const b of e.remote.values()) n += b.size;
      return n;
    },
  };
  return store;
}
