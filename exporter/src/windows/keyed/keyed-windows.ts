/**
 * The window state split by a key (issues #14 and #12): beside the model's own window store, one more window store
 * per slice of its traffic — per model version, and per value of each segment feature (`models[].segments`) — each
 * folding the events of its slice once, exactly like the model's store (same buckets, same profile, same label
 * join), plus per bucket the slice's errors and latency (traffic-counts.ts). A slice's window is evaluated by the
 * same evaluateWindow as the model's, so every figure the model has (drift, data quality, realized quality,
 * confidence, class mix) exists per version and per segment without a second code path.
 *
 * A model's only version costs next to nothing: while one version is held, its slice mirrors the model's own store
 * (`modelStore`: its window is the model's, only its errors and latency are counted apart). When a second version
 * arrives, the first one's slice is materialised from the model's buckets and label join as they are at that moment
 * (before the new version's event is folded: the caller calls {@link KeyedWindows.prepare} first), and from then on
 * each version folds its own events; when a single version is left, it mirrors again. Rows without a version count
 * for the mirrored version.
 *
 * Bounded: at most `maxVersions` versions per model (a new version past it drops the version idle the longest —
 * the one whose newest event is oldest — and says so through `onVersionEvicted`), at most `segmentTopK` values per
 * segment feature plus `other` (segment-values.ts). A slice whose buckets all left the retention is dropped.
 * Slices sample fewer rows per bucket than the model (`bucketSampleSize`): their counts are exact, their tests on
 * raw values run on that smaller sample.
 *
 * Checkpoints (issue #14): {@link KeyedWindows.checkpoint} gives a model's slices as a section of the exporter's
 * checkpoint (windows/store/checkpoint.ts), taken in the same synchronous step as the model's buckets and the source
 * position — the head lists the slices (key, mirror, newest event, schema) and the first-seen segment values; a unit
 * per slice and bucket holds its bucket, its predictions in the label join and its traffic counts (rewritten only
 * when one of them changed), and a unit per slice its labels. A restart puts them back
 * ({@link KeyedWindows.restoreCheckpoint}), so a version's or a segment's figures after it equal an uninterrupted
 * run's. A slice folded under another schema than the model's now (a new baseline since) is left out, as the
 * model's own buckets are.
 *
 * Not here: de-duplication and the retention check (the caller feeds only the events the model's store folded) and
 * scale-out (one instance must see every event of a model).
 */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import type { ReferenceProfile } from '../../drift/profile-types';
import { bucketFromJson, bucketStartFor, bucketToJson, copyBucketState } from '../buckets';
import type { TimeRange } from '../window';
import {
  createWindowStore,
  type CheckpointUnit,
  type ModelWindow,
  type SavedSection,
  type SectionCapture,
  type WindowCompanion,
  type WindowStore,
} from '../store';
import { createSegmentValues, OTHER_SEGMENT, type SegmentValues } from './segment-values';
import {
  createTrafficCounts,
  foldTraffic,
  trafficFigures,
  trafficFromJson,
  trafficToJson,
  type TrafficCounts,
  type TrafficFigures,
} from './traffic-counts';

export type SliceKey =
  | { readonly kind: 'version'; readonly version: string }
  | { readonly kind: 'segment'; readonly feature: string; readonly value: string };

/** A slice's id: `version:<v>` or `segment:<feature>=<value>`. */
export function sliceId(key: SliceKey): string {
  return key.kind === 'version' ? `version:${key.version}` : `segment:${key.feature}=${key.value}`;
}

export interface KeyedModelPlan {
  readonly name: string;
  /** Only events of this version (the model's `version` filter); null = every version. */
  readonly version: string | null;
  /** Most versions kept at once; 0 = no per-version state. */
  readonly maxVersions: number;
  /** Segment features (`models[].segments`). */
  readonly segments: readonly string[];
  /** Values per segment feature with a slice of their own (the rest pooled as `other`). */
  readonly segmentTopK: number;
}

