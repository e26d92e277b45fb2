/**
 * Per-version and per-segment window state in the exporter's checkpoint (issue #14): the slices checkpointed with
 * the model's buckets at one position, restored into a fresh exporter, then fed the rest of the stream, equal the
 * slices of a run that was never interrupted — their exact counts and samples, traffic (rows, errors, latency
 * quantiles), realized quality, first buckets and segment values; whether the restart came while a lone version
 * mirrored the model or after a second version arrived.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { makeProfile, makeStream, T0 } from '../../../test/helpers/bucket-events';
import { labelFor } from '../../../test/helpers/shadow-events';
import { exactFields } from '../buckets';
import { createCheckpointer, createLabelJoinCompanion, createWindowStore } from '../store';
import { createKeyedWindows, sliceId, type KeyedWindows } from './keyed-windows';
import {
  createTrafficCounts,
  foldTraffic,
  trafficFigures,
  trafficFromJson,
  trafficToJson,
  type TrafficCounts,
} from './traffic-counts';

const profile = makeProfile();
const HOUR = 3_600_000;
const range = { from: T0, to: T0 + 600_000 };
const q = { confidenceThreshold: 0.6, maxClasses: 10 };

/** The model's store and its slices, wired as the exporter wires them (app.ts), with a checkpointer over both. */
function exporterState(dir: string, clock = { now: T0 + 700_000 }) {
  const companion = () => createLabelJoinCompanion({ task: 'classification', bucketWidthMs: 60_000 });
  const store = createWindowStore({
    models: [{ name: 'm', version: null }],
    bucketWidthMs: 60_000,
    retentionMs: HOUR,
    bucketSampleSize: 200,
    windowSampleSize: 2000,
    seed: 5,
    dedupe: { horizonMs: 600_000, maxIds: 100_000 },
    now: () => clock.now,
    companion,
  });
  const slices: KeyedWindows = createKeyedWindows({
    // color's segments come from the baseline; region's from the first two values seen.
    models: [{ name: 'm', version: null, maxVersions: 4, segments: ['color', 'region'], segmentTopK: 2 }],
    bucketWidthMs: 60_000,
    retentionMs: HOUR,
    bucketSampleSize: 50,
    windowSampleSize: 500,
    seed: 5,
    now: () => clock.now,
    companion,
    modelStore: store,
  });
  store.setProfile('m', profile, []);
  slices.setProfile('m', profile, []);
  const checkpointer = createCheckpointer(dir, store, {
    sections: [
      {
        name: 'slices',
        capture: (model) => slices.checkpoint(model),
        restore: (model, saved) => slices.restoreCheckpoint(model, saved),
      },
    ],
  });
  return {
    store,
    slices,
    checkpointer,
    inference(e: InferenceEvent) {
      slices.prepare(e);
      store.inference(e);
      slices.inference(e);
    },
    feedback(e: FeedbackEvent) {
      store.feedback(e);
      slices.feedback(e);
    },
  };
}
type State = ReturnType<typeof exporterState>;

/** Inference events with a first-seen segment (region), errors, latencies, and a label for every third row. */
function traffic(n: number, seed: number, version: (e: InferenceEvent, i: number) => string) {
  const regions = ['eu', 'us', 'apac', 'latam'];
  return makeStream(n, { seed }).flatMap((e, i): (InferenceEvent | FeedbackEvent)[] => {
    const event: InferenceEvent = {
      ...e,
      model: { name: 'm', version: version(e, i) },
      features: { ...e.features, region: regions[(i * 7) % 5 === 0 ? 2 : i % 4] },
      http_status: i % 23 === 0 ? 503 : 200,
      latency_ms: { total: 5 + ((i * 37) % 200), upstream: 4 },
    };
    return i % 3 === 0 ? [event, labelFor(event, i % 6 === 0 ? 'a' : 'b', 5000)] : [event];
  });
}

