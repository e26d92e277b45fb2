/**
 * The exporter's window state (issue #18): every inference event of a watched model is folded ONCE, as it arrives,
 * into the one-minute bucket of its model (windows/buckets/); a window is the merge of its buckets, so evaluation
 * time and memory do not depend on traffic. The store is the sink of every followed source (sources/follow.ts).
 *
 * - What a bucket folds is fixed by the model's reference profile (its BucketSchema). When the profile changes (a new
 *   baseline imported), the model's buckets cannot be merged with the new ones: they are dropped, and the window is
 *   folded anew from then on (`coveredFrom` says since when), unless the source can re-read (Elasticsearch refolds
 *   every bucket of the retention at its next sync). A model without a baseline folds under a schema of its configured
 *   features (counts and summaries; no verdict).
 * - Only the primary's events: a shadow's answer (`role: "shadow"`) is compared apart (windows/shadow/).
 * - Every event counted once: an event id of the model seen in the last `dedupe.horizonMs` is skipped (recent-ids.ts,
 *   per model) — a Kafka or spool redelivery. Sources that re-read a bucket whole (`refold`) replace it instead.
 * - Events older than the retention (the longest window plus one step) are skipped and counted, and so are events
 *   more than the retention in the future (a sidecar with a broken clock must not grow the store without bound).
 */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import type { ReferenceProfile } from '../../drift/profile-types';
import type { QualityReport } from '../../quality';
import type { RoutingCounts } from '../../quality/label-join-state';

/** True when a prediction's confidence is below its limit (exporter/src/review/limits.ts). */
export type RoutingPredicate = (predicted: string | number | null, confidence: number | null) => boolean;
import type { RefoldableSink } from '../../sources/follow';
import type { TimeRange } from '../window';
import {
  bucketSchemaFromProfile,
  bucketStartFor,
  createBucketState,
  foldEvent,
  mergeBuckets,
  type BucketSchema,
  type BucketState,
  type FoldedState,
  type WindowState,
} from '../buckets';
import { createRecentIds, type RecentIds } from './recent-ids';

export interface WindowStoreModel {
  readonly name: string;
  /** Only events of this version; null = every version. */
  readonly version: string | null;
}

/** Why an event was not folded. */
export type SkipReason = 'duplicate' | 'out_of_retention';

/** What happens to a model's predictions and labels besides the buckets (the label join, issue #11). */
export interface WindowCompanion {
  prediction(event: InferenceEvent, bucketStartMs: number): void;
  label(event: FeedbackEvent): void;
  /** The bucket left the retention (or the model was reset). */
  dropBucket(bucketStartMs: number): void;
  /** The bucket is being refolded: its predictions are about to be offered again. */
  resetBucket(bucketStartMs: number): void;
  /**
   * Labels older than this are of predictions no window holds any more. Returns how many labels and reviewed rows
   * went (the labels document changed: the next checkpoint rewrites it).
   */
  evictLabelsBefore(atMs: number): number;
  /** The quality of the window made of these buckets (`state`: their merge, for the exact counts). */
  quality(
    bucketStarts: readonly number[],
    state: FoldedState,
    options: { confidenceThreshold: number; maxClasses: number },
  ): QualityReport;
  /** The ground truth of the window's joined rows, and the predictions those buckets hold. */
  truths(bucketStarts: readonly number[]): { values: (string | number | boolean)[]; rows: number };
  /** The window's predictions split by confidence limit (RoutingCounts in quality/label-join-state.ts). */
  routing?(bucketStarts: readonly number[], toPeople: RoutingPredicate): RoutingCounts;
  /** A bucket's part of the state (checkpoints), and the labels. */
  bucketToJson(bucketStartMs: number): unknown;
  labelsToJson(): unknown;
  /** Adds a document written by bucketToJson / labelsToJson. */
  load(json: unknown): void;
}

