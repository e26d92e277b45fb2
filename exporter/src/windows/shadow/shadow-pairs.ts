/**
 * Shadow traffic compared with the primary's (issue #14): each shadow row (`role: "shadow"`) is paired with the
 * primary row it answers (`shadow_of: { request_id, row }`) inside the window, and the window says how often the two
 * agree, per (primary version, shadow version); the shadow's quality is taken on the primary's labelled rows (a
 * primary row's ground truth applies to its shadow row).
 *
 * Window-store style: a row half is held in the one-minute bucket of its `@timestamp` — the sidecar gives a shadow
 * event its primary's, so the two halves of a pair always meet in one bucket, whichever arrives first — and a
 * window's figures are the merge of its buckets (pairs, agreements and differences add up). Bounded memory: at most
 * `maxRowsPerBucket` row keys per bucket, kept by a hash of the primary's key (both halves of a row make the same
 * choice): a bucket past its cap halves its share of keys and drops the rest, and the figures weight each bucket's
 * pairs by the inverse of its share, so a busy minute does not count for less. Buckets past the retention go, with
 * their rows and the shadow's predictions in the label join (labels are kept as the model's label join keeps them).
 *
 * Definitions (docs/stattests.md "Shadow agreement"):
 * - A pair is a primary row and its shadow row, both with a prediction (`outputs.label ?? outputs.value`).
 * - Classifiers agree when the two labels are the same. Regressors: absolute difference |s − p|, relative difference
 *   |s − p| / max(|s|, |p|) (0 when both are 0; in [0, 1]), and they agree when the relative difference is at most
 *   `regressionTolerance` (default 0.01).
 * - The agreement ratio is agreeing pairs / pairs; the differences are means over the pairs.
 *
 * Redeliveries count once (a half already held is not taken again). Checkpoints: {@link ShadowPairs.checkpoint}
 * gives the pairs as a section of the exporter's checkpoint (windows/store/checkpoint.ts), taken with the model's
 * buckets and the source position — a unit per bucket (its row halves, its share, the shadow versions' predictions
 * in their joins; rewritten only when the bucket changed) and one for the labels — so a restart pairs the rows it
 * reads next with the halves held before it. Not here: scale-out (one instance must see both halves).
 */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { keyHash, KEY_HASH_SPACE, labelJoinKey, type QualityReport } from '../../quality';
import {
  createLabelJoinCompanion,
  type CheckpointUnit,
  type LabelJoinCompanion,
  type SavedSection,
  type SectionCapture,
} from '../store';
import { bucketStartFor } from '../buckets';
import type { TimeRange } from '../window';

export interface ShadowPairsOptions {
  readonly task: 'classification' | 'regression';
  readonly bucketWidthMs: number;
  /** How far back buckets are kept (the store's retention: the window plus one step). */
  readonly retentionMs: number;
  /** Row keys held per bucket, paired or waiting for their other half. @default 20000 */
  readonly maxRowsPerBucket?: number;
  /** Shadow versions kept per model; rows of a version past it are not taken (counted). @default 8 */
  readonly maxShadowVersions?: number;
  /** Regressors: a pair agrees when its relative difference is at most this. @default 0.01 */
  readonly regressionTolerance?: number;
  readonly now?: () => number;
}

type Predicted = string | number | boolean | null;

interface Half {
  readonly version: string;
  readonly predicted: Predicted;
}

interface Row {
  readonly hash: number;
  primary: Half | null;
  /** By shadow version. */
  readonly shadows: Map<string, Half>;
}

interface Bucket {
  readonly rows: Map<string, Row>;
  /** Keys with hash < threshold are held; KEY_HASH_SPACE while nothing is sampled. */
  threshold: number;
  /** Bumped whenever the bucket changes (a checkpoint rewrites its unit only then). */
  generation: number;
}

/** The head of a model's shadow pairs in a checkpoint: the shadow versions, in the order they came. */
export interface ShadowCheckpointHead {
  versions: string[];
}

/** A bucket's unit: [primary key, primary half, shadow halves], the share and each version's joined predictions. */
interface ShadowBucketJson {
  threshold: number;
  rows: [string, [string, Predicted] | null, [string, Predicted][]][];
  joins: Record<string, unknown>;
}

