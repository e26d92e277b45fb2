/**
 * Checkpoints of the window store with the source position they match (issue #18: a restart resumes the window,
 * losing nothing and counting nothing twice).
 *
 * Layout of `dir`:
 *   manifest.json                      what a restart loads: the source position, per model its schema id, the
 *                                      coverage and the bucket files (written last, atomically: tmp + fsync + rename)
 *   buckets/<model>-<start>-<gen>-<seq>.json
 *                                      one bucket (bucketToJson) and its predictions in the label join, written once
 *                                      per change; a file is never rewritten in place, so the previous manifest stays
 *                                      valid until the new one is in (`<seq>` as below: a bucket's generation starts
 *                                      again after a restart, so the generation alone could name a file the last
 *                                      manifest still holds)
 *   buckets/<model>-labels-<gen>-<seq>.json
 *                                      the model's labels held by the join and the reviewed rows' feedback (what
 *                                      label-precedence.ts folds; written when a label arrived)
 *   buckets/<model>-<section>-<unit>-<seq>.json
 *                                      one unit of a section's state (version 3): `slices` (windows/keyed/: per
 *                                      slice and bucket its bucket, join and traffic; per slice its labels) and
 *                                      `shadow` (windows/shadow/: per bucket its row halves and the shadow versions'
 *                                      joins; the labels). The section's head (which slices, which versions) is in
 *                                      the manifest; `<seq>` is the manifest's sequence when the unit was written,
 *                                      so no file name is used twice, across restarts too
 *
 * Consistency: `capture()` takes the position and serialises the changed buckets — the model's and every section's —
 * in one synchronous step (no event can be folded in between); `write()` then puts them on disk. After a crash the last manifest and the files it
 * names are intact, so a restart folds the events after its position exactly once.
 * Cost: one JSON file per changed bucket per checkpoint (the open minute of each model, and late arrivals).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SourcePosition } from '../../sources/follow';
import { bucketFromJson, bucketToJson } from '../buckets';
import type { WindowStore } from './window-store';

/** EXPORTER_ERR_CHECKPOINT: the checkpoint cannot be loaded (the exporter stops: exit 1). */
export class CheckpointError extends Error {
  readonly code = 'EXPORTER_ERR_CHECKPOINT' as const;
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export const CHECKPOINT_FORMAT = 'plumbline.exporter-checkpoint';
/**
 * The version this code writes. 2 added the reviewed rows' feedback to the labels file; a version 1 checkpoint still
 * loads (its rows are taken as unreviewed: a retract of a review made before it finds no other label). 3 added the
 * sections (per-version and per-segment slices, shadow pairs) and the sequence; a version 1 or 2 checkpoint still
 * loads (its slices and shadow pairs start empty, as they did then).
 */
export const CHECKPOINT_VERSION = 3;
/** The versions this code reads. */
export const CHECKPOINT_VERSIONS_READ: readonly number[] = [1, 2, 3];

/** One file's worth of a section's state, rewritten only when its generation changes. */
export interface CheckpointUnit {
  /** Stable within the section and model (a slice and a bucket start, say). */
  readonly key: string;
  /** Changes whenever the unit's content does (compared with ===). */
  readonly generation: number | string;
  /** The unit's document; called only when the unit is written. */
  json(): unknown;
}

/** What a section holds of a model at a capture. */
export interface SectionCapture {
  /** Small (what the units are of: the slices, the versions); kept in the manifest. */
  readonly head: unknown;
  readonly units: readonly CheckpointUnit[];
}

/** What a capture saved, as restore() reads it back. */
export interface SavedSection {
  readonly head: unknown;
  /** Unit key → its document. */
  readonly units: ReadonlyMap<string, unknown>;
}

/**
 * Window state kept beside the model's buckets that a checkpoint holds too, at the same source position: the keyed
 * windows (`slices`) and the shadow pairs (`shadow`).
 */
export interface CheckpointSection {
  /** Its name in the manifest and in file names ([a-z]+). */
  readonly name: string;
  /** What the section holds of the model now (null: nothing). Synchronous: called inside capture(). */
  capture(model: string): SectionCapture | null;
  /**
   * Puts back what a capture saved (called after the model's buckets are restored; also when they were left out
   * because the model's baseline changed: the section leaves out what was folded under the old one, and keeps what
   * does not depend on it). Throws on a document it cannot read (EXPORTER_ERR_CHECKPOINT).
   */
  restore(model: string, saved: SavedSection): void;
}

interface ManifestSection {
  head: unknown;
  units: { key: string; file: string }[];
}

interface ManifestModel {
  schemaId: string;
  coveredFrom: number | null;
  buckets: { startMs: number; file: string }[];
  /** The labels file, when the model has a label join. */
  labels: string | null;
  /** Version 3: by section name, what the section held of the model. */
  sections?: Record<string, ManifestSection>;
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  writtenAt: string;
  bucketWidthMs: number;
  source: SourcePosition;
  /** Version 3: bumped by every capture (section files are named by the capture that wrote them). */
  sequence?: number;
  models: Record<string, ManifestModel>;
}

/** A checkpoint taken in memory, to be written. */
export interface CapturedCheckpoint {
  readonly manifest: CheckpointManifest;
  /** New bucket files: name → JSON text. */
  readonly files: ReadonlyMap<string, string>;
}

export interface RestoreResult {
  /** The position to resume the source from; null when there was no usable checkpoint. */
  readonly position: SourcePosition | null;
  /** Buckets put back, per model. */
  readonly restored: Record<string, number>;
  /** Models whose stored buckets were left out, and why (their schema changed, the checkpoint is unreadable…). */
  readonly skipped: Record<string, string>;
  /** Units put back per model and section (a checkpoint before version 3 has none). */
  readonly sections: Record<string, Record<string, number>>;
}

export interface Checkpointer {
  /** The store's changed buckets and the source's position, taken together (synchronous). */
  capture(position: SourcePosition): CapturedCheckpoint;
  /** Writes a capture; the manifest last. Files no manifest names any more are removed. */
  write(captured: CapturedCheckpoint): Promise<void>;
  /**
   * Loads the last manifest into the store (the models' profiles must be set first: a bucket is restored only
   * under the schema it was folded under). A missing checkpoint is not an error; an unreadable one is
   * EXPORTER_ERR_CHECKPOINT unless it is for another source kind or bucket width, which starts afresh (reported).
   */
  restore(sourceKind: string): Promise<RestoreResult>;
}

/** A unit's part of its file name. */
function unitStem(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function fileStem(model: string): string {
  const safe = model.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
  return `${safe}.${createHash('sha256').update(model).digest('hex').slice(0, 8)}`;
}

async function writeDurably(file: string, text: string): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface CheckpointerOptions {
  /** The state beside the store's buckets written with them (the keyed windows, the shadow pairs). */
  readonly sections?: readonly CheckpointSection[];
}

export function createCheckpointer(
  dir: string,
  store: WindowStore,
  options: CheckpointerOptions = {},
): Checkpointer {
  const sections = options.sections ?? [];
  for (const section of sections)
    if (!/^[a-z]+$/.test(section.name))
      throw new RangeError(`checkpoint section name must be [a-z]+, got "${section.name}"`);
  const bucketDir = path.join(dir, 'buckets');
  const manifestFile = path.join(dir, 'manifest.json');
  /** What is on disk per bucket: model → start → { generation, file }. */
  const written = new Map<string, Map<number, { generation: number; file: string }>>();
  /** The labels file on disk per model, and the label generation it holds. */
  const writtenLabels = new Map<string, { generation: number; file: string }>();
  /** What is on disk per section and model (`${section}\u0000${model}`): unit key → { generation, file }. */
  const writtenUnits = new Map<string, Map<string, { generation: number | string; file: string }>>();
  /** The last capture's sequence (restored from the manifest, so file names are never reused). */
  let sequence = 0;
  let ready: Promise<void> | null = null;

  return {
    capture(position) {
      const models: Record<string, ManifestModel> = {};
      const files = new Map<string, string>();
      sequence += 1;
      for (const b of store.buckets()) {
        const schema = store.schemaOf(b.model)!;
        const m = (models[b.model] ??= {
          schemaId: schema.id,
          coveredFrom: store.coveredFrom(b.model),
          buckets: [],
          labels: null,
        });
        const seen = written.get(b.model)?.get(b.state.startMs);
        let file = seen?.generation === b.generation ? seen.file : null;
        if (file === null) {
          file = `${fileStem(b.model)}-${b.state.startMs}-${b.generation}-${sequence}.json`;
          const join = store.companionOf(b.model)?.bucketToJson(b.state.startMs) ?? null;
          files.set(file, JSON.stringify({ bucket: bucketToJson(b.state, schema), join }));
        }
        m.buckets.push({ startMs: b.state.startMs, file });
      }
      // Labels are kept per model, whether or not it has buckets now (a label may come before its prediction).
      for (const model of store.models()) {
        const companion = store.companionOf(model);
        if (!companion) continue;
        const m = (models[model] ??= {
          schemaId: store.schemaOf(model)!.id,
          coveredFrom: store.coveredFrom(model),
          buckets: [],
          labels: null,
        });
        const generation = store.labelGeneration(model);
        const seen = writtenLabels.get(model);
        let file = seen?.generation === generation ? seen.file : null;
        if (file === null) {
          file = `${fileStem(model)}-labels-${generation}-${sequence}.json`;
          files.set(file, JSON.stringify(companion.labelsToJson()));
        }
        m.labels = file;
        writtenLabels.set(model, { generation, file });
      }
      for (const section of sections)
        for (const model of store.models()) {
          const which = `${section.name}\u0000${model}`;
          const captured = section.capture(model);
          if (!captured) {
            writtenUnits.delete(which);
            continue;
          }
          const m = (models[model] ??= {
            schemaId: store.schemaOf(model)!.id,
            coveredFrom: store.coveredFrom(model),
            buckets: [],
            labels: null,
          });
          const seen = writtenUnits.get(which);
          const held = new Map<string, { generation: number | string; file: string }>();
          const units: ManifestSection['units'] = [];
          for (const u of captured.units) {
            const prev = seen?.get(u.key);
            let file = prev?.generation === u.generation ? prev.file : null;
            if (file === null) {
              file = `${fileStem(model)}-${section.name}-${unitStem(u.key)}-${sequence}.json`;
              files.set(file, JSON.stringify(u.json()));
            }
            held.set(u.key, { generation: u.generation, file });
            units.push({ key: u.key, file });
          }
          writtenUnits.set(which, held);
          (m.sections ??= {})[section.name] = { head: captured.head, units };
        }
      const manifest: CheckpointManifest = {
        format: CHECKPOINT_FORMAT,
        version: CHECKPOINT_VERSION,
        writtenAt: new Date().toISOString(),
        bucketWidthMs: store.bucketWidthMs,
        source: position,
        sequence,
        models,
      };
      // Remember the generations now: a later capture must not rewrite what this one will write.
      written.clear();
      for (const b of store.buckets()) {
        const m = models[b.model].buckets.find((x) => x.startMs === b.state.startMs)!;
        const perModel = written.get(b.model) ?? new Map<number, { generation: number; file: string }>();
        perModel.set(b.state.startMs, { generation: b.generation, file: m.file });
        written.set(b.model, perModel);
      }
      return { manifest, files };
    },

    async write(captured) {
      ready ??= fs.mkdir(bucketDir, { recursive: true }).then(() => undefined);
      await ready;
      for (const [name, text] of captured.files) await writeDurably(path.join(bucketDir, name), text);
      const tmp = `${manifestFile}.tmp`;
      await writeDurably(tmp, JSON.stringify(captured.manifest));
      await fs.rename(tmp, manifestFile);
      const dirHandle = await fs.open(dir, 'r');
      try {
        await dirHandle.sync();
      } finally {
        await dirHandle.close();
      }
      const keep = new Set<string>();
      for (const m of Object.values(captured.manifest.models)) {
        for (const b of m.buckets) keep.add(b.file);
        if (m.labels) keep.add(m.labels);
        for (const section of Object.values(m.sections ?? {}))
          for (const u of section.units) keep.add(u.file);
      }
      for (const name of await fs.readdir(bucketDir))
        if (!keep.has(name) && !captured.files.has(name))
          await fs.rm(path.join(bucketDir, name), { force: true });
    },

    async restore(sourceKind) {
      let text: string;
      try {
        text = await fs.readFile(manifestFile, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT')
          return { position: null, restored: {}, skipped: {}, sections: {} };
        throw new CheckpointError(`cannot read ${manifestFile}: ${(err as Error).message}`);
      }
      let manifest: CheckpointManifest;
      try {
        manifest = JSON.parse(text) as CheckpointManifest;
      } catch (err) {
        throw new CheckpointError(
          `${manifestFile} is not JSON (${(err as Error).message}); move it away to start without the checkpoint`,
        );
      }
      if (manifest.format !== CHECKPOINT_FORMAT || !CHECKPOINT_VERSIONS_READ.includes(manifest.version))
        throw new CheckpointError(
          `${manifestFile} is ${String(manifest.format)} version ${String(manifest.version)}, this exporter reads ${CHECKPOINT_FORMAT} version ${CHECKPOINT_VERSIONS_READ.slice(0, -1).join(', ')} or ${CHECKPOINT_VERSIONS_READ[CHECKPOINT_VERSIONS_READ.length - 1]}; move it away to start without the checkpoint`,
        );
      // Files of this manifest keep their names: the next capture's are named after it.
      sequence = Math.max(sequence, Number.isInteger(manifest.sequence) ? manifest.sequence! : 0);
      const skipped: Record<string, string> = {};
      if (manifest.source?.kind !== sourceKind || manifest.bucketWidthMs !== store.bucketWidthMs) {
        for (const name of Object.keys(manifest.models))
          skipped[name] =
            manifest.source?.kind !== sourceKind
              ? `the checkpoint is of a ${String(manifest.source?.kind)} source, the exporter reads ${sourceKind}`
              : `the checkpoint's buckets are ${manifest.bucketWidthMs} ms wide, the exporter's ${store.bucketWidthMs} ms`;
        return { position: null, restored: {}, skipped, sections: {} };
      }
      const restored: Record<string, number> = {};
      const sectionsRestored: Record<string, Record<string, number>> = {};
      for (const [model, m] of Object.entries(manifest.models)) {
        const schema = store.schemaOf(model);
        if (!schema) {
          skipped[model] = 'the model is no longer in the config';
          continue;
        }
        const read = async <T>(name: string, parse: (json: unknown) => T): Promise<T> => {
          const file = path.join(bucketDir, name);
          try {
            return parse(JSON.parse(await fs.readFile(file, 'utf8')));
          } catch (err) {
            throw new CheckpointError(
              `cannot load ${file} named by ${manifestFile}: ${(err as Error).message}`,
            );
          }
        };
        if (schema.id !== m.schemaId) {
          skipped[model] = `its baseline changed since the checkpoint (schema ${m.schemaId} → ${schema.id})`;
          await restoreSections(model, m, read, sectionsRestored);
          continue;
        }
        const companion = store.companionOf(model);
        const perModel = new Map<number, { generation: number; file: string }>();
        for (const b of m.buckets) {
          const { state, join } = await read(b.file, (json) => {
            const doc = json as { bucket: unknown; join: unknown };
            return { state: bucketFromJson(doc.bucket, schema), join: doc.join };
          });
          const generation = store.restore(model, state, m.coveredFrom);
          if (companion && join) companion.load(join);
          perModel.set(b.startMs, { generation, file: b.file });
        }
        if (companion && m.labels) {
          await read(m.labels, (json) => companion.load(json));
          writtenLabels.set(model, { generation: store.labelGeneration(model), file: m.labels });
        }
        written.set(model, perModel);
        restored[model] = m.buckets.length;
        await restoreSections(model, m, read, sectionsRestored);
      }
      return { position: manifest.source, restored, skipped, sections: sectionsRestored };
    },
  };

  /** Puts back every section's part of a model (a checkpoint before version 3 has none). */
  async function restoreSections(
    model: string,
    m: ManifestModel,
    read: <T>(name: string, parse: (json: unknown) => T) => Promise<T>,
    out: Record<string, Record<string, number>>,
  ): Promise<void> {
    for (const section of sections) {
      const saved = m.sections?.[section.name];
      if (!saved) continue;
      if (typeof saved !== 'object' || !Array.isArray(saved.units))
        throw new CheckpointError(`${manifestFile}: the ${section.name} of ${model} lists no units`);
      const units = new Map<string, unknown>();
      for (const u of saved.units) units.set(u.key, await read(u.file, (json) => json));
      try {
        section.restore(model, { head: saved.head, units });
      } catch (err) {
        throw new CheckpointError(
          `cannot restore the ${section.name} of ${model} from ${manifestFile}: ${(err as Error).message}`,
        );
      }
      // The files on disk hold what was just restored: a capture rewrites only the units that change after.
      const fileOf = new Map(saved.units.map((u) => [u.key, u.file]));
      const held = new Map<string, { generation: number | string; file: string }>();
      for (const u of section.capture(model)?.units ?? []) {
        const file = fileOf.get(u.key);
        if (file) held.set(u.key, { generation: u.generation, file });
      }
      writtenUnits.set(`${section.name}\u0000${model}`, held);
      (out[model] ??= {})[section.name] = saved.units.length;
    }
  }
}