export interface KeyedWindowsOptions {
  readonly models: readonly KeyedModelPlan[];
  readonly bucketWidthMs: number;
  readonly retentionMs: number;
  /** Rows sampled per bucket of a slice. */
  readonly bucketSampleSize: number;
  /** Rows of a slice window's merged sample. */
  readonly windowSampleSize: number;
  readonly seed?: number;
  readonly refoldable?: boolean;
  readonly now?: () => number;
  /** The label join of a slice (null: none). Called once per slice. */
  readonly companion?: (model: string) => WindowCompanion | null;
  /** A version was dropped to make room for a new one. */
  readonly onVersionEvicted?: (model: string, version: string) => void;
  /** The models' own store: a model's only version mirrors it instead of folding every row again. */
  readonly modelStore?: WindowStore;
}

/** One slice of a model's traffic, ready to evaluate. */
export interface SliceView {
  readonly key: SliceKey;
  window(range: TimeRange): ModelWindow;
  traffic(range: TimeRange): TrafficFigures;
  /** Start of the slice's earliest bucket in the range (null: none). */
  firstBucket(range: TimeRange): number | null;
}

export interface KeyedWindows {
  /**
   * Called before the model's store takes an event (or refolds a bucket): an event of a new version makes the
   * mirrored version's slice a copy of the model's buckets first, while they hold only that version's rows.
   */
  prepare(event: InferenceEvent): void;
  /** An inference event the model's store folded (already de-duplicated and within the retention). */
  inference(event: InferenceEvent): void;
  feedback(event: FeedbackEvent): void;
  /** The model's bucket was refolded from these events: the slices' buckets are rebuilt from them too. */
  refold(model: string, startMs: number, events: readonly InferenceEvent[]): void;
  setProfile(
    model: string,
    profile: ReferenceProfile | null,
    features: readonly string[],
    alsoKnown?: readonly string[],
  ): void;
  /** Drops buckets past the retention, and the slices left without any. */
  evict(): void;
  /** Drops every slice of the model. */
  forget(model: string): void;
  /** The model's slices (versions first, then segments, each sorted by id). */
  slices(model: string): SliceView[];
  /** How a segment feature's values were chosen, and which have a slice of their own. */
  segmentValues(
    model: string,
    feature: string,
  ): { chosenBy: 'profile' | 'first-seen'; values: string[] } | null;
  /**
   * The model's slices as a checkpoint section (null: none held). Synchronous: the checkpointer takes it with the
   * model's buckets and the source position.
   */
  checkpoint(model: string): SectionCapture | null;
  /**
   * Puts back what checkpoint() gave, in place of the model's slices (after setProfile: a slice is restored only
   * under the schema it was folded under). Throws on a document that is not one.
   */
  restoreCheckpoint(model: string, saved: SavedSection): void;
  /** Slices held now, over every model. */
  readonly size: number;
}

/** The head of a model's slices in a checkpoint (the units hold their buckets). */
export interface KeyedCheckpointHead {
  /** Segment features whose values were taken as they came (`first-seen`), with those values in arrival order. */
  firstSeen: { feature: string; values: string[] }[];
  slices: {
    key: SliceKey;
    mirror: boolean;
    /** Null before the slice's first event. */
    lastEventMs: number | null;
    coveredFrom: number | null;
    schemaId: string;
  }[];
}

/** A unit of a slice's bucket: its part of the slice's store and its traffic. */
interface SliceBucketJson {
  bucket: unknown;
  join: unknown;
  traffic: unknown;
}

interface Slice {
  readonly key: SliceKey;
  /** Unique per slice made (a slice dropped and made again under the same key is another one, with its own store). */
  readonly incarnation: number;
  readonly store: WindowStore;
  readonly traffic: Map<number, TrafficCounts>;
  /** Bumped whenever a traffic bucket changes (a checkpoint rewrites a bucket's unit only then). */
  readonly trafficGenerations: Map<number, number>;
  /** Newest event time folded (for the version bound: the idlest is dropped first). */
  lastEventMs: number;
  /** True while this version is the model's only one: its window is the model's, its store stays empty. */
  mirror: boolean;
}

interface ModelSlices {
  readonly plan: KeyedModelPlan;
  profile: ReferenceProfile | null;
  features: readonly string[];
  alsoKnown: readonly string[];
  readonly versions: Map<string, Slice>;
  readonly choosers: Map<string, SegmentValues>;
  /** By sliceId. */
  readonly segments: Map<string, Slice>;
}

