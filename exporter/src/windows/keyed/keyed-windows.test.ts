import type { InferenceEvent } from '@plumbline/schema';
import { makeProfile, makeStream, T0 } from '../../../test/helpers/bucket-events';
import { exactFields } from '../buckets';
import { createWindowStore } from '../store';
import { createKeyedWindows, sliceId, type KeyedWindowsOptions } from './keyed-windows';

const profile = makeProfile();
const HOUR = 3_600_000;
const range = { from: T0, to: T0 + 600_000 };

function keyed(clock: { now: number }, extra: Partial<KeyedWindowsOptions> = {}, segments: string[] = []) {
  const k = createKeyedWindows({
    models: [{ name: 'm', version: null, maxVersions: 5, segments, segmentTopK: 2 }],
    bucketWidthMs: 60_000,
    retentionMs: HOUR,
    bucketSampleSize: 100,
    windowSampleSize: 1000,
    seed: 3,
    now: () => clock.now,
    ...extra,
  });
  k.setProfile('m', profile, []);
  return k;
}

/** The window of `events` in a store of their own: what a slice must hold. */
function alone(events: readonly InferenceEvent[]) {
  const s = createWindowStore({
    models: [{ name: 'm', version: null }],
    bucketWidthMs: 60_000,
    retentionMs: HOUR,
    bucketSampleSize: 100,
    windowSampleSize: 1000,
    now: () => T0 + 700_000,
  });
  s.setProfile('m', profile, []);
  for (const e of events) s.inference(e);
  return s.window('m', range).state;
}

describe('keyed window state: per version', () => {
  it("keeps each version's window exactly as a store fed only that version's events", () => {
    const clock = { now: T0 + 700_000 };
    const k = keyed(clock);
    const events = makeStream(3000, { seed: 11 });
    for (const e of events) k.inference(e);
    const slices = k.slices('m');
    expect(slices.map((s) => sliceId(s.key))).toEqual(['version:1', 'version:2']);
    for (const s of slices) {
      const version = s.key.kind === 'version' ? s.key.version : '';
      const own = events.filter((e) => e.model.version === version);
      expect(own.length).toBeGreaterThan(100);
      expect(exactFields(s.window(range).state)).toEqual(exactFields(alone(own)));
      expect(s.traffic(range).rows).toBe(own.length);
    }
  });

  it('counts errors and latency per version', () => {
    const clock = { now: T0 + 700_000 };
    const k = keyed(clock);
    const events = makeStream(400, { seed: 12 }).map((e, i) => ({
      ...e,
      model: { name: 'm', version: i % 2 === 0 ? 'a' : 'b' },
      http_status: i % 10 === 1 ? 500 : 200, // b: 40 of its 200
      error: i % 20 === 0 ? 'upstream timeout' : null, // a: 20 of its 200
      latency_ms: { total: i % 2 === 0 ? 10 : 100, upstream: 5 },
    }));
    for (const e of events) k.inference(e);
    const [a, b] = k.slices('m');
    const ta = a.traffic(range);
    const tb = b.traffic(range);
    expect(ta).toMatchObject({ rows: 200, errors: 20, errorRate: 0.1 });
    expect(tb).toMatchObject({ rows: 200, errors: 40, errorRate: 0.2 });
    expect(ta.latencyMs!.p50).toBeCloseTo(10, 0);
    expect(tb.latencyMs!.p99).toBeGreaterThan(99);
    expect(tb.latencyMs!.p99).toBeLessThan(101);
  });

  it('keeps at most maxVersions: a new version drops the one idle the longest, and says so', () => {
    const clock = { now: T0 + 700_000 };
    const evicted: string[] = [];
    const k = keyed(clock, {
      models: [{ name: 'm', version: null, maxVersions: 2, segments: [], segmentTopK: 2 }],
      onVersionEvicted: (model, version) => evicted.push(`${model}/${version}`),
    });
    const at = (v: string, minute: number, i: number): InferenceEvent => ({
      ...makeStream(1, { seed: i })[0],
      event_id: `${v}-${i}:0`,
      '@timestamp': new Date(T0 + minute * 60_000).toISOString(),
      model: { name: 'm', version: v },
    });
    k.inference(at('1', 0, 1));
    k.inference(at('2', 1, 2));
    k.inference(at('1', 2, 3)); // 1 is newer than 2 now
    k.inference(at('3', 3, 4));
    expect(evicted).toEqual(['m/2']);
    expect(k.slices('m').map((s) => sliceId(s.key))).toEqual(['version:1', 'version:3']);
    expect(k.size).toBe(2);
  });

  it("leaves shadow events out of the primary's versions", () => {
    const clock = { now: T0 + 700_000 };
    const k = keyed(clock);
    const events = makeStream(200, { seed: 13 });
    for (const e of events) k.inference({ ...e, role: 'shadow' } as InferenceEvent);
    expect(k.slices('m')).toEqual([]);
  });

  it('rebuilds its buckets from a refold exactly as folding them did', () => {
    const clock = { now: T0 + 700_000 };
    const events = makeStream(2000, { seed: 14 });
    const folded = keyed(clock, {}, ['color']);
    for (const e of events) folded.inference(e);
    const refolded = keyed(clock, {}, ['color']);
    // A first, partial read of the first minute, then the whole of every minute re-read.
    for (const e of events.slice(0, 50)) refolded.inference(e);
    for (let minute = 0; minute < 10; minute++) {
      const start = T0 + minute * 60_000;
      refolded.refold(
        'm',
        start,
        events.filter((e) => {
          const t = Date.parse(e['@timestamp']);
          return t >= start && t < start + 60_000;
        }),
      );
    }
    const a = folded.slices('m');
    const b = refolded.slices('m');
    expect(b.map((s) => sliceId(s.key))).toEqual(a.map((s) => sliceId(s.key)));
    a.forEach((s, i) => {
      expect(exactFields(b[i].window(range).state)).toEqual(exactFields(s.window(range).state));
      expect(b[i].traffic(range).rows).toBe(s.traffic(range).rows);
    });
  });

  it('drops a slice once its buckets left the retention', () => {
    const clock = { now: T0 + 700_000 };
    const k = keyed(clock);
    for (const e of makeStream(100, { seed: 15 })) k.inference(e);
    expect(k.size).toBe(2);
    clock.now = T0 + 600_000 + HOUR + 1;
    k.evict();
    expect(k.size).toBe(0);
  });
});

