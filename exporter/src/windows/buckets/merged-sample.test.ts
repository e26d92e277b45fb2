import { makeProfile, makeStream, T0 } from '../../../test/helpers/bucket-events';
import { bucketSchemaFromProfile } from './bucket-schema';
import { createBucketState, foldEvent } from './bucket-state';
import { mergeBuckets } from './merge-buckets';
import { feasibleSampleSize, mergeRowSamples } from './merge-row-samples';
import { createRandom } from './random';
import { createRowSample, offerRow, type RowSample } from './row-sample';

/** A bucket's reservoir over rows numbered from `first` (column 0 holds the row's number). */
function reservoir(first: number, n: number, capacity: number, seed: number): RowSample {
  const s = createRowSample(capacity, 1);
  const rng = createRandom(seed);
  for (let i = 0; i < n; i++) {
    const slot = offerRow(s, rng);
    if (slot >= 0) {
      s.columns[0][slot] = first + i;
      s.labels[slot] = null;
    }
  }
  return s;
}

function rowsOf(s: RowSample): number[] {
  return Array.from(s.columns[0].subarray(0, s.size));
}

describe('the merged sample', () => {
  it('is uniform: every row of very unequal buckets is drawn with probability K/N (2,000 repetitions, chi-square)', () => {
    const sizes = [3, 40, 400, 2000, 1];
    const k = 300;
    const kMax = 150;
    const population = sizes.reduce((a, b) => a + b, 0);
    const reps = 2000;
    const inclusion = new Array<number>(population).fill(0);
    const perBucket = new Array<number>(sizes.length).fill(0);
    const bigBucketDraws: number[] = [];
    const rng = createRandom(2026);
    for (let r = 0; r < reps; r++) {
      let first = 0;
      const samples = sizes.map((n, i) => {
        const s = reservoir(first, n, k, r * 31 + i);
        first += n;
        return s;
      });
      const { sample, info } = mergeRowSamples(samples, { capacity: kMax, rng });
      expect(info.rows).toBe(kMax);
      const rows = rowsOf(sample);
      expect(new Set(rows).size).toBe(rows.length); // never a row twice
      for (const row of rows) inclusion[row]++;
      first = 0;
      sizes.forEach((n, i) => {
        const m = rows.filter((row) => row >= first && row < first + n).length;
        perBucket[i] += m;
        if (i === 3) bigBucketDraws.push(m);
        first += n;
      });
    }
    // Per row: Binomial(reps, K/N); the sum of squared standardised residuals is ≈ chi-square(N − 1).
    const p = kMax / population;
    let x2 = 0;
    for (const c of inclusion) x2 += (c - reps * p) ** 2 / (reps * p * (1 - p));
    const df = population - 1;
    expect(Math.abs(x2 - df)).toBeLessThan(5 * Math.sqrt(2 * df));
    // Per bucket: its share of the merged sample is N_i / N within 5 binomial standard deviations.
    sizes.forEach((n, i) => {
      const share = n / population;
      const sd = Math.sqrt((share * (1 - share)) / (reps * kMax));
      expect(Math.abs(perBucket[i] / (reps * kMax) - share)).toBeLessThanOrEqual(5 * sd + 1e-12);
    });
    // And it varies as a hypergeometric count does (a fixed proportional split would have variance 0).
    const p3 = sizes[3] / population;
    const variance = kMax * p3 * (1 - p3) * ((population - kMax) / (population - 1));
    const mean = bigBucketDraws.reduce((a, b) => a + b, 0) / reps;
    const observed = bigBucketDraws.reduce((a, b) => a + (b - mean) ** 2, 0) / (reps - 1);
    expect(observed / variance).toBeGreaterThan(0.8);
    expect(observed / variance).toBeLessThan(1.25);
  });

  it('is every row when Σ N_i ≤ K', () => {
    const samples = [reservoir(0, 10, 50, 1), reservoir(10, 0, 50, 2), reservoir(10, 35, 50, 3)];
    const { sample, info } = mergeRowSamples(samples, { capacity: 45, rng: createRandom(1) });
    expect(info).toMatchObject({ population: 45, rows: 45, complete: true, limitedBy: 'none' });
    expect(rowsOf(sample).sort((a, b) => a - b)).toEqual(Array.from({ length: 45 }, (_, i) => i));
  });

  it('keeps K = Kmax for uniform traffic (60 buckets of 60,000 rows, k = 2,000, K = 50,000)', () => {
    const samples = Array.from({ length: 60 }, () => ({
      ...createRowSample(2000, 0),
      seen: 60_000,
      size: 2000,
    }));
    expect(feasibleSampleSize(samples, 50_000, 1e-9)).toBe(50_000);
  });

  it('lowers K, and says so, when one bucket holds most rows and too small a sample', () => {
    const samples = [reservoir(0, 100, 100, 1), reservoir(100, 9900, 100, 2)];
    const { sample, info } = mergeRowSamples(samples, { capacity: 1000, rng: createRandom(4) });
    expect(info.limitedBy).toBe('bucket-samples');
    expect(info.rows).toBeLessThan(1000);
    expect(info.rows).toBeGreaterThanOrEqual(100);
    expect(sample.size).toBe(info.rows);
    const rows = rowsOf(sample);
    expect(new Set(rows).size).toBe(rows.length);
    // The big bucket can give at most its 100 sampled rows.
    expect(rows.filter((r) => r >= 100).length).toBeLessThanOrEqual(100);
  });

  it('through mergeBuckets: buckets of 5, 50 and 500 events share the window sample as 5 : 50 : 500', () => {
    const profile = makeProfile(500);
    const schema = bucketSchemaFromProfile(profile);
    const events = makeStream(555, { seed: 5, spanMs: 1 });
    const sizes = [5, 50, 500];
    const counts = [0, 0, 0];
    const reps = 200;
    let at = 0;
    const slices = sizes.map((n) => events.slice(at, (at += n)));
    for (let r = 0; r < reps; r++) {
      const buckets = slices.map((slice, i) => {
        const b = createBucketState(schema, {
          model: 'm',
          startMs: T0 + i * 60_000,
          sampleSize: 60,
          seed: r * 7 + i,
        });
        for (const e of slice)
          foldEvent(b, schema, { ...e, '@timestamp': new Date(T0 + i * 60_000).toISOString() });
        return b;
      });
      const w = mergeBuckets(schema, buckets, { sampleSize: 50, seed: r });
      expect(w.sampling).toMatchObject({ population: 555, rows: 50, limitedBy: 'none' });
      // Column y is unique per event: tell which bucket each sampled row came from.
      const y = schema.numerical.findIndex((c) => c.name === 'y');
      const yBucket = new Map(
        slices.flatMap((s, i) => s.map((e) => [e.features.y as number, i] as [number, number])),
      );
      const seen = new Set<number>();
      for (let j = 0; j < w.sample.size; j++) {
        const v = w.sample.columns[y][j];
        expect(seen.has(v)).toBe(false);
        seen.add(v);
        counts[yBucket.get(v)!]++;
      }
    }
    sizes.forEach((n, i) => {
      const share = n / 555;
      const sd = Math.sqrt((share * (1 - share)) / (reps * 50));
      expect(Math.abs(counts[i] / (reps * 50) - share)).toBeLessThanOrEqual(5 * sd);
    });
  });
});