export interface WindowStoreOptions {
  readonly models: readonly WindowStoreModel[];
  /** Bucket width (divides every window's size and step). */
  readonly bucketWidthMs: number;
  /** How far back buckets are kept: the window plus one step. */
  readonly retentionMs: number;
  /** Rows sampled per bucket (k). */
  readonly bucketSampleSize?: number;
  /** Rows in a window's merged sample (K). */
  readonly windowSampleSize?: number;
  /** This instance's seed for the reservoirs and merges (states merged across instances must not share one). */
  readonly seed?: number;
  readonly dedupe?: { readonly horizonMs: number; readonly maxIds: number };
  /** True when the source re-reads buckets that lost their state (Elasticsearch): no coverage gap on a reset. */
  readonly refoldable?: boolean;
  readonly now?: () => number;
  readonly onSkip?: (reason: SkipReason, model: string) => void;
  /** Per model: the label join and whatever else follows the buckets. */
  readonly companion?: (model: string) => WindowCompanion | null;
}

/** A model's window, ready to evaluate. */
export interface ModelWindow {
  readonly schema: BucketSchema;
  readonly profile: ReferenceProfile;
  readonly state: WindowState;
  /** Starts of the buckets merged (those with events, in the range). */
  readonly bucketStarts: readonly number[];
  /** Events before this time (epoch ms) were not folded under this schema; null = the whole window was. */
  readonly coveredFrom: number | null;
  /** The ground truth joined to the window's predictions (for label drift); null when the store keeps none. */
  readonly truths: (() => { values: (string | number | boolean)[]; rows: number }) | null;
  /** Automatic vs handed-to-people predictions and their realized accuracy (issue #13); absent without a label join. */
  readonly routing?: ((toPeople: RoutingPredicate) => RoutingCounts) | null;
  /** The window's quality from the model's label join; null when the store keeps none. */
  readonly quality: ((options: { confidenceThreshold: number; maxClasses: number }) => QualityReport) | null;
}

/** A bucket as a checkpoint needs it. */
export interface StoredBucket {
  readonly model: string;
  readonly state: BucketState;
  /** Bumped whenever the bucket changes (a checkpoint rewrites only changed buckets). */
  readonly generation: number;
}

export interface WindowStore extends RefoldableSink {
  /**
   * Sets the profile a model's buckets fold under (null: no baseline yet — a schema of `features`). Returns true
   * when the schema changed and the model's buckets were dropped.
   */
  setProfile(
    model: string,
    profile: ReferenceProfile | null,
    features: readonly string[],
    alsoKnown?: readonly string[],
  ): boolean;
  /** The schema a model folds under now (null for a model that is not watched). */
  schemaOf(model: string): BucketSchema | null;
  /** The merged window of `model` over [range.from, range.to). */
  window(model: string, range: TimeRange): ModelWindow;
  /** Drops the buckets older than the retention (called before each evaluation). */
  evict(): void;
  /**
   * Drops every bucket of a model: its events now belong to another instance of the consumer group, or (with
   * `coveredFrom`) the buckets could not be restored and the window restarts at that time.
   */
  forget(model: string, coveredFrom?: number | null): void;
  /** Every bucket held, for a checkpoint. */
  buckets(): StoredBucket[];
  /** The model's companion (its label join), if any. */
  companionOf(model: string): WindowCompanion | null;
  /** Bumped whenever the model's companion takes a label. */
  labelGeneration(model: string): number;
  /** The watched models' names. */
  models(): string[];
  /** Puts back a bucket from a checkpoint (under the model's current schema; else it is refused); returns its generation. */
  restore(model: string, state: BucketState, coveredFrom: number | null): number;
  /** Since when a model's buckets were folded under its schema (null: as far back as the source goes). */
  coveredFrom(model: string): number | null;
  /** Buckets held now, over every model. */
  readonly size: number;
}

/** The profile of a model without a baseline: its configured features as numerical columns with no reference. */
export function blankProfile(features: readonly string[]): ReferenceProfile {
  return {
    schemaVersion: 1,
    createdAt: '1970-01-01T00:00:00.000Z',
    rows: 0,
    bins: 1,
    reservoirSize: 0,
    features: features.map((name) => ({
      name,
      type: 'numerical' as const,
      role: 'feature' as const,
      count: 0,
      missing: 0,
      invalid: 0,
      summary: { count: 0, missing: 0, mean: 0, std: 0, min: 0, max: 0, quantiles: {} },
      binEdges: [],
      binCounts: [0],
      sample: [],
      sampleComplete: true,
    })),
  };
}

