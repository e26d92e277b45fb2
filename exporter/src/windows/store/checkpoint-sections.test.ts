/**
 * Sections of the checkpoint (format 3, issue #14): state beside the model's buckets written with them — a unit
 * file rewritten only when its generation changes, file names never used twice (across restarts too), a section
 * document that cannot be read refused as EXPORTER_ERR_CHECKPOINT, a checkpoint without sections (format 2)
 * restoring the buckets alone, and sections restored when a new baseline leaves the model's buckets out.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { makeProfile, makeStream, T0 } from '../../../test/helpers/bucket-events';
import { createCheckpointer, type CheckpointSection, type SavedSection } from './checkpoint';
import { createWindowStore } from './window-store';

const profile = makeProfile();

/** A section holding a counter per key, as a keyed state would. */
function counters(name = 'counts') {
  const held = new Map<string, { n: number; generation: number }>();
  let generation = 0;
  const restored: SavedSection[] = [];
  const section: CheckpointSection = {
    name,
    capture: () =>
      held.size === 0
        ? null
        : {
            head: { keys: [...held.keys()] },
            units: [...held].map(([key, v]) => ({ key, generation: v.generation, json: () => ({ n: v.n }) })),
          },
    restore: (_, saved) => {
      restored.push(saved);
      for (const [key, doc] of saved.units) {
        const n = (doc as { n: unknown }).n;
        if (typeof n !== 'number') throw new Error(`unit ${key} holds no count`);
        held.set(key, { n, generation: ++generation });
      }
    },
  };
  return {
    section,
    restored,
    add(key: string) {
      const v = held.get(key) ?? { n: 0, generation: 0 };
      held.set(key, { n: v.n + 1, generation: ++generation });
    },
    count: (key: string) => held.get(key)?.n ?? 0,
  };
}

function storeWith(clock: { now: number }) {
  const store = createWindowStore({
    models: [{ name: 'm', version: null }],
    bucketWidthMs: 60_000,
    retentionMs: 3_600_000,
    now: () => clock.now,
  });
  store.setProfile('m', profile, []);
  return store;
}

