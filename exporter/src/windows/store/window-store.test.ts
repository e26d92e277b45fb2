import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { makeProfile, makeStream, T0 } from '../../../test/helpers/bucket-events';
import { exactFields, mergeBuckets } from '../buckets';
import { CHECKPOINT_VERSION, createCheckpointer } from './checkpoint';
import { createLabelJoinCompanion } from './label-join-companion';
import { createRecentIds } from './recent-ids';
import { createWindowStore, type WindowStore } from './window-store';

const profile = makeProfile();
const HOUR = 3_600_000;
const range = { from: T0, to: T0 + 600_000 };

function storeAt(clock: { now: number }, extra: Partial<Parameters<typeof createWindowStore>[0]> = {}) {
  const store = createWindowStore({
    models: [{ name: 'm', version: null }],
    bucketWidthMs: 60_000,
    retentionMs: HOUR,
    seed: 5,
    dedupe: { horizonMs: 600_000, maxIds: 100_000 },
    now: () => clock.now,
    ...extra,
  });
  store.setProfile('m', profile, []);
  return store;
}

function fold(store: WindowStore, events: readonly InferenceEvent[]): void {
  for (const e of events) store.inference(e);
}

describe('recent ids', () => {
  it('says first seen once per id, and forgets past the horizon', () => {
    const clock = { now: 0 };
    const ids = createRecentIds({ horizonMs: 1000, maxIds: 1000, now: () => clock.now });
    expect(ids.firstSeen('a')).toBe(true);
    expect(ids.firstSeen('a')).toBe(false);
    clock.now = 999;
    expect(ids.firstSeen('b')).toBe(true);
    expect(ids.firstSeen('a')).toBe(false); // still inside the horizon
    clock.now = 1000; // rotation: a's generation becomes the previous one, still remembered
    expect(ids.firstSeen('c')).toBe(true);
    expect(ids.firstSeen('a')).toBe(false);
    clock.now = 2000; // second rotation: a's generation is dropped
    expect(ids.firstSeen('d')).toBe(true);
    expect(ids.firstSeen('a')).toBe(true);
  });

  it('stays within maxIds, remembering at least the last maxIds / 2', () => {
    const ids = createRecentIds({ horizonMs: 1e12, maxIds: 100 });
    for (let i = 0; i < 1000; i++) expect(ids.firstSeen(`id-${i}`)).toBe(true);
    expect(ids.size).toBeLessThanOrEqual(100);
    for (let i = 950; i < 1000; i++) expect(ids.firstSeen(`id-${i}`)).toBe(false);
  });

  it('remembers every id while its table grows (typed-array sets, doubled when half full)', () => {
    const ids = createRecentIds({ horizonMs: 1e12, maxIds: 1_000_000 });
    for (let i = 0; i < 20_000; i++) expect(ids.firstSeen(`req-${i}:0`)).toBe(true);
    expect(ids.size).toBe(20_000);
    let repeats = 0;
    for (let i = 0; i < 20_000; i++) if (!ids.firstSeen(`req-${i}:0`)) repeats++;
    expect(repeats).toBe(20_000);
    expect(ids.firstSeen('req-20000:0')).toBe(true);
  });
});

