/**
 * Shadow pairs in the exporter's checkpoint (issue #14): pairs checkpointed with the model's buckets at one
 * position, restored into a fresh exporter, then fed the rest of the stream, give the window an uninterrupted run
 * gives — pairs whose halves straddle the restart included, a bucket sampled down by its cap included, and the
 * shadow's quality from labels that came before the restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { makeRegressionStream, makeStream, T0 } from '../../../test/helpers/bucket-events';
import { labelFor, shadowOf } from '../../../test/helpers/shadow-events';
import { createCheckpointer, createWindowStore } from '../store';
import { createShadowPairs, type ShadowPairs, type ShadowPairsOptions } from './shadow-pairs';

const range = { from: T0, to: T0 + 600_000 };
const q = { confidenceThreshold: 0.6, maxClasses: 10 };

function exporterState(dir: string, model: string, options: Partial<ShadowPairsOptions>) {
  const now = () => T0 + 700_000;
  const store = createWindowStore({
    models: [{ name: model, version: null }],
    bucketWidthMs: 60_000,
    retentionMs: 3_600_000,
    now,
  });
  const pairs: ShadowPairs = createShadowPairs({
    task: 'classification',
    bucketWidthMs: 60_000,
    retentionMs: 3_600_000,
    now,
    ...options,
  });
  const checkpointer = createCheckpointer(dir, store, {
    sections: [
      {
        name: 'shadow',
        capture: (m) => (m === model ? pairs.checkpoint() : null),
        restore: (m, saved) => (m === model ? pairs.restoreCheckpoint(saved) : undefined),
      },
    ],
  });
  return { pairs, checkpointer };
}

function feed(pairs: ShadowPairs, events: readonly (InferenceEvent | FeedbackEvent)[]): void {
  for (const e of events)
    if ('outputs' in e) pairs.inference(e);
    else pairs.feedback(e);
}

/** Primaries of version "1", shadows "2" (disagreeing on every fourth) and "3", labels; shadows mostly late. */
function classification(): (InferenceEvent | FeedbackEvent)[] {
  const primaries = makeStream(3000, { seed: 41, awkward: false }).map((e) => ({
    ...e,
    model: { name: 'm', version: '1' },
  }));
  const out: (InferenceEvent | FeedbackEvent)[] = [];
  primaries.forEach((p, i) => {
    out.push(p);
    if (i % 5 === 0) out.push(labelFor(p, i % 10 === 0 ? 'a' : 'b'));
    if (i % 7 === 0) out.push(shadowOf(p, '3', {}));
  });
  // Version 2's answers come in after all the primaries: half of them after the restart.
  primaries.forEach((p, i) => {
    if (i % 3 !== 2)
      out.push(shadowOf(p, '2', i % 4 === 0 ? { label: p.outputs.label === 'a' ? 'b' : 'a' } : {}));
  });
  return out;
}

function regression(): InferenceEvent[] {
  const primaries = makeRegressionStream(2000, 42).map((e) => ({
    ...e,
    model: { name: 'reg', version: '1' },
  }));
  return primaries.flatMap((p, i) => [
    p,
    shadowOf(p, '2', { value: (p.outputs.value as number) * (i % 3 === 0 ? 1.5 : 1.001) }),
  ]);
}

describe('shadow pairs in checkpoints', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'plumbline-shadow-checkpoint-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, string, () => (InferenceEvent | FeedbackEvent)[], Partial<ShadowPairsOptions>][] = [
    ['a classifier', 'm', classification, {}],
    [
      'a classifier whose buckets are sampled down by the cap',
      'm',
      classification,
      { maxRowsPerBucket: 120 },
    ],
    ['a regressor', 'reg', regression, { task: 'regression' }],
  ];
  it.each(cases)(
    'restore + the rest of the stream = an uninterrupted run (%s)',
    async (_, model, make, options) => {
      const events = make();
      const cut = Math.floor(events.length * 0.6);
      const whole = exporterState(mkdtempSync(path.join(dir, 'whole-')), model, options);
      feed(whole.pairs, events);

      const before = exporterState(dir, model, options);
      feed(before.pairs, events.slice(0, cut));
      await before.checkpointer.write(before.checkpointer.capture({ kind: 'memory', delivered: cut }));
      feed(before.pairs, events.slice(cut, cut + 500)); // after the checkpoint: lost with the process

      const after = exporterState(dir, model, options);
      const restored = await after.checkpointer.restore('memory');
      expect(restored.sections[model].shadow).toBeGreaterThan(1);
      feed(after.pairs, events.slice(cut));

      const a = whole.pairs.window(range, q);
      expect(a.agreements.length).toBeGreaterThan(0);
      expect(a.agreements.every((x) => x.pairs > 0)).toBe(true);
      expect(a.agreements.some((x) => x.sampled)).toBe(options.maxRowsPerBucket !== undefined);
      if (model === 'm') expect(a.versions.every((v) => v.quality.labelled > 0)).toBe(true);
      expect(after.pairs.window(range, q)).toEqual(a);
      expect(after.pairs.size).toBe(whole.pairs.size);
    },
  );

  it('counts a half redelivered after the restart once', async () => {
    const events = classification();
    const cut = Math.floor(events.length * 0.8);
    const whole = exporterState(mkdtempSync(path.join(dir, 'whole-')), 'm', {});
    feed(whole.pairs, events);
    const before = exporterState(dir, 'm', {});
    feed(before.pairs, events.slice(0, cut));
    await before.checkpointer.write(before.checkpointer.capture({ kind: 'memory', delivered: cut }));
    const after = exporterState(dir, 'm', {});
    await after.checkpointer.restore('memory');
    // A source that resumes a little before its position (at-least-once) offers some halves again.
    feed(after.pairs, events.slice(cut - 200));
    expect(after.pairs.window(range, q)).toEqual(whole.pairs.window(range, q));
  });
});

describe('shadow pairs: labels that age out', () => {
  it('rewrite the labels unit, so a restart does not bring them back', () => {
    const clock = { now: T0 + 700_000 };
    const pairs = createShadowPairs({
      task: 'classification',
      bucketWidthMs: 60_000,
      retentionMs: 3_600_000,
      now: () => clock.now,
    });
    const [p] = makeStream(1, { seed: 43, awkward: false });
    pairs.inference({ ...p, model: { name: 'm', version: '1' } });
    pairs.feedback(labelFor(p, 'a'));
    const generation = () => pairs.checkpoint()!.units.find((u) => u.key === 'labels')!.generation;
    const before = generation();
    pairs.evict();
    expect(generation()).toBe(before); // nothing aged out yet
    clock.now += 2 * 3_600_000;
    pairs.evict();
    expect(generation()).not.toBe(before);
  });
});