/** One (primary version, shadow version) pair of the window. */
export interface ShadowAgreement {
  /** The primary's version ('' when its events name none). */
  modelVersion: string;
  shadowVersion: string;
  /** Pairs in the window (estimated from the held share of rows when a bucket sampled: `sampled`). */
  pairs: number;
  /** Agreeing pairs / pairs; null without pairs. */
  agreementRatio: number | null;
  /** Regressors: mean |shadow − primary| over the pairs; null for classifiers or without pairs. */
  meanAbsoluteDifference: number | null;
  /** Regressors: mean |shadow − primary| / max(|shadow|, |primary|) over the pairs; null likewise. */
  meanRelativeDifference: number | null;
  /** True when some bucket of the window held only a share of its rows. */
  sampled: boolean;
}

/** What a shadow version answered in the window, and its quality on the primary's labelled rows. */
export interface ShadowVersionFigures {
  shadowVersion: string;
  /** Shadow rows in the window (held). */
  rows: number;
  /** Shadow rows whose primary row is not held (not captured, another bucket, or sampled out by the cap). */
  unpaired: number;
  quality: QualityReport;
}

export interface ShadowWindow {
  agreements: ShadowAgreement[];
  versions: ShadowVersionFigures[];
}

export interface ShadowPairs {
  /** Any inference event of the model: a shadow row, or a primary row a shadow may answer. */
  inference(event: InferenceEvent): void;
  /** Ground truth of a primary row: it applies to its shadow rows. */
  feedback(event: FeedbackEvent): void;
  /** Drops buckets past the retention. */
  evict(): void;
  window(range: TimeRange, options: { confidenceThreshold: number; maxClasses: number }): ShadowWindow;
  /** Row keys held, over every bucket. */
  readonly size: number;
  /** Rows not taken: `version_cap` (a shadow version past maxShadowVersions), `out_of_retention`. */
  readonly skipped: Readonly<Record<'version_cap' | 'out_of_retention', number>>;
  /** The pairs as a checkpoint section (null: nothing held). Synchronous. */
  checkpoint(): SectionCapture | null;
  /** Puts back what checkpoint() gave, in place of what is held. Throws on a document that is not one. */
  restoreCheckpoint(saved: SavedSection): void;
}

/** True for an event a shadow deployment answered. */
export function isShadowEvent(event: InferenceEvent): boolean {
  return event.role === 'shadow';
}

function predictedOf(event: InferenceEvent): Predicted {
  return event.outputs.label ?? event.outputs.value;
}

interface Sums {
  pairs: number;
  agree: number;
  absDiff: number;
  relDiff: number;
  sampled: boolean;
  readonly modelVersion: string;
  readonly shadowVersion: string;
}

