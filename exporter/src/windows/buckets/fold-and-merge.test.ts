import fc from 'fast-check';
import type { InferenceEvent } from '@plumbline/schema';
import { makeProfile, makeStream, T0 } from '../../../test/helpers/bucket-events';
import { moments } from '../../stats/pairwise-sum';
import { binCounts } from '../../stats/bin-counts';
import { isMissing, numericColumn } from '../../stats/missing';
import { bucketSchemaFromProfile, type BucketSchema } from './bucket-schema';
import { bucketStartFor, createBucketState, foldEvent, type BucketState } from './bucket-state';
import { momentsOf } from './compensated-moments';
import { exactFields } from './exact-fields';
import { mergeBuckets } from './merge-buckets';

const profile = makeProfile();
const schema = bucketSchemaFromProfile(profile, { maxUnseenValues: 8, maxTrackedClasses: 2 });

/** The events folded into one-minute buckets (or `widthMs`), in event order. */
function foldIntoBuckets(
  events: readonly InferenceEvent[],
  s: BucketSchema,
  widthMs = 60_000,
  seed = 0,
): BucketState[] {
  const buckets = new Map<number, BucketState>();
  for (const e of events) {
    const start = bucketStartFor(Date.parse(e['@timestamp']), widthMs);
    let b = buckets.get(start);
    if (!b) buckets.set(start, (b = createBucketState(s, { model: 'm', startMs: start, widthMs, seed })));
    foldEvent(b, s, e);
  }
  return [...buckets.values()];
}

function relDiff(a: number, b: number, scale: number): number {
  return Math.abs(a - b) / scale;
}

describe('folding events into buckets, then merging', () => {
  const events = makeStream(6000, { seed: 11, spanMs: 600_000 });
  const minutes = foldIntoBuckets(events, schema);
  const whole = foldIntoBuckets(events, schema, 600_000);

  it('gives exactly the counts, bins, categories, min and max of folding everything into one bucket', () => {
    expect(minutes).toHaveLength(10);
    expect(whole).toHaveLength(1);
    const merged = mergeBuckets(schema, minutes);
    const one = mergeBuckets(schema, whole);
    expect(exactFields(merged)).toEqual(exactFields(one));
    expect(exactFields(merged)).toEqual(exactFields(whole[0]));
    expect(merged.startMs).toBe(T0);
    expect(merged.endMs).toBe(T0 + 600_000);
    expect(merged.buckets).toBe(10);
  });

  it('counts what the detector counts: present, missing, invalid, bins over every row', () => {
    const merged = mergeBuckets(schema, minutes);
    const raw = events.map((e) =>
      Object.prototype.hasOwnProperty.call(e.features, 'x') ? e.features.x : null,
    );
    const col = numericColumn(raw);
    const x = merged.numerical[schema.numerical.findIndex((c) => c.name === 'x')];
    const xSchema = schema.numerical.find((c) => c.name === 'x')!;
    expect(x.present).toBe(col.values.length);
    expect(x.missing).toBe(col.missing);
    expect(x.typeMismatch).toBe(col.invalid);
    expect(x.present + x.missing + x.typeMismatch).toBe(events.length);
    expect(x.binCounts).toEqual(binCounts(col.values, xSchema.binEdges));
    const infinite = Array.from(col.values).filter((v) => !Number.isFinite(v)).length;
    const nan = raw.filter((v) => (typeof v === 'number' && Number.isNaN(v)) || v === 'NaN').length;
    expect(infinite).toBeGreaterThan(0);
    expect(x.nonFinite).toBe(infinite + nan);
    expect(x.moments.count).toBe(col.values.length - infinite);
    expect(x.min).toBe(-Infinity);
    expect(x.max).toBe(Infinity);
    expect(x.belowMin).toBe(Array.from(col.values).filter((v) => v < xSchema.min).length);
    expect(x.aboveMax).toBe(Array.from(col.values).filter((v) => v > xSchema.max).length);
    const color = merged.categorical[0];
    const colors = events.map((e) => e.features.color);
    expect(color.missing).toBe(colors.filter((c) => isMissing(c)).length);
    expect(color.typeMismatch).toBe(colors.filter((c) => typeof c === 'number').length);
    expect(color.unseen).toBe(
      colors.filter((c) => !isMissing(c) && !['red', 'green', 'blue'].includes(String(c))).length,
    );
    expect(color.unseenValues.counts.size).toBe(8); // more than 8 distinct unseen values: the rest pooled
    expect(color.unseenValues.other).toBeGreaterThan(0);
    expect(merged.prediction.classes.counts.size + merged.prediction.classes.other).toBeGreaterThan(0);
    expect(
      [...merged.prediction.classes.counts.values()].reduce((a, b) => a + b, 0) +
        merged.prediction.classes.other,
    ).toBe(events.filter((e) => e.outputs.label !== null).length);
    const lowConfidence = events.filter(
      (e) => e.outputs.confidence !== null && e.outputs.confidence < 0.6,
    ).length;
    expect(merged.prediction.confidence.slice(0, 12).reduce((a, b) => a + b, 0)).toBe(lowConfidence);
  });

  it('keeps the moments within 1e-12 of numpy’s mean and std (pairwise sums) on the same values', () => {
    const merged = mergeBuckets(schema, minutes);
    for (const name of ['x', 'y']) {
      const i = schema.numerical.findIndex((c) => c.name === name);
      const values = Float64Array.from(
        numericColumn(events.map((e) => (e.features[name] ?? null) as never)).values.filter(Number.isFinite),
      );
      const numpy = moments(values);
      const ours = momentsOf(merged.numerical[i].moments);
      expect(ours.count).toBe(values.length);
      expect(relDiff(ours.mean, numpy.mean, Math.abs(numpy.mean) + numpy.std)).toBeLessThan(1e-12);
      expect(relDiff(ours.std, numpy.std, numpy.std)).toBeLessThan(1e-12);
      const one = momentsOf(whole[0].numerical[i].moments);
      expect(relDiff(one.std, ours.std, numpy.std)).toBeLessThan(1e-13);
    }
  });

  it('keeps the moments within 1e-12 of numpy’s under a drift of 10 σ at an offset of 10⁶', () => {
    const drifted = makeStream(4000, { seed: 12, shift: 10, awkward: false });
    for (const e of drifted) e.features.x = 1e6 + (e.features.x as number);
    const off = {
      ...profile,
      features: profile.features.map((f) =>
        f.name === 'x' && f.type === 'numerical'
          ? { ...f, summary: { ...f.summary, mean: 1e6 + f.summary.mean } }
          : f,
      ),
    };
    const s = bucketSchemaFromProfile(off);
    const merged = mergeBuckets(s, foldIntoBuckets(drifted, s));
    const values = Float64Array.from(drifted.map((e) => e.features.x as number));
    const numpy = moments(values);
    const ours = momentsOf(merged.numerical[0].moments);
    expect(relDiff(ours.mean, numpy.mean, numpy.std)).toBeLessThan(1e-9); // 3u·10⁶ / σ(= 2)
    expect(relDiff(ours.std, numpy.std, numpy.std)).toBeLessThan(1e-12);
  });
});