describe('window store', () => {
  it('folds every event once: a redelivered event is skipped and counted', () => {
    const clock = { now: T0 + 700_000 };
    const skipped: string[] = [];
    const store = storeAt(clock, { onSkip: (reason) => skipped.push(reason) });
    const events = makeStream(5000, { seed: 1 });
    fold(store, events);
    fold(store, events.slice(0, 1234)); // a Kafka redelivery / spool replay
    const w = store.window('m', range);
    expect(w.state.rows).toBe(5000);
    expect(skipped.filter((r) => r === 'duplicate')).toHaveLength(1234);
    // The same as folding the events once, by hand:
    const direct = createWindowStore({
      models: [{ name: 'm', version: null }],
      bucketWidthMs: 60_000,
      retentionMs: HOUR,
      seed: 5,
      now: () => clock.now,
    });
    direct.setProfile('m', profile, []);
    fold(direct, events);
    expect(exactFields(w.state)).toEqual(exactFields(direct.window('m', range).state));
    expect(w.bucketStarts).toEqual(Array.from({ length: 10 }, (_, i) => T0 + i * 60_000));
  });

  it('a forgotten model (its partition went to another instance) folds its events again when they come back', () => {
    const clock = { now: T0 + 700_000 };
    const store = storeAt(clock);
    const events = makeStream(800, { seed: 21 });
    fold(store, events);
    store.forget('m');
    expect(store.size).toBe(0);
    fold(store, events); // re-read from the committed offsets after the partition returns: not duplicates
    expect(store.window('m', range).state.rows).toBe(800);
  });

  it('merges only the buckets inside the range, and filters by the configured version', () => {
    const clock = { now: T0 + 700_000 };
    const store = createWindowStore({
      models: [{ name: 'm', version: '1' }],
      bucketWidthMs: 60_000,
      retentionMs: HOUR,
      now: () => clock.now,
    });
    store.setProfile('m', profile, []);
    const events = makeStream(3000, { seed: 2 });
    fold(store, events);
    const inFirst5 = events.filter(
      (e) => Date.parse(e['@timestamp']) < T0 + 300_000 && e.model.version === '1',
    );
    expect(store.window('m', { from: T0, to: T0 + 300_000 }).state.rows).toBe(inFirst5.length);
    expect(store.window('m', { from: T0 - 60_000, to: T0 + 300_000 }).state.rows).toBe(inFirst5.length);
  });

  it('skips events outside the retention (past or future) and counts them', () => {
    const clock = { now: T0 + 2 * HOUR };
    const skipped: string[] = [];
    const store = storeAt(clock, { onSkip: (r) => skipped.push(r) });
    fold(store, makeStream(100, { seed: 3 })); // an hour older than the retention
    fold(
      store,
      makeStream(10, { seed: 4 }).map((e) => ({ ...e, '@timestamp': new Date(T0 + 4 * HOUR).toISOString() })),
    );
    expect(store.size).toBe(0);
    expect(skipped).toEqual(Array(110).fill('out_of_retention'));
  });

  it('evicts buckets older than the retention', () => {
    const clock = { now: T0 + 700_000 };
    const store = storeAt(clock);
    fold(store, makeStream(1000, { seed: 6 }));
    expect(store.size).toBe(10);
    clock.now = T0 + HOUR + 300_000; // the first five minutes are now older than the hour kept
    store.evict();
    expect(store.size).toBe(5);
  });

  it('a new profile drops the buckets folded under the old one and says since when the window is covered', () => {
    const clock = { now: T0 + 700_000 };
    const store = storeAt(clock);
    fold(store, makeStream(1000, { seed: 7 }));
    expect(store.setProfile('m', profile, [])).toBe(false); // the same profile: nothing changes
    expect(store.setProfile('m', makeProfile(2000, 11), [])).toBe(true);
    expect(store.size).toBe(0);
    // The old buckets are gone: even a range that ended before the change is covered only from then.
    expect(store.window('m', range).coveredFrom).toBe(clock.now);
    expect(store.window('m', range).state.rows).toBe(0);
    expect(store.window('m', { from: T0, to: T0 + HOUR }).coveredFrom).toBe(clock.now);
  });

  it('refold replaces a bucket by the events a source re-read (late-indexed events)', () => {
    const clock = { now: T0 + 700_000 };
    const store = storeAt(clock, { refoldable: true });
    const events = makeStream(1200, { seed: 8 });
    const late = events.filter((_, i) => i % 10 === 0);
    fold(
      store,
      events.filter((_, i) => i % 10 !== 0),
    );
    fold(store, events.filter((_, i) => i % 10 !== 0).slice(0, 50)); // duplicates: skipped
    const counts = store.foldedRows('m', range);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(1200 - late.length);
    for (const start of counts.keys())
      store.refold(
        'm',
        start,
        events.filter((e) => Math.floor(Date.parse(e['@timestamp']) / 60_000) * 60_000 === start),
      );
    expect(store.window('m', range).state.rows).toBe(1200);
    expect(() => store.refold('m', T0 + 1, [])).toThrow(/not the start of a bucket/);
  });
});