describe('keyed window state: a lone version mirrors the model', () => {
  /** The model's store and the keyed state wired as the exporter wires them: prepare, the store, then the slices. */
  function wired(clock: { now: number }) {
    const store = createWindowStore({
      models: [{ name: 'm', version: null }],
      bucketWidthMs: 60_000,
      retentionMs: HOUR,
      bucketSampleSize: 100,
      windowSampleSize: 1000,
      now: () => clock.now,
    });
    store.setProfile('m', profile, []);
    const k = keyed(clock, { modelStore: store });
    return {
      store,
      k,
      feed(e: InferenceEvent) {
        k.prepare(e);
        store.inference(e);
        k.inference(e);
      },
    };
  }

  it('keeps no buckets of its own while one version is seen, and its window is the model’s', () => {
    const clock = { now: T0 + 700_000 };
    const w = wired(clock);
    const events = makeStream(1000, { seed: 21 }).map((e) => ({ ...e, model: { name: 'm', version: '1' } }));
    for (const e of events) w.feed(e);
    const [only] = w.k.slices('m');
    expect(exactFields(only.window(range).state)).toEqual(exactFields(w.store.window('m', range).state));
    expect(only.traffic(range).rows).toBe(1000);
    expect(w.store.buckets().length).toBe(10);
  });

  it("gives each version exactly its own rows once a second one arrives (the first's copied from the model)", () => {
    const clock = { now: T0 + 700_000 };
    const w = wired(clock);
    // Version 1 alone for five minutes, then 1 and 2 mixed.
    const events = makeStream(3000, { seed: 22 }).map((e) => {
      const at = Date.parse(e['@timestamp']);
      return {
        ...e,
        model: { name: 'm', version: at < T0 + 300_000 || e.model.version === '1' ? '1' : '2' },
      };
    });
    for (const e of events) w.feed(e);
    const slices = w.k.slices('m');
    expect(slices.map((s) => sliceId(s.key))).toEqual(['version:1', 'version:2']);
    for (const s of slices) {
      const version = s.key.kind === 'version' ? s.key.version : '';
      const own = events.filter((e) => e.model.version === version);
      expect(exactFields(s.window(range).state)).toEqual(exactFields(alone(own)));
      expect(s.traffic(range).rows).toBe(own.length);
    }
  });

  it('gives each version its own rows when the versions first meet in a refolded bucket (Elasticsearch catch-up)', () => {
    const clock = { now: T0 + 700_000 };
    const w = wired(clock);
    // Every minute is read by refolding it whole, as the Elasticsearch follower does for buckets it finds short;
    // versions 1 and 2 are mixed from the first minute on.
    const events = makeStream(3000, { seed: 23 });
    for (let minute = 0; minute < 10; minute++) {
      const start = T0 + minute * 60_000;
      const bucket = events.filter((e) => {
        const t = Date.parse(e['@timestamp']);
        return t >= start && t < start + 60_000;
      });
      for (const e of bucket) w.k.prepare(e);
      w.store.refold('m', start, bucket);
      w.k.refold('m', start, bucket);
    }
    const slices = w.k.slices('m');
    expect(slices.map((s) => sliceId(s.key))).toEqual(['version:1', 'version:2']);
    for (const s of slices) {
      const version = s.key.kind === 'version' ? s.key.version : '';
      const own = events.filter((e) => e.model.version === version);
      expect(exactFields(s.window(range).state)).toEqual(exactFields(alone(own)));
      expect(s.traffic(range).rows).toBe(own.length);
    }
  });

  it('mirrors again when the other versions left the retention', () => {
    const clock = { now: T0 + 700_000 };
    const w = wired(clock);
    const at = (v: string, minute: number, i: number): InferenceEvent => ({
      ...makeStream(1, { seed: 100 + i })[0],
      event_id: `${v}-${i}:0`,
      request_id: `${v}-${i}`,
      '@timestamp': new Date(T0 + minute * 60_000).toISOString(),
      model: { name: 'm', version: v },
    });
    w.feed(at('1', 0, 1));
    w.feed(at('2', 1, 2));
    clock.now = T0 + 70 * 60_000; // version 1's minute has left the hour of retention, 2's not yet
    w.feed(at('2', 69, 3));
    w.store.evict();
    w.k.evict();
    const slices = w.k.slices('m');
    expect(slices.map((s) => sliceId(s.key))).toEqual(['version:2']);
    const r = { from: T0, to: T0 + 70 * 60_000 };
    expect(exactFields(slices[0].window(r).state)).toEqual(exactFields(w.store.window('m', r).state));
  });
});

