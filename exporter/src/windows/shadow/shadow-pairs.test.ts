/**
 * Pairing shadow rows with their primary rows (issue #14): any arrival order, a shadow before its primary, missing
 * halves, redeliveries, the per-bucket cap, eviction past the retention, regressors' differences, and the shadow's
 * quality from the primary's labels.
 */
import type { InferenceEvent } from '@plumbline/schema';
import { makeRegressionStream, makeStream, T0 } from '../../../test/helpers/bucket-events';
import { labelFor, shadowOf } from '../../../test/helpers/shadow-events';
import { createShadowPairs, type ShadowPairsOptions } from './shadow-pairs';

const range = { from: T0, to: T0 + 600_000 };
const q = { confidenceThreshold: 0.6, maxClasses: 10 };

function pairsAt(clock: { now: number }, extra: Partial<ShadowPairsOptions> = {}) {
  return createShadowPairs({
    task: 'classification',
    bucketWidthMs: 60_000,
    retentionMs: 3_600_000,
    now: () => clock.now,
    ...extra,
  });
}

/** Primary rows of version "1" with a label, and a shadow "2" that disagrees on every fourth. */
function traffic(n: number, seed: number) {
  const primaries = makeStream(n, { seed, awkward: false })
    .filter((e) => e.outputs.label !== null)
    .map((e) => ({ ...e, model: { name: 'm', version: '1' } }));
  const shadows = primaries.map((p, i) =>
    shadowOf(p, '2', i % 4 === 0 ? { label: p.outputs.label === 'a' ? 'b' : 'a' } : {}),
  );
  const agree = primaries.filter((_, i) => i % 4 !== 0).length;
  return { primaries, shadows, agree };
}