describe('checkpoints', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'plumbline-checkpoint-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('restore + the rest of the stream = the whole stream folded at once', async () => {
    const clock = { now: T0 + 700_000 };
    const events = makeStream(6000, { seed: 9 });
    const whole = storeAt(clock);
    fold(whole, events);

    const first = storeAt(clock);
    const cp1 = createCheckpointer(dir, first);
    fold(first, events.slice(0, 2500));
    await cp1.write(cp1.capture({ kind: 'memory', delivered: 2500 }));
    fold(first, events.slice(2500, 4000)); // folded after the checkpoint: lost with the process
    await cp1.write(cp1.capture({ kind: 'memory', delivered: 4000 }));
    const files = readdirSync(path.join(dir, 'buckets'));
    expect(files.length).toBe(first.size); // superseded bucket files are removed

    const second = storeAt(clock);
    const restored = await createCheckpointer(dir, second).restore('memory');
    expect(restored.position).toEqual({ kind: 'memory', delivered: 4000 });
    fold(second, events.slice(4000));
    // Same counts, moments and reservoirs (the generator state travels with each bucket):
    const a = whole.window('m', range).state;
    const b = second.window('m', range).state;
    expect(exactFields(b)).toEqual(exactFields(a));
    expect(b.sample.columns).toEqual(a.sample.columns);
    expect(mergeBuckets).toBeDefined();
  });

  it('writes only the buckets that changed', async () => {
    const clock = { now: T0 + 700_000 };
    const store = storeAt(clock);
    const cp = createCheckpointer(dir, store);
    const events = makeStream(1000, { seed: 10 });
    fold(store, events.slice(0, 900));
    expect(cp.capture({ kind: 'memory' }).files.size).toBe(store.size);
    fold(store, events.slice(900)); // the last minute only
    expect(cp.capture({ kind: 'memory' }).files.size).toBe(1);
    expect(cp.capture({ kind: 'memory' }).files.size).toBe(0);
  });

  it('a checkpoint of another source starts afresh; a changed baseline skips that model; a broken one is refused', async () => {
    const clock = { now: T0 + 700_000 };
    const store = storeAt(clock);
    fold(store, makeStream(500, { seed: 12 }));
    const cp = createCheckpointer(dir, store);
    await cp.write(cp.capture({ kind: 'spool', seq: 1, offset: 10 }));
    const other = storeAt(clock);
    const r1 = await createCheckpointer(dir, other).restore('kafka');
    expect(r1.position).toBeNull();
    expect(r1.skipped.m).toMatch(/spool source/);
    const changed = storeAt(clock);
    changed.setProfile('m', makeProfile(2000, 13), []);
    const r2 = await createCheckpointer(dir, changed).restore('spool');
    expect(r2.position).toEqual({ kind: 'spool', seq: 1, offset: 10 });
    expect(r2.skipped.m).toMatch(/baseline changed/);
    expect(changed.size).toBe(0);
    writeFileSync(path.join(dir, 'manifest.json'), '{not json');
    await expect(createCheckpointer(dir, storeAt(clock)).restore('spool')).rejects.toMatchObject({
      code: 'EXPORTER_ERR_CHECKPOINT',
    });
  });

  it("keeps the reviewed rows' feedback: a retract after a restart brings back the other source's label", async () => {
    const clock = { now: T0 + 700_000 };
    const withJoin = () =>
      storeAt(clock, {
        companion: () => createLabelJoinCompanion({ task: 'classification', bucketWidthMs: 60_000 }),
      });
    const events = makeStream(20, { seed: 14 });
    const row = events[3];
    const label = (truth: string, s: number, extra: Partial<FeedbackEvent> = {}): FeedbackEvent => ({
      schema_version: 1,
      event_id: `${row.event_id}:${s}`,
      request_id: row.request_id,
      row: row.row,
      '@timestamp': new Date(T0 + s * 1000).toISOString(),
      model: { name: 'm', version: null },
      ground_truth: truth,
      source: 'api',
      ...extra,
    });
    const human = { source: 'human', reviewer: 'ana' } as const;
    const truths = (store: WindowStore) => store.window('m', range).truths!().values;

    const first = withJoin();
    fold(first, events);
    first.feedback(label('other', 100));
    first.feedback(label('reviewed', 110, { ...human, action: 'correct' }));
    expect(truths(first)).toEqual(['reviewed']);
    const cp = createCheckpointer(dir, first);
    await cp.write(cp.capture({ kind: 'memory', delivered: 22 }));

    const second = withJoin();
    await createCheckpointer(dir, second).restore('memory');
    expect(truths(second)).toEqual(['reviewed']);
    second.feedback(label('reviewed', 120, { ...human, action: 'retract' }));
    expect(truths(second)).toEqual(['other']);
    // An earlier label of the other source changes nothing: the latest one is still the other source's.
    second.feedback(label('older', 90));
    expect(truths(second)).toEqual(['other']);
  });

  it('a label that aged out is not brought back by a restart: eviction rewrites the labels file', async () => {
    const clock = { now: T0 + 700_000 };
    const withJoin = () =>
      storeAt(clock, {
        companion: () => createLabelJoinCompanion({ task: 'classification', bucketWidthMs: 60_000 }),
      });
    const early = makeStream(20, { seed: 15 });
    const row = early[3];
    const first = withJoin();
    fold(first, early);
    first.feedback({
      schema_version: 1,
      event_id: `${row.event_id}:label`,
      request_id: row.request_id,
      row: row.row,
      '@timestamp': new Date(T0 + 110_000).toISOString(),
      model: { name: 'm', version: null },
      ground_truth: 'a',
      source: 'api',
    });
    const cp = createCheckpointer(dir, first);
    await cp.write(cp.capture({ kind: 'memory', delivered: 21 }));
    const labelsHeld = (store: WindowStore) =>
      (store.companionOf('m')!.labelsToJson() as { labels: { labels: { size: number } | null } }).labels
        .labels?.size ?? 0;
    expect(labelsHeld(first)).toBe(1);

    // An hour later: the same traffic again, and the label (and its row's bucket) leave the retention.
    clock.now += HOUR;
    fold(
      first,
      makeStream(20, { seed: 16 }).map((e) => ({
        ...e,
        '@timestamp': new Date(Date.parse(e['@timestamp']) + HOUR).toISOString(),
      })),
    );
    first.evict();
    expect(labelsHeld(first)).toBe(0);
    await cp.write(cp.capture({ kind: 'memory', delivered: 41 }));

    const second = withJoin();
    await createCheckpointer(dir, second).restore('memory');
    expect(labelsHeld(second)).toBe(0);
    expect(second.companionOf('m')!.labelsToJson()).toEqual(first.companionOf('m')!.labelsToJson());
  });

  it('still loads a version 1 checkpoint (labels without the reviewed rows) and a version 2 one, and refuses an unknown version', async () => {
    expect(CHECKPOINT_VERSION).toBe(3);
    const clock = { now: T0 + 700_000 };
    const store = storeAt(clock);
    fold(store, makeStream(300, { seed: 15 }));
    const cp = createCheckpointer(dir, store);
    await cp.write(cp.capture({ kind: 'spool', seq: 1, offset: 10 }));
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { version: number };
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, version: 1 }));
    const r = await createCheckpointer(dir, storeAt(clock)).restore('spool');
    expect(r.position).toEqual({ kind: 'spool', seq: 1, offset: 10 });
    expect(r.restored.m).toBe(store.size);
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, version: 2 }));
    expect((await createCheckpointer(dir, storeAt(clock)).restore('spool')).restored.m).toBe(store.size);
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, version: 4 }));
    await expect(createCheckpointer(dir, storeAt(clock)).restore('spool')).rejects.toMatchObject({
      code: 'EXPORTER_ERR_CHECKPOINT',
      message: expect.stringMatching(/version 4, this exporter reads .* version 1, 2 or 3/),
    });
  });
});