interface ModelSlot {
  readonly config: WindowStoreModel;
  schema: BucketSchema;
  profile: ReferenceProfile;
  readonly buckets: Map<number, BucketState>;
  readonly generations: Map<number, number>;
  coveredFrom: number | null;
  companion: WindowCompanion | null;
  /** Bumped whenever the companion takes a label (a checkpoint rewrites the labels only then). */
  labelGeneration: number;
  /** The model's event ids seen recently (redeliveries are skipped); reset when the model is forgotten, so a
   * partition that comes back after a rebalance is read again in full. */
  recent: RecentIds | null;
}

export function createWindowStore(options: WindowStoreOptions): WindowStore {
  const now = options.now ?? Date.now;
  const width = options.bucketWidthMs;
  if (!(Number.isInteger(width) && width > 0))
    throw new RangeError(`bucket width must be a positive integer of ms, got ${width}`);
  const seed = options.seed ?? 0;
  const newRecentIds = (): RecentIds | null =>
    options.dedupe ? createRecentIds({ ...options.dedupe, now }) : null;
  const slots = new Map<string, ModelSlot>();
  for (const m of options.models) {
    const profile = blankProfile([]);
    slots.set(m.name, {
      config: m,
      schema: bucketSchemaFromProfile(profile),
      profile,
      buckets: new Map(),
      generations: new Map(),
      coveredFrom: null,
      companion: options.companion?.(m.name) ?? null,
      labelGeneration: 0,
      recent: newRecentIds(),
    });
  }
  let generation = 0;

  function slotOf(model: string): ModelSlot {
    const slot = slots.get(model);
    if (!slot) throw new RangeError(`model "${model}" is not watched by this exporter`);
    return slot;
  }

  function touch(slot: ModelSlot, start: number): void {
    slot.generations.set(start, ++generation);
  }

  function bucketFor(slot: ModelSlot, start: number): BucketState {
    let b = slot.buckets.get(start);
    if (!b) {
      b = createBucketState(slot.schema, {
        model: slot.config.name,
        startMs: start,
        widthMs: width,
        sampleSize: options.bucketSampleSize,
        seed,
      });
      slot.buckets.set(start, b);
    }
    return b;
  }

  function dropBucket(slot: ModelSlot, start: number): void {
    slot.buckets.delete(start);
    slot.generations.delete(start);
    slot.companion?.dropBucket(start);
  }

  /**
   * A shadow's answer (issue #14's `role: "shadow"`) is never the model's traffic: drift, data quality and quality
   * count what the primary answered (shadows are compared apart, windows/shadow/). This is the one place events
   * enter the store, so every figure built on it follows.
   */
  function accepts(slot: ModelSlot, event: InferenceEvent): boolean {
    if (event.role === 'shadow') return false;
    return slot.config.version === null || event.model.version === slot.config.version;
  }

  function fold(slot: ModelSlot, event: InferenceEvent, at: number): void {
    const start = bucketStartFor(at, width);
    foldEvent(bucketFor(slot, start), slot.schema, event);
    touch(slot, start);
    slot.companion?.prediction(event, start);
  }

  return {
    bucketWidthMs: width,

    inference(event) {
      const slot = slots.get(event.model.name);
      if (!slot || !accepts(slot, event)) return;
      const at = Date.parse(event['@timestamp']);
      const t = now();
      if (!(at >= t - options.retentionMs && at < t + options.retentionMs)) {
        options.onSkip?.('out_of_retention', slot.config.name);
        return;
      }
      if (slot.recent && !slot.recent.firstSeen(event.event_id)) {
        options.onSkip?.('duplicate', slot.config.name);
        return;
      }
      fold(slot, event, at);
    },

    feedback(event) {
      if (event.model !== null) {
        const slot = slots.get(event.model.name);
        if (slot?.companion) {
          slot.companion.label(event);
          slot.labelGeneration = ++generation;
        }
        return;
      }
      // A label that names no model may be for any of them: each join keeps it until it matches or ages out.
      for (const slot of slots.values())
        if (slot.companion) {
          slot.companion.label(event);
          slot.labelGeneration = ++generation;
        }
    },

    foldedRows(model, range) {
      const out = new Map<number, number>();
      const slot = slots.get(model);
      if (!slot) return out;
      for (const [start, b] of slot.buckets)
        if (start >= range.from && start < range.to) out.set(start, b.rows);
      return out;
    },

    refold(model, startMs, events) {
      const slot = slots.get(model);
      if (!slot) return;
      if (bucketStartFor(startMs, width) !== startMs)
        throw new RangeError(`refold: ${startMs} is not the start of a bucket of ${width} ms`);
      slot.buckets.delete(startMs);
      slot.companion?.resetBucket(startMs);
      for (const e of events) {
        if (e.model.name !== model || !accepts(slot, e)) continue;
        const at = Date.parse(e['@timestamp']);
        if (bucketStartFor(at, width) !== startMs)
          throw new RangeError(
            `refold: event ${e.event_id} at ${e['@timestamp']} is not in bucket ${startMs}`,
          );
        fold(slot, e, at);
      }
      if (!slot.buckets.has(startMs)) slot.generations.delete(startMs);
    },

    setProfile(model, profile, features, alsoKnown = []) {
      const slot = slotOf(model);
      const next = profile ?? blankProfile(features);
      const schema = bucketSchemaFromProfile(next, {}, alsoKnown);
      slot.profile = next;
      if (schema.id === slot.schema.id) return false;
      const hadBuckets = slot.buckets.size > 0;
      for (const start of [...slot.buckets.keys()]) dropBucket(slot, start);
      slot.schema = schema;
      if (hadBuckets && !options.refoldable) slot.coveredFrom = now();
      return true;
    },

    schemaOf(model) {
      return slots.get(model)?.schema ?? null;
    },

    window(model, range) {
      const slot = slotOf(model);
      const starts = [...slot.buckets.keys()]
        .filter((s) => s >= range.from && s + width <= range.to)
        .sort((a, b) => a - b);
      const state = mergeBuckets(
        slot.schema,
        starts.map((s) => slot.buckets.get(s)!),
        { sampleSize: options.windowSampleSize, seed },
      );
      const covered = slot.coveredFrom !== null && slot.coveredFrom > range.from ? slot.coveredFrom : null;
      const companion = slot.companion;
      return {
        schema: slot.schema,
        profile: slot.profile,
        state,
        bucketStarts: starts,
        coveredFrom: covered,
        quality: companion ? (o) => companion.quality(starts, state, o) : null,
        truths: companion ? () => companion.truths(starts) : null,
        routing: companion?.routing ? (toPeople) => companion.routing!(starts, toPeople) : null,
      };
    },

    evict() {
      const before = now() - options.retentionMs;
      for (const slot of slots.values()) {
        for (const [start] of slot.buckets) if (start + width <= before) dropBucket(slot, start);
        // Labels that aged out change the labels document: without a new generation the checkpoint would keep the
        // old file, and a restart would bring them back until the next pass.
        if ((slot.companion?.evictLabelsBefore(before) ?? 0) > 0) slot.labelGeneration = ++generation;
      }
    },

    forget(model, coveredFrom) {
      const slot = slots.get(model);
      if (!slot) return;
      for (const start of [...slot.buckets.keys()]) dropBucket(slot, start);
      slot.recent = newRecentIds();
      if (coveredFrom !== undefined) slot.coveredFrom = coveredFrom;
    },

    buckets() {
      const out: StoredBucket[] = [];
      for (const slot of slots.values())
        for (const [start, state] of slot.buckets)
          out.push({ model: slot.config.name, state, generation: slot.generations.get(start) ?? 0 });
      return out;
    },

    restore(model, state, coveredFrom) {
      const slot = slotOf(model);
      if (state.schemaId !== slot.schema.id)
        throw new RangeError(
          `bucket of ${model} at ${new Date(state.startMs).toISOString()} was folded under schema ${state.schemaId}, the model's is ${slot.schema.id}`,
        );
      if (state.endMs - state.startMs !== width)
        throw new RangeError(`bucket of ${state.endMs - state.startMs} ms, the store's are ${width} ms`);
      slot.buckets.set(state.startMs, state);
      touch(slot, state.startMs);
      slot.coveredFrom = coveredFrom;
      return slot.generations.get(state.startMs)!;
    },

    companionOf(model) {
      return slots.get(model)?.companion ?? null;
    },

    models() {
      return [...slots.keys()];
    },

    labelGeneration(model) {
      return slots.get(model)?.labelGeneration ?? 0;
    },

    coveredFrom(model) {
      return slots.get(model)?.coveredFrom ?? null;
    },

    get size() {
      let n = 0;
      for (const slot of slots.values()) n += slot.buckets.size;
      return n;
    },
  };
}