/** True for an event a shadow deployment answered (issue #14's `role: "shadow"`): not the primary's traffic. */
function isShadow(event: InferenceEvent): boolean {
  return (event as { role?: unknown }).role === 'shadow';
}

/** FNV-1a of a string, to give each slice its own reservoir seed. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createKeyedWindows(options: KeyedWindowsOptions): KeyedWindows {
  const now = options.now ?? Date.now;
  const width = options.bucketWidthMs;
  const models = new Map<string, ModelSlices>();
  let trafficGeneration = 0;
  let incarnations = 0;
  for (const plan of options.models) {
    if (!(Number.isInteger(plan.maxVersions) && plan.maxVersions >= 0))
      throw new RangeError(`maxVersions must be an integer ≥ 0, got ${plan.maxVersions}`);
    const ms: ModelSlices = {
      plan,
      profile: null,
      features: [],
      alsoKnown: [],
      versions: new Map(),
      choosers: new Map(),
      segments: new Map(),
    };
    for (const f of plan.segments) ms.choosers.set(f, createSegmentValues(f, plan.segmentTopK, null));
    models.set(plan.name, ms);
  }

  function newSlice(ms: ModelSlices, key: SliceKey): Slice {
    const name = ms.plan.name;
    const store = createWindowStore({
      models: [{ name, version: ms.plan.version }],
      bucketWidthMs: width,
      retentionMs: options.retentionMs,
      bucketSampleSize: options.bucketSampleSize,
      windowSampleSize: options.windowSampleSize,
      seed: ((options.seed ?? 0) ^ hashOf(sliceId(key))) >>> 0,
      refoldable: options.refoldable,
      now,
      companion: options.companion ? () => options.companion!(name) : undefined,
    });
    store.setProfile(name, ms.profile, ms.features, ms.alsoKnown);
    return {
      key,
      incarnation: ++incarnations,
      store,
      traffic: new Map(),
      trafficGenerations: new Map(),
      lastEventMs: Number.NEGATIVE_INFINITY,
      mirror: false,
    };
  }

  /** A mirrored version's slice becomes a copy of the model's buckets and label join (a second version arrived). */
  function materialise(ms: ModelSlices, slice: Slice): void {
    const main = options.modelStore!;
    const name = ms.plan.name;
    const from = main.companionOf(name);
    const to = slice.store.companionOf(name);
    const coveredFrom = main.coveredFrom(name);
    for (const b of main.buckets()) {
      if (b.model !== name) continue;
      // Same profile, same schema: restore only refuses a bucket folded under another (never here; and a sink must
      // not throw into its source, so such a bucket would be left out rather than stop the stream).
      if (b.state.schemaId !== slice.store.schemaOf(name)?.id) continue;
      slice.store.restore(name, copyBucketState(b.state), coveredFrom);
      if (from && to) to.load(from.bucketToJson(b.state.startMs));
    }
    if (from && to) to.load(from.labelsToJson());
    slice.mirror = false;
  }

  function versionSlice(ms: ModelSlices, version: string): Slice | null {
    const held = ms.versions.get(version);
    if (held) return held;
    if (ms.plan.maxVersions === 0) return null;
    if (ms.versions.size >= ms.plan.maxVersions) {
      let idlest: Slice | null = null;
      for (const s of ms.versions.values()) if (!idlest || s.lastEventMs < idlest.lastEventMs) idlest = s;
      const gone = idlest!.key as { version: string };
      ms.versions.delete(gone.version);
      options.onVersionEvicted?.(ms.plan.name, gone.version);
    }
    // A second version: the mirrored one gets its own buckets now (prepare() did it already when it could; in a
    // refold the version may only have appeared inside this very bucket, whose refold then corrects the copy).
    for (const held of ms.versions.values()) if (held.mirror) materialise(ms, held);
    const slice = newSlice(ms, { kind: 'version', version });
    slice.mirror = ms.versions.size === 0 && options.modelStore !== undefined;
    ms.versions.set(version, slice);
    return slice;
  }

  /** Before a new version's first event reaches the model's store: the mirrored version gets its own buckets. */
  function prepareFor(ms: ModelSlices, event: InferenceEvent): void {
    const v = event.model.version;
    if (v === null || ms.plan.maxVersions === 0 || ms.versions.has(v) || isShadow(event)) return;
    if (ms.plan.version !== null && v !== ms.plan.version) return;
    for (const slice of ms.versions.values()) if (slice.mirror) materialise(ms, slice);
  }

  function segmentSlice(ms: ModelSlices, feature: string, value: string): Slice {
    const key: SliceKey = { kind: 'segment', feature, value };
    const id = sliceId(key);
    let slice = ms.segments.get(id);
    if (!slice) {
      slice = newSlice(ms, key);
      ms.segments.set(id, slice);
    }
    return slice;
  }

  /** The slices an event of the model belongs to (creating them). */
  function slicesOf(ms: ModelSlices, event: InferenceEvent): Slice[] {
    if (isShadow(event)) return [];
    if (ms.plan.version !== null && event.model.version !== ms.plan.version) return [];
    const out: Slice[] = [];
    if (event.model.version !== null) {
      const v = versionSlice(ms, event.model.version);
      if (v) out.push(v);
    }
    for (const [feature, chooser] of ms.choosers)
      out.push(segmentSlice(ms, feature, chooser.segmentOf(event.features[feature])));
    return out;
  }

  function trafficBucket(slice: Slice, start: number): TrafficCounts {
    slice.trafficGenerations.set(start, ++trafficGeneration);
    let t = slice.traffic.get(start);
    if (!t) {
      t = createTrafficCounts();
      slice.traffic.set(start, t);
    }
    return t;
  }

  function allSlices(ms: ModelSlices): Slice[] {
    return [...ms.versions.values(), ...ms.segments.values()];
  }

  function view(ms: ModelSlices, slice: Slice): SliceView {
    const inRange = (range: TimeRange) => (s: number) => s >= range.from && s + width <= range.to;
    return {
      key: slice.key,
      window: (range) =>
        slice.mirror
          ? options.modelStore!.window(ms.plan.name, range)
          : slice.store.window(ms.plan.name, range),
      traffic: (range) =>
        trafficFigures([...slice.traffic].filter(([s]) => inRange(range)(s)).map(([, t]) => t)),
      firstBucket: (range) => {
        let first: number | null = null;
        for (const s of slice.traffic.keys())
          if (inRange(range)(s) && (first === null || s < first)) first = s;
        return first;
      },
    };
  }

  return {
    prepare(event) {
      const ms = models.get(event.model.name);
      if (ms) prepareFor(ms, event);
    },

    inference(event) {
      const ms = models.get(event.model.name);
      if (!ms) return;
      const at = Date.parse(event['@timestamp']);
      const start = bucketStartFor(at, width);
      for (const slice of slicesOf(ms, event)) {
        if (!slice.mirror) slice.store.inference(event);
        foldTraffic(trafficBucket(slice, start), event);
        if (at > slice.lastEventMs) slice.lastEventMs = at;
      }
    },

    feedback(event) {
      const targets = event.model === null ? [...models.values()] : [models.get(event.model.name)];
      // A mirrored version takes the model's labels when it is materialised, not before.
      for (const ms of targets)
        if (ms) for (const slice of allSlices(ms)) if (!slice.mirror) slice.store.feedback(event);
    },

    refold(model, startMs, events) {
      const ms = models.get(model);
      if (!ms) return;
      for (const e of events) if (e.model.name === model) prepareFor(ms, e);
      const bySlice = new Map<Slice, InferenceEvent[]>();
      for (const slice of allSlices(ms)) bySlice.set(slice, []);
      for (const e of events) {
        if (e.model.name !== model) continue;
        for (const slice of slicesOf(ms, e)) {
          const list = bySlice.get(slice) ?? [];
          list.push(e);
          bySlice.set(slice, list);
        }
      }
      for (const [slice, list] of bySlice) {
        if (!slice.mirror) slice.store.refold(model, startMs, list);
        slice.traffic.delete(startMs);
        // Refolded from no rows: no traffic, no generation (a new one is taken, from the one counter, if rows come).
        slice.trafficGenerations.delete(startMs);
        for (const e of list) {
          foldTraffic(trafficBucket(slice, startMs), e);
          const at = Date.parse(e['@timestamp']);
          if (at > slice.lastEventMs) slice.lastEventMs = at;
        }
      }
    },

    setProfile(model, profile, features, alsoKnown = []) {
      const ms = models.get(model);
      if (!ms) return;
      ms.profile = profile;
      ms.features = features;
      ms.alsoKnown = alsoKnown;
      for (const feature of ms.plan.segments) {
        const before = ms.choosers.get(feature)!;
        const next = createSegmentValues(feature, ms.plan.segmentTopK, profile);
        if (next.chosenBy === 'first-seen' && before.chosenBy === 'first-seen') continue;
        const same =
          next.chosenBy === before.chosenBy &&
          next.values().join('\u0000') === before.values().join('\u0000');
        if (same) continue;
        // Other values get their own slice now: the feature's segments start again.
        ms.choosers.set(feature, next);
        for (const [id, slice] of ms.segments)
          if (slice.key.kind === 'segment' && slice.key.feature === feature) ms.segments.delete(id);
      }
      for (const slice of allSlices(ms)) slice.store.setProfile(model, profile, features, alsoKnown);
    },

    evict() {
      const before = now() - options.retentionMs;
      for (const ms of models.values()) {
        for (const [map, id, slice] of [
          ...[...ms.versions].map(([id, s]) => [ms.versions, id, s] as const),
          ...[...ms.segments].map(([id, s]) => [ms.segments, id, s] as const),
        ]) {
          slice.store.evict();
          for (const start of [...slice.traffic.keys()])
            if (start + width <= before) {
              slice.traffic.delete(start);
              slice.trafficGenerations.delete(start);
            }
          if (slice.store.size === 0 && slice.traffic.size === 0) map.delete(id);
        }
        // One version left, the others' rows gone from the retention: it mirrors the model's store again.
        if (ms.versions.size === 1 && options.modelStore) {
          const [only] = ms.versions.values();
          if (!only.mirror) {
            only.store.forget(ms.plan.name);
            only.mirror = true;
          }
        }
      }
    },

    forget(model) {
      const ms = models.get(model);
      if (!ms) return;
      ms.versions.clear();
      ms.segments.clear();
    },

    slices(model) {
      const ms = models.get(model);
      if (!ms) return [];
      const byId = (a: Slice, b: Slice) => (sliceId(a.key) < sliceId(b.key) ? -1 : 1);
      return [...[...ms.versions.values()].sort(byId), ...[...ms.segments.values()].sort(byId)].map((s) =>
        view(ms, s),
      );
    },

    segmentValues(model, feature) {
      const chooser = models.get(model)?.choosers.get(feature);
      return chooser ? { chosenBy: chooser.chosenBy, values: chooser.values() } : null;
    },

    checkpoint(model) {
      const ms = models.get(model);
      if (!ms) return null;
      const firstSeen = [...ms.choosers]
        .filter(([, c]) => c.chosenBy === 'first-seen' && c.values().length > 0)
        .map(([feature, c]) => ({ feature, values: c.values() }));
      const all = allSlices(ms);
      if (all.length === 0 && firstSeen.length === 0) return null;
      const head: KeyedCheckpointHead = { firstSeen, slices: [] };
      const units: CheckpointUnit[] = [];
      for (const slice of all) {
        const id = sliceId(slice.key);
        const schema = slice.store.schemaOf(model)!;
        head.slices.push({
          key: slice.key,
          mirror: slice.mirror,
          lastEventMs: Number.isFinite(slice.lastEventMs) ? slice.lastEventMs : null,
          coveredFrom: slice.store.coveredFrom(model),
          schemaId: schema.id,
        });
        const companion = slice.store.companionOf(model);
        const held = new Map(slice.store.buckets().map((b) => [b.state.startMs, b]));
        const starts = [...new Set([...held.keys(), ...slice.traffic.keys()])].sort((a, b) => a - b);
        for (const start of starts) {
          const b = held.get(start);
          const traffic = slice.traffic.get(start);
          units.push({
            key: `${id}\u0000${start}`,
            // The slice store's generations count per store: with the incarnation they name one state.
            generation: `${slice.incarnation}/${b?.generation ?? '-'}/${slice.trafficGenerations.get(start) ?? '-'}`,
            json: (): SliceBucketJson => ({
              bucket: b ? bucketToJson(b.state, schema) : null,
              join: b && companion ? companion.bucketToJson(start) : null,
              traffic: traffic ? trafficToJson(traffic) : null,
            }),
          });
        }
        // A mirrored version holds no labels of its own (it takes the model's when it is materialised).
        if (companion && !slice.mirror)
          units.push({
            key: `${id}\u0000labels`,
            generation: `${slice.incarnation}/${slice.store.labelGeneration(model)}`,
            json: () => companion.labelsToJson(),
          });
      }
      return { head, units };
    },

    restoreCheckpoint(model, saved) {
      const ms = models.get(model);
      if (!ms) return;
      const head = saved.head as KeyedCheckpointHead;
      if (
        typeof head !== 'object' ||
        head === null ||
        !Array.isArray(head.slices) ||
        !Array.isArray(head.firstSeen)
      )
        throw new Error(`the slices of ${model}: not a head of slices`);
      ms.versions.clear();
      ms.segments.clear();
      for (const f of head.firstSeen) {
        // A feature no longer segmented, or whose values come from the baseline now, starts afresh.
        if (ms.choosers.get(f.feature)?.chosenBy !== 'first-seen' || !Array.isArray(f.values)) continue;
        ms.choosers.set(
          f.feature,
          createSegmentValues(f.feature, ms.plan.segmentTopK, null, f.values.map(String)),
        );
      }
      /** Units by slice id: bucket start (or 'labels') → document. */
      const unitsOf = new Map<string, Map<string, unknown>>();
      for (const [unitKey, doc] of saved.units) {
        const cut = unitKey.lastIndexOf('\u0000');
        if (cut < 0)
          throw new Error(`the slices of ${model}: unit ${JSON.stringify(unitKey)} names no slice`);
        const id = unitKey.slice(0, cut);
        if (!unitsOf.has(id)) unitsOf.set(id, new Map());
        unitsOf.get(id)!.set(unitKey.slice(cut + 1), doc);
      }
      for (const s of head.slices) {
        const key = s?.key;
        const valid =
          key?.kind === 'version'
            ? typeof key.version === 'string'
            : key?.kind === 'segment' && typeof key.feature === 'string' && typeof key.value === 'string';
        if (!valid) throw new Error(`the slices of ${model}: ${JSON.stringify(key)} is not a slice key`);
        if (key.kind === 'version') {
          if (ms.versions.size >= ms.plan.maxVersions) continue;
          if (ms.plan.version !== null && key.version !== ms.plan.version) continue;
        } else {
          const chooser = ms.choosers.get(key.feature);
          if (!chooser || (key.value !== OTHER_SEGMENT && !chooser.values().includes(key.value))) continue;
        }
        const slice = newSlice(ms, key);
        const schema = slice.store.schemaOf(model)!;
        // Folded under another baseline: left out, as the model's own buckets are.
        if (s.schemaId !== schema.id) continue;
        slice.mirror = s.mirror && options.modelStore !== undefined;
        slice.lastEventMs = typeof s.lastEventMs === 'number' ? s.lastEventMs : Number.NEGATIVE_INFINITY;
        const id = sliceId(key);
        const companion = slice.store.companionOf(model);
        for (const [part, doc] of unitsOf.get(id) ?? []) {
          if (part === 'labels') {
            if (!slice.mirror) companion?.load(doc);
            continue;
          }
          const start = Number(part);
          const j = doc as SliceBucketJson;
          if (!Number.isInteger(start) || typeof j !== 'object' || j === null)
            throw new Error(`the slices of ${model}: unit ${id} ${part} is not a slice's bucket`);
          if (j.bucket !== null && !slice.mirror)
            slice.store.restore(model, bucketFromJson(j.bucket, schema), s.coveredFrom);
          if (j.join !== null && !slice.mirror) companion?.load(j.join);
          if (j.traffic !== null) {
            slice.traffic.set(start, trafficFromJson(j.traffic));
            slice.trafficGenerations.set(start, ++trafficGeneration);
          }
        }
        if (key.kind === 'version') ms.versions.set(key.version, slice);
        else ms.segments.set(id, slice);
      }
    },

    get size() {
      let n = 0;
      for (const ms of models.values()) n += ms.versions.size + ms.segments.size;
      return n;
    },
  };
}