/** A seeded shuffle (Fisher–Yates with mulberry32-like steps). */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s ^ (s >>> 15), 1 | s) + 0x6d2b79f5) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('shadow pairs', () => {
  const clock = { now: T0 + 700_000 };
  const { primaries, shadows, agree } = traffic(2000, 3);

  it('pairs every shadow row with its primary row, in any arrival order', () => {
    const orders: InferenceEvent[][] = [
      [...primaries, ...shadows],
      [...shadows, ...primaries], // every shadow before its primary
      shuffled([...primaries, ...shadows], 11),
      shuffled([...primaries, ...shadows], 12),
    ];
    for (const events of orders) {
      const pairs = pairsAt(clock);
      for (const e of events) pairs.inference(e);
      const w = pairs.window(range, q);
      expect(w.agreements).toEqual([
        {
          modelVersion: '1',
          shadowVersion: '2',
          pairs: primaries.length,
          agreementRatio: agree / primaries.length,
          meanAbsoluteDifference: null,
          meanRelativeDifference: null,
          sampled: false,
        },
      ]);
      expect(w.versions.map((v) => [v.shadowVersion, v.rows, v.unpaired])).toEqual([
        ['2', primaries.length, 0],
      ]);
    }
  });

  it('counts a redelivered half once', () => {
    const pairs = pairsAt(clock);
    for (const e of [...primaries, ...shadows, ...shadows.slice(0, 500), ...primaries.slice(0, 500)])
      pairs.inference(e);
    const [a] = pairs.window(range, q).agreements;
    expect(a.pairs).toBe(primaries.length);
    expect(a.agreementRatio).toBe(agree / primaries.length);
  });

  it('leaves out missing halves: a shadow without its primary is unpaired, a primary without a shadow is no pair', () => {
    const pairs = pairsAt(clock);
    const withoutPrimary = new Set(shadows.slice(0, 100).map((s) => s.shadow_of!.request_id));
    for (const p of primaries) if (!withoutPrimary.has(p.request_id)) pairs.inference(p);
    for (const s of shadows.slice(0, shadows.length - 50)) pairs.inference(s); // the last 50 shadows never came
    const w = pairs.window(range, q);
    const paired = primaries.slice(100, primaries.length - 50);
    const paired4 = paired.filter((p) => primaries.indexOf(p) % 4 !== 0).length;
    expect(w.agreements[0].pairs).toBe(paired.length);
    expect(w.agreements[0].agreementRatio).toBe(paired4 / paired.length);
    expect(w.versions[0]).toMatchObject({ rows: shadows.length - 50, unpaired: 100 });
  });

  it('does not pair a shadow whose primary fell in another bucket (the sidecar gives both one @timestamp)', () => {
    const pairs = pairsAt(clock);
    const p = primaries[0];
    pairs.inference(p);
    pairs.inference({
      ...shadowOf(p, '2', {}),
      '@timestamp': new Date(Date.parse(p['@timestamp']) + 60_000).toISOString(),
    });
    const w = pairs.window(range, q);
    expect(w.agreements).toEqual([]);
    expect(w.versions[0]).toMatchObject({ rows: 1, unpaired: 1 });
  });

  it('keeps pairs per (primary version, shadow version)', () => {
    const pairs = pairsAt(clock);
    primaries.forEach((p, i) => {
      const primary = i % 2 === 0 ? p : { ...p, model: { name: 'm', version: '0' } };
      pairs.inference(primary);
      pairs.inference(shadows[i]);
      pairs.inference(shadowOf(p, '3', {})); // a second challenger that always agrees
    });
    const w = pairs.window(range, q);
    const odd = primaries.filter((_, i) => i % 2 === 1).length;
    const even = primaries.length - odd;
    expect(w.agreements.map((a) => [a.modelVersion, a.shadowVersion, a.pairs, a.agreementRatio])).toEqual([
      ['0', '2', odd, primaries.filter((_, i) => i % 2 === 1 && i % 4 !== 0).length / odd],
      ['0', '3', odd, 1],
      ['1', '2', even, primaries.filter((_, i) => i % 2 === 0 && i % 4 !== 0).length / even],
      ['1', '3', even, 1],
    ]);
  });

  it('holds at most maxRowsPerBucket keys per bucket, keeps pairs whole and estimates the count from its share', () => {
    const many = traffic(12_000, 9); // ~1,176 rows a bucket
    const pairs = pairsAt(clock, { maxRowsPerBucket: 300 });
    for (const e of shuffled([...many.primaries, ...many.shadows], 4)) pairs.inference(e);
    expect(pairs.size).toBeLessThanOrEqual(300 * 10);
    const w = pairs.window(range, q);
    const [a] = w.agreements;
    expect(a.sampled).toBe(true);
    // Both halves of a held row are held: no shadow row lost its primary to the cap.
    expect(w.versions[0].unpaired).toBe(0);
    expect(a.pairs / many.primaries.length).toBeGreaterThan(0.85);
    expect(a.pairs / many.primaries.length).toBeLessThan(1.15);
    expect(a.agreementRatio!).toBeGreaterThan(0.7);
    expect(a.agreementRatio!).toBeLessThan(0.8);
  });

  it('drops buckets past the retention, and takes no row older than it', () => {
    const c = { now: T0 + 700_000 };
    const pairs = pairsAt(c, { retentionMs: 900_000 });
    for (const e of [...primaries, ...shadows]) pairs.inference(e);
    const held = pairs.size;
    expect(held).toBe(primaries.length);
    c.now = T0 + 900_000 + 300_000; // the first five minutes leave the retention
    pairs.evict();
    const left = primaries.filter((p) => Date.parse(p['@timestamp']) >= T0 + 300_000).length;
    expect(pairs.size).toBe(left);
    expect(pairs.window(range, q).agreements[0].pairs).toBe(left);
    pairs.inference(shadowOf(primaries[0], '2', {}));
    expect(pairs.skipped.out_of_retention).toBe(1);
    expect(pairs.size).toBe(left);
  });

  it("takes the shadow's quality from the primary's labels, whichever comes first", () => {
    const labelled = primaries.filter((_, i) => i % 2 === 0);
    const labels = labelled.map((p) => labelFor(p, p.outputs.label!)); // the primary is always right
    for (const labelsFirst of [true, false]) {
      const pairs = pairsAt(clock);
      if (labelsFirst) for (const l of labels) pairs.feedback(l);
      for (const e of [...shadows, ...primaries]) pairs.inference(e);
      if (!labelsFirst) for (const l of labels) pairs.feedback(l);
      const quality = pairs.window(range, q).versions[0].quality;
      expect(quality.labelled).toBe(labelled.length);
      // The shadow is wrong exactly where it disagrees with the primary.
      const right = primaries.filter((_, i) => i % 2 === 0 && i % 4 !== 0).length;
      expect(quality.classification!.accuracy).toBeCloseTo(right / labelled.length, 12);
    }
  });

  it('stops taking shadow versions past maxShadowVersions, and counts their rows', () => {
    const pairs = pairsAt(clock, { maxShadowVersions: 1 });
    for (const e of [...primaries, ...shadows]) pairs.inference(e);
    pairs.inference(shadowOf(primaries[0], 'other', {}));
    expect(pairs.skipped.version_cap).toBe(1);
    expect(pairs.window(range, q).versions.map((v) => v.shadowVersion)).toEqual(['2']);
  });
});

describe('shadow pairs of a regressor', () => {
  it('reports the mean absolute and relative differences, and agreement within the tolerance', () => {
    const clock = { now: T0 + 700_000 };
    const pairs = createShadowPairs({
      task: 'regression',
      bucketWidthMs: 60_000,
      retentionMs: 3_600_000,
      now: () => clock.now,
      regressionTolerance: 0.05,
    });
    const primaries = makeRegressionStream(400, 5).filter((e) => typeof e.outputs.value === 'number');
    let abs = 0;
    let rel = 0;
    let agree = 0;
    primaries.forEach((p, i) => {
      const v = p.outputs.value!;
      const s = i % 2 === 0 ? v : v * 1.1 + 1; // every other row off by 10% + 1
      const d = Math.abs(s - v);
      const scale = Math.max(Math.abs(s), Math.abs(v));
      const r = scale === 0 ? 0 : d / scale;
      abs += d;
      rel += r;
      if (r <= 0.05) agree += 1;
      pairs.inference(shadowOf(p, 'b', { value: s }));
      pairs.inference(p);
    });
    const [a] = pairs.window(range, q).agreements;
    expect(a.pairs).toBe(primaries.length);
    expect(a.meanAbsoluteDifference).toBeCloseTo(abs / primaries.length, 9);
    expect(a.meanRelativeDifference).toBeCloseTo(rel / primaries.length, 12);
    expect(a.agreementRatio).toBe(agree / primaries.length);
    expect(agree).toBeGreaterThanOrEqual(primaries.length / 2);
  });
});