describe('keyed window state: per segment', () => {
  it("gives the reference's top K categories a segment each and pools the rest (and missing) as other", () => {
    const clock = { now: T0 + 700_000 };
    const k = keyed(
      clock,
      { models: [{ name: 'm', version: null, maxVersions: 0, segments: ['color'], segmentTopK: 2 }] },
      ['color'],
    );
    expect(k.segmentValues('m', 'color')).toEqual({ chosenBy: 'profile', values: ['red', 'green'] });
    const events = makeStream(3000, { seed: 16 });
    for (const e of events) k.inference(e);
    const slices = k.slices('m');
    expect(slices.map((s) => sliceId(s.key))).toEqual([
      'segment:color=green',
      'segment:color=other',
      'segment:color=red',
    ]);
    const segmentOf = (e: InferenceEvent) =>
      e.features.color === 'red' || e.features.color === 'green' ? e.features.color : 'other';
    for (const s of slices) {
      const value = s.key.kind === 'segment' ? s.key.value : '';
      const own = events.filter((e) => segmentOf(e) === value);
      expect(exactFields(s.window(range).state)).toEqual(exactFields(alone(own)));
    }
    const total = slices.reduce((n, s) => n + s.window(range).state.rows, 0);
    expect(total).toBe(events.length);
  });

  it('without a categorical reference, the first K values seen take the segments', () => {
    const clock = { now: T0 + 700_000 };
    const k = createKeyedWindows({
      models: [{ name: 'm', version: null, maxVersions: 0, segments: ['region'], segmentTopK: 2 }],
      bucketWidthMs: 60_000,
      retentionMs: HOUR,
      bucketSampleSize: 100,
      windowSampleSize: 1000,
      now: () => clock.now,
    });
    const base = makeStream(4, { seed: 17 });
    ['eu', 'us', 'apac', 'eu'].forEach((region, i) =>
      k.inference({ ...base[i], features: { ...base[i].features, region } }),
    );
    expect(k.segmentValues('m', 'region')).toEqual({ chosenBy: 'first-seen', values: ['eu', 'us'] });
    const rows = Object.fromEntries(k.slices('m').map((s) => [sliceId(s.key), s.window(range).state.rows]));
    expect(rows).toEqual({ 'segment:region=eu': 2, 'segment:region=other': 1, 'segment:region=us': 1 });
  });
});