describe('merge', () => {
  const events = makeStream(1200, { seed: 21, spanMs: 600_000 });
  const buckets = foldIntoBuckets(events, schema);

  it('is associative and commutative for every exact field (any order, any grouping)', () => {
    const reference = exactFields(mergeBuckets(schema, buckets));
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          buckets.map((_, i) => i),
          { minLength: buckets.length, maxLength: buckets.length },
        ),
        fc.integer({ min: 1, max: buckets.length - 1 }),
        (order, cut) => {
          const shuffled = order.map((i) => buckets[i]);
          // ((first cut buckets) merged) merged with ((the rest) merged): a different grouping and order.
          const left = mergeBuckets(schema, shuffled.slice(0, cut));
          const right = mergeBuckets(schema, shuffled.slice(cut));
          expect(exactFields(mergeBuckets(schema, [right, left]))).toEqual(reference);
          expect(exactFields(mergeBuckets(schema, shuffled))).toEqual(reference);
        },
      ),
      { numRuns: 25, seed: 18 },
    );
  });

  it('keeps the moments within 1e-13 whatever the grouping', () => {
    const a = momentsOf(mergeBuckets(schema, buckets).numerical[0].moments);
    const b = momentsOf(
      mergeBuckets(schema, [
        mergeBuckets(schema, buckets.slice(5)),
        mergeBuckets(schema, buckets.slice(0, 5)),
      ]).numerical[0].moments,
    );
    expect(relDiff(a.mean, b.mean, a.std)).toBeLessThan(1e-13);
    expect(relDiff(a.std, b.std, a.std)).toBeLessThan(1e-13);
  });

  it('does not change its inputs, and refuses buckets of another schema or model', () => {
    const before = exactFields(buckets[0]);
    mergeBuckets(schema, buckets);
    expect(exactFields(buckets[0])).toEqual(before);
    const other = bucketSchemaFromProfile(profile, { maxUnseenValues: 9 });
    expect(() => mergeBuckets(other, buckets)).toThrow(/schema/);
    const stranger = createBucketState(schema, { model: 'other', startMs: T0 });
    expect(() => mergeBuckets(schema, [buckets[0], stranger])).toThrow(/different models/);
  });

  it('refuses an event outside the bucket or of another model', () => {
    const b = createBucketState(schema, { model: 'm', startMs: T0 + 60_000 });
    expect(() => foldEvent(b, schema, events[0])).toThrow(/outside the bucket/);
    const e = { ...events[0], model: { name: 'x', version: null } };
    expect(() => foldEvent(createBucketState(schema, { model: 'm', startMs: T0 }), schema, e)).toThrow(
      /model "x"/,
    );
  });
});