describe('checkpoint sections', () => {
  const clock = { now: T0 + 700_000 };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'plumbline-checkpoint-sections-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const sectionFiles = () => readdirSync(path.join(dir, 'buckets')).filter((f) => f.includes('-counts-'));

  it('writes a unit when it changed, keeps the others, and restores them at the position of the buckets', async () => {
    const store = storeWith(clock);
    const c = counters();
    const cp = createCheckpointer(dir, store, { sections: [c.section] });
    for (const e of makeStream(100, { seed: 1 })) store.inference(e);
    c.add('a');
    c.add('b');
    const first = cp.capture({ kind: 'memory', delivered: 100 });
    expect([...first.files.keys()].filter((f) => f.includes('-counts-'))).toHaveLength(2);
    await cp.write(first);
    c.add('b');
    const second = cp.capture({ kind: 'memory', delivered: 101 });
    expect([...second.files.keys()].filter((f) => f.includes('-counts-'))).toHaveLength(1);
    await cp.write(second);
    expect(sectionFiles()).toHaveLength(2); // b's first file is gone

    const again = counters();
    const r = await createCheckpointer(dir, storeWith(clock), { sections: [again.section] }).restore(
      'memory',
    );
    expect(r.position).toEqual({ kind: 'memory', delivered: 101 });
    expect(r.sections).toEqual({ m: { counts: 2 } });
    expect(again.restored[0].head).toEqual({ keys: ['a', 'b'] });
    expect([again.count('a'), again.count('b')]).toEqual([1, 2]);
  });

  it('never names a new file as one the manifest on disk names, across restarts', async () => {
    const c = counters();
    const cp = createCheckpointer(dir, storeWith(clock), { sections: [c.section] });
    c.add('a');
    await cp.write(cp.capture({ kind: 'memory' }));
    const before = sectionFiles();
    // A restarted exporter (its generations count from the start again) changes the unit: a new file, a new name.
    const again = counters();
    const cp2 = createCheckpointer(dir, storeWith(clock), { sections: [again.section] });
    await cp2.restore('memory');
    expect(cp2.capture({ kind: 'memory' }).files.size).toBe(0); // nothing changed since: nothing to write
    again.add('a');
    const next = cp2.capture({ kind: 'memory' });
    const written = [...next.files.keys()].filter((f) => f.includes('-counts-'));
    expect(written).toHaveLength(1);
    expect(before).not.toContain(written[0]);
    await cp2.write(next);
    expect(sectionFiles()).toEqual(written);
    const third = counters();
    await createCheckpointer(dir, storeWith(clock), { sections: [third.section] }).restore('memory');
    expect(third.count('a')).toBe(2);
  });

  it('refuses a section document it cannot read, naming the section and the model', async () => {
    const c = counters();
    const cp = createCheckpointer(dir, storeWith(clock), { sections: [c.section] });
    c.add('a');
    await cp.write(cp.capture({ kind: 'memory' }));
    writeFileSync(path.join(dir, 'buckets', sectionFiles()[0]), JSON.stringify({ n: 'x' }));
    await expect(
      createCheckpointer(dir, storeWith(clock), { sections: [counters().section] }).restore('memory'),
    ).rejects.toMatchObject({
      code: 'EXPORTER_ERR_CHECKPOINT',
      message: expect.stringMatching(/cannot restore the counts of m .*unit a holds no count/),
    });
    rmSync(path.join(dir, 'buckets', sectionFiles()[0]));
    await expect(
      createCheckpointer(dir, storeWith(clock), { sections: [counters().section] }).restore('memory'),
    ).rejects.toMatchObject({
      code: 'EXPORTER_ERR_CHECKPOINT',
      message: expect.stringMatching(/cannot load/),
    });
  });

  it('never names a bucket or labels file that the manifest on disk still holds, also after a restart', async () => {
    // A bucket's generation counts again from its restore: named by the generation alone, the restarted exporter
    // wrote a file the last manifest names before its own manifest was in — a crash in between loaded the newer
    // bucket with the older position, counting events twice.
    // Half the events before the restart, the other half after, into the same buckets.
    const stream = makeStream(400, { seed: 5 });
    const events = [...stream.filter((_, i) => i % 2 === 0), ...stream.filter((_, i) => i % 2 === 1)];
    const store = storeWith(clock);
    const cp = createCheckpointer(dir, store);
    for (const e of events.slice(0, 200)) store.inference(e);
    await cp.write(cp.capture({ kind: 'memory' }));
    const onDisk = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
      models: Record<string, { buckets: { file: string }[]; labels: string | null }>;
    };
    const held = new Set(
      Object.values(onDisk.models).flatMap((m) => [
        ...m.buckets.map((b) => b.file),
        ...(m.labels ? [m.labels] : []),
      ]),
    );
    expect(held.size).toBeGreaterThan(0);
    const again = storeWith(clock);
    const cp2 = createCheckpointer(dir, again);
    await cp2.restore('memory');
    for (const e of events.slice(200)) {
      again.inference(e);
      for (const file of cp2.capture({ kind: 'memory' }).files.keys()) expect(held.has(file)).toBe(false);
    }
  });

  it('restores the buckets of a version 2 checkpoint, whose sections start empty', async () => {
    const store = storeWith(clock);
    const cp = createCheckpointer(dir, store);
    for (const e of makeStream(100, { seed: 2 })) store.inference(e);
    await cp.write(cp.capture({ kind: 'memory' }));
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    expect(manifest.version).toBe(3);
    delete manifest.sequence;
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, version: 2 }));
    const c = counters();
    const r = await createCheckpointer(dir, storeWith(clock), { sections: [c.section] }).restore('memory');
    expect(r.restored.m).toBe(store.size);
    expect(r.sections).toEqual({});
    expect(c.restored).toEqual([]);
  });

  it('restores the sections of a model whose buckets are left out for a new baseline (each decides what holds)', async () => {
    const store = storeWith(clock);
    const c = counters();
    const cp = createCheckpointer(dir, store, { sections: [c.section] });
    for (const e of makeStream(100, { seed: 3 })) store.inference(e);
    c.add('a');
    await cp.write(cp.capture({ kind: 'memory' }));
    const changed = storeWith(clock);
    changed.setProfile('m', null, ['x']); // another baseline: another schema
    const again = counters();
    const r = await createCheckpointer(dir, changed, { sections: [again.section] }).restore('memory');
    expect(r.skipped.m).toMatch(/baseline changed/);
    expect(changed.size).toBe(0);
    expect(r.sections).toEqual({ m: { counts: 1 } });
    expect(again.count('a')).toBe(1);
  });

  it('takes only section names of lowercase letters (they are part of file names)', () => {
    expect(() => createCheckpointer(dir, storeWith(clock), { sections: [counters('../x').section] })).toThrow(
      /section name must be \[a-z\]\+/,
    );
  });
});