function feed(state: State, events: readonly (InferenceEvent | FeedbackEvent)[]): void {
  for (const e of events)
    if ('outputs' in e) state.inference(e);
    else state.feedback(e);
}

/** Everything a slice reports, for comparison. */
function figures(slices: KeyedWindows) {
  return slices.slices('m').map((s) => {
    const w = s.window(range);
    return {
      id: sliceId(s.key),
      exact: exactFields(w.state),
      sample: w.state.sample.columns,
      traffic: s.traffic(range),
      firstBucket: s.firstBucket(range),
      quality: w.quality!(q),
    };
  });
}

describe("a bucket's traffic as JSON", () => {
  it('comes back with the same counts and latency quantiles, alone and merged', () => {
    const a = createTrafficCounts();
    const b = createTrafficCounts();
    makeStream(500, { seed: 33 }).forEach((e, i) =>
      foldTraffic(i % 2 ? a : b, {
        ...e,
        http_status: i % 9 === 0 ? 500 : 200,
        latency_ms: { total: i % 50 === 0 ? 0 : 0.5 + ((i * 13) % 400), upstream: 1 },
      }),
    );
    const back = (t: TrafficCounts) => trafficFromJson(JSON.parse(JSON.stringify(trafficToJson(t))));
    expect(trafficFigures([back(a)])).toEqual(trafficFigures([a]));
    expect(trafficFigures([back(a), back(b)])).toEqual(trafficFigures([a, b]));
    expect(trafficFigures([back(createTrafficCounts())])).toEqual(trafficFigures([]));
    expect(() => trafficFromJson({ rows: 1 })).toThrow(/not the traffic counts/);
  });
});