export function createShadowPairs(options: ShadowPairsOptions): ShadowPairs {
  const width = options.bucketWidthMs;
  const now = options.now ?? Date.now;
  const maxRows = options.maxRowsPerBucket ?? 20_000;
  const maxVersions = options.maxShadowVersions ?? 8;
  const tolerance = options.regressionTolerance ?? 0.01;
  if (!(Number.isInteger(maxRows) && maxRows > 0))
    throw new RangeError(`maxRowsPerBucket must be a positive integer, got ${maxRows}`);
  const buckets = new Map<number, Bucket>();
  /** Per shadow version: its predictions under the primary's keys, joined to the primary's labels. */
  const joins = new Map<string, LabelJoinCompanion>();
  /** Every label taken, for a shadow version that appears after its labels (its join starts with them). */
  const labels = createLabelJoinCompanion({ task: options.task, bucketWidthMs: width });
  const skipped = { version_cap: 0, out_of_retention: 0 };
  let size = 0;
  let generation = 0;
  /** Bumped whenever a label is taken. */
  let labelGeneration = 0;

  function joinFor(version: string): LabelJoinCompanion | null {
    let join = joins.get(version);
    if (!join) {
      if (joins.size >= maxVersions) return null;
      join = createLabelJoinCompanion({ task: options.task, bucketWidthMs: width });
      join.load(labels.labelsToJson());
      joins.set(version, join);
    }
    return join;
  }

  /** The row of `key` in the bucket, created when the bucket's sample takes it (null: sampled out). */
  function rowFor(start: number, key: string): Row | null {
    let b = buckets.get(start);
    if (!b) {
      b = { rows: new Map(), threshold: KEY_HASH_SPACE, generation: ++generation };
      buckets.set(start, b);
    }
    const held = b.rows.get(key);
    if (held) return held;
    const hash = keyHash(key);
    if (hash >= b.threshold) return null;
    const row: Row = { hash, primary: null, shadows: new Map() };
    b.rows.set(key, row);
    b.generation = ++generation;
    size += 1;
    while (b.rows.size > maxRows) {
      // Keep the lower half of the hashes: both halves of every row decide alike, so pairs stay whole.
      b.threshold /= 2;
      for (const [k, r] of b.rows)
        if (r.hash >= b.threshold) {
          b.rows.delete(k);
          size -= 1;
        }
    }
    return b.rows.get(key) ?? null;
  }

  function inRetention(at: number): boolean {
    const t = now();
    return at >= t - options.retentionMs && at < t + options.retentionMs;
  }

  return {
    inference(event) {
      const at = Date.parse(event['@timestamp']);
      const shadow = isShadowEvent(event);
      if (shadow && !event.shadow_of) return;
      if (!inRetention(at)) {
        skipped.out_of_retention += 1;
        return;
      }
      const start = bucketStartFor(at, width);
      const version = event.model.version ?? '';
      if (!shadow) {
        const row = rowFor(start, labelJoinKey(event.request_id, event.row));
        if (row && !row.primary) {
          row.primary = { version, predicted: predictedOf(event) };
          buckets.get(start)!.generation = ++generation;
        }
        return;
      }
      const of = event.shadow_of!;
      const key = labelJoinKey(of.request_id, of.row);
      const join = joinFor(version);
      if (!join) {
        skipped.version_cap += 1;
        return;
      }
      const row = rowFor(start, key);
      if (!row || row.shadows.has(version)) return;
      row.shadows.set(version, { version, predicted: predictedOf(event) });
      buckets.get(start)!.generation = ++generation;
      // The primary's key: the labels of the primary's row join the shadow's prediction.
      join.prediction({ ...event, request_id: of.request_id, row: of.row }, start);
    },

    feedback(event) {
      labelGeneration += 1;
      labels.label(event);
      for (const join of joins.values()) join.label(event);
    },

    evict() {
      const before = now() - options.retentionMs;
      for (const [start, b] of buckets)
        if (start + width <= before) {
          size -= b.rows.size;
          buckets.delete(start);
          for (const join of joins.values()) join.dropBucket(start);
        }
      // Labels that aged out change the labels unit: the next checkpoint rewrites it (a restart must not bring them back).
      if (labels.evictLabelsBefore(before) > 0) labelGeneration += 1;
      for (const join of joins.values()) join.evictLabelsBefore(before);
    },

    window(range, qualityOptions) {
      const sums = new Map<string, Sums>();
      const rows = new Map<string, { rows: number; unpaired: number }>();
      const starts: number[] = [];
      for (const [start, b] of buckets) {
        if (!(start >= range.from && start + width <= range.to)) continue;
        starts.push(start);
        // Each held pair stands for 1 / share of the bucket's pairs (Horvitz–Thompson).
        const weight = KEY_HASH_SPACE / b.threshold;
        const sampled = b.threshold < KEY_HASH_SPACE;
        for (const row of b.rows.values()) {
          for (const s of row.shadows.values()) {
            const r = rows.get(s.version) ?? { rows: 0, unpaired: 0 };
            r.rows += 1;
            if (!row.primary) r.unpaired += 1;
            rows.set(s.version, r);
            const p = row.primary;
            if (!p || p.predicted === null || s.predicted === null) continue;
            const id = `${p.version}\u0000${s.version}`;
            let sum = sums.get(id);
            if (!sum) {
              sum = {
                pairs: 0,
                agree: 0,
                absDiff: 0,
                relDiff: 0,
                sampled: false,
                modelVersion: p.version,
                shadowVersion: s.version,
              };
              sums.set(id, sum);
            }
            sum.pairs += weight;
            sum.sampled ||= sampled;
            if (options.task === 'regression' && typeof p.predicted === 'number') {
              const a = typeof s.predicted === 'number' ? s.predicted : Number(s.predicted);
              const abs = Math.abs(a - p.predicted);
              const scale = Math.max(Math.abs(a), Math.abs(p.predicted));
              const rel = scale === 0 ? 0 : abs / scale;
              sum.absDiff += weight * abs;
              sum.relDiff += weight * rel;
              if (rel <= tolerance) sum.agree += weight;
            } else if (String(p.predicted) === String(s.predicted)) sum.agree += weight;
          }
        }
      }
      starts.sort((a, b) => a - b);
      const regression = options.task === 'regression';
      const agreements = [...sums.values()]
        .map((s) => ({
          modelVersion: s.modelVersion,
          shadowVersion: s.shadowVersion,
          pairs: Math.round(s.pairs),
          agreementRatio: s.pairs > 0 ? s.agree / s.pairs : null,
          meanAbsoluteDifference: regression && s.pairs > 0 ? s.absDiff / s.pairs : null,
          meanRelativeDifference: regression && s.pairs > 0 ? s.relDiff / s.pairs : null,
          sampled: s.sampled,
        }))
        .sort((a, b) =>
          a.modelVersion === b.modelVersion
            ? a.shadowVersion.localeCompare(b.shadowVersion)
            : a.modelVersion.localeCompare(b.modelVersion),
        );
      const versions = [...rows]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([shadowVersion, r]) => ({
          shadowVersion,
          rows: r.rows,
          unpaired: r.unpaired,
          quality: joins.get(shadowVersion)!.join.quality(starts, qualityOptions),
        }));
      return { agreements, versions };
    },

    get size() {
      return size;
    },

    skipped,

    checkpoint() {
      if (buckets.size === 0 && joins.size === 0 && labelGeneration === 0) return null;
      const head: ShadowCheckpointHead = { versions: [...joins.keys()] };
      const units: CheckpointUnit[] = [...buckets]
        .sort(([a], [b]) => a - b)
        .map(([start, b]) => ({
          key: String(start),
          generation: b.generation,
          json: (): ShadowBucketJson => {
            const rows: ShadowBucketJson['rows'] = [];
            for (const [key, row] of b.rows)
              rows.push([
                key,
                row.primary ? [row.primary.version, row.primary.predicted] : null,
                [...row.shadows.values()].map((h) => [h.version, h.predicted]),
              ]);
            const joined: Record<string, unknown> = {};
            for (const [version, join] of joins) joined[version] = join.bucketToJson(start);
            return { threshold: b.threshold, rows, joins: joined };
          },
        }));
      units.push({ key: 'labels', generation: labelGeneration, json: () => labels.labelsToJson() });
      return { head, units };
    },

    restoreCheckpoint(saved) {
      const head = saved.head as ShadowCheckpointHead;
      if (typeof head !== 'object' || head === null || !Array.isArray(head.versions))
        throw new Error('not a head of shadow pairs');
      buckets.clear();
      joins.clear();
      size = 0;
      const labelsDoc = saved.units.get('labels');
      if (labelsDoc !== undefined) {
        labels.load(labelsDoc);
        labelGeneration += 1;
      }
      for (const version of head.versions) joinFor(String(version));
      for (const [key, doc] of saved.units) {
        if (key === 'labels') continue;
        const start = Number(key);
        const j = doc as ShadowBucketJson;
        if (
          !Number.isInteger(start) ||
          typeof j !== 'object' ||
          j === null ||
          !(typeof j.threshold === 'number' && j.threshold > 0 && j.threshold <= KEY_HASH_SPACE) ||
          !Array.isArray(j.rows)
        )
          throw new Error(`shadow pairs: unit ${JSON.stringify(key)} is not a bucket`);
        const rows = new Map<string, Row>();
        for (const entry of j.rows) {
          if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[2]))
            throw new Error(`shadow pairs: a row of bucket ${start} is not [key, primary, shadows]`);
          const [rowKey, primary, shadows] = entry;
          const row: Row = {
            hash: keyHash(rowKey),
            primary: primary ? { version: String(primary[0]), predicted: primary[1] } : null,
            shadows: new Map(),
          };
          // A version past a lowered maxShadowVersions has no join: its halves are left out.
          for (const [version, predicted] of shadows)
            if (joins.has(String(version)))
              row.shadows.set(String(version), { version: String(version), predicted });
          rows.set(rowKey, row);
        }
        buckets.set(start, { rows, threshold: j.threshold, generation: ++generation });
        size += rows.size;
        for (const [version, joined] of Object.entries(j.joins ?? {}))
          if (joined !== null) joins.get(version)?.load(joined);
      }
    },
  };
}