describe('keyed window state in checkpoints', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'plumbline-keyed-checkpoint-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, (e: InferenceEvent, i: number) => string][] = [
    ['after a second version arrived', (e) => e.model.version ?? '1'],
    // Version 1 alone until the restart (its slice mirrors the model's store), then 1 and 2 mixed.
    ['while a lone version mirrors the model', (e, i) => (i < 1800 ? '1' : (e.model.version ?? '1'))],
  ];
  it.each(cases)('restore + the rest of the stream = an uninterrupted run (%s)', async (_, version) => {
    const events = traffic(3000, 31, version);
    const cut = events.findIndex((e) => 'outputs' in e && e.event_id === 'r31-1500:0');
    const whole = exporterState(mkdtempSync(path.join(dir, 'whole-')));
    feed(whole, events);

    const before = exporterState(dir);
    feed(before, events.slice(0, cut));
    await before.checkpointer.write(before.checkpointer.capture({ kind: 'memory', delivered: cut }));
    feed(before, events.slice(cut, cut + 300)); // after the checkpoint: lost with the process

    const after = exporterState(dir);
    const restored = await after.checkpointer.restore('memory');
    expect(restored.position).toEqual({ kind: 'memory', delivered: cut });
    expect(restored.sections.m.slices).toBeGreaterThan(0);
    feed(after, events.slice(cut));

    const a = figures(whole.slices);
    expect(a.map((s) => s.id)).toEqual([
      'version:1',
      'version:2',
      'segment:color=green',
      'segment:color=other',
      'segment:color=red',
      'segment:region=apac',
      'segment:region=other',
      'segment:region=us',
    ]);
    expect(figures(after.slices)).toEqual(a);
    expect(after.slices.segmentValues('m', 'region')).toEqual(whole.slices.segmentValues('m', 'region'));
    expect(after.slices.segmentValues('m', 'region')).toEqual({
      chosenBy: 'first-seen',
      values: ['apac', 'us'],
    });
  });

  it("writes a slice made again under a dropped one's key anew, though its store counts from the same start", async () => {
    // Regression: a unit's generation was the slice store's own count, so the labels of a version dropped with the
    // retention and seen again before the next checkpoint matched the file of the dropped one, which was kept.
    const clock = { now: T0 + 700_000 };
    const state = exporterState(dir, clock);
    const at = (version: string, ms: number, seed: number): InferenceEvent => ({
      ...makeStream(1, { seed, awkward: false })[0],
      '@timestamp': new Date(ms).toISOString(),
      model: { name: 'm', version },
    });
    const round = (from: number, seed: number) => {
      const events = [at('1', from, seed), at('2', from + 1000, seed + 1)];
      for (const e of events) {
        state.inference(e);
        state.feedback(labelFor(e, 'a'));
      }
    };
    round(T0, 1);
    await state.checkpointer.write(state.checkpointer.capture({ kind: 'memory', delivered: 4 }));
    clock.now += 2 * HOUR; // both versions leave the retention...
    state.store.evict();
    state.slices.evict();
    expect(state.slices.size).toBe(0);
    round(clock.now - 60_000, 3); // ... and come back, their slice stores counting from the start again
    await state.checkpointer.write(state.checkpointer.capture({ kind: 'memory', delivered: 8 }));

    const after = exporterState(dir, clock);
    await after.checkpointer.restore('memory');
    const labelled = (k: KeyedWindows) =>
      k.slices('m').map((s) => s.window({ from: clock.now - HOUR, to: clock.now }).quality!(q).labelled);
    expect(labelled(state.slices).slice(0, 2)).toEqual([1, 1]); // versions 1 and 2 (then the segments)
    expect(labelled(after.slices)).toEqual(labelled(state.slices));
  });

  it('leaves out the slices folded under an earlier baseline', async () => {
    const before = exporterState(dir);
    feed(
      before,
      traffic(600, 34, (e) => e.model.version ?? '1'),
    );
    await before.checkpointer.write(before.checkpointer.capture({ kind: 'memory' }));
    const after = exporterState(dir);
    after.store.setProfile('m', makeProfile(3000, 8), []);
    after.slices.setProfile('m', makeProfile(3000, 8), []);
    const r = await after.checkpointer.restore('memory');
    expect(r.skipped.m).toMatch(/baseline changed/);
    expect(after.slices.size).toBe(0);
  });

  it('rewrites only the slice buckets that changed, and removes the files of evicted slices', async () => {
    const state = exporterState(dir);
    const events = traffic(1000, 32, (e) => e.model.version ?? '1').filter((e) => 'outputs' in e);
    feed(state, events.slice(0, 900));
    const first = state.checkpointer.capture({ kind: 'memory' });
    await state.checkpointer.write(first);
    expect(state.checkpointer.capture({ kind: 'memory' }).files.size).toBe(0);
    feed(state, events.slice(900)); // the last minute only
    const second = state.checkpointer.capture({ kind: 'memory' });
    const changed = [...second.files.keys()];
    expect(changed.length).toBeGreaterThan(0);
    // One file per slice holding the last minute (each version and segment got rows of it), nothing else.
    const lastMinute = state.slices
      .slices('m')
      .filter((s) => s.traffic({ from: T0 + 540_000, to: T0 + 600_000 }).rows);
    expect(changed.filter((f) => f.includes('-slices-')).length).toBe(lastMinute.length);
    await state.checkpointer.write(second);
    const files = (): string[] =>
      readdirSync(path.join(dir, 'buckets')).filter((f) => f.includes('-slices-'));
    expect(files().length).toBeGreaterThan(lastMinute.length);
    // Restored later, once every bucket has left the retention: the slices go, and so do their files.
    const clock = { now: T0 + 700_000 };
    const later = exporterState(dir, clock);
    await later.checkpointer.restore('memory');
    expect(later.slices.size).toBe(state.slices.size);
    expect(later.checkpointer.capture({ kind: 'memory' }).files.size).toBe(0); // what is on disk is what it holds
    clock.now += 2 * HOUR;
    later.store.evict();
    later.slices.evict();
    expect(later.slices.size).toBe(0);
    await later.checkpointer.write(later.checkpointer.capture({ kind: 'memory' }));
    expect(files()).toEqual([]);
  });
});
