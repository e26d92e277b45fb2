import { sampleMultivariateHypergeometric } from './hypergeometric';
import type { RandomState } from './random';
import { createRowSample, ensureRoom, type RowSample } from './row-sample';

/** How a merged sample was drawn. */
export interface SampleMergeInfo {
  /** Rows the samples were drawn from: Σ N_i. */
  readonly population: number;
  /** Rows in the merged sample: K. */
  readonly rows: number;
  /** The size asked for (Kmax). */
  readonly requested: number;
  /**
   * Why rows < min(requested, population): 'bucket-samples' when a bucket holding a large share of the rows
   * has too small a sample for K draws (see {@link mergeRowSamples}); else 'none'.
   */
  readonly limitedBy: 'none' | 'bucket-samples';
  /** True when the sample holds every row (K = N). */
  readonly complete: boolean;
}

export interface MergeRowSamplesOptions {
  /** Kmax: the most rows the merged sample holds. */
  readonly capacity: number;
  readonly rng: RandomState;
  /**
   * δ: the largest allowed chance that a draw needs more rows from a bucket than its sample holds; K is lowered
   * until the (Chernoff) bound on that chance is ≤ δ. The merged sample is then uniform up to a total-variation
   * distance ≤ δ / (1 − δ). @default 1e-9
   */
  readonly maxInfeasibility?: number;
}

/**
 * Merges uniform samples of disjoint row sets into one uniform sample of their union.
 *
 * Definition: bucket i has N_i rows and a simple random sample S_i of |S_i| = min(k_i, N_i) of them. Draw the
 * per-bucket counts (m_1, …, m_B) from the multivariate hypergeometric distribution of K draws from groups of
 * sizes N_i (sequential conditional draws, hypergeometric.ts), then m_i rows of S_i uniformly without
 * replacement (partial Fisher–Yates). The result is a simple random sample of size K of the union: every
 * K-subset equally likely, no row twice; with Σ N_i ≤ K it is every row.
 * That needs m_i ≤ |S_i|. It always holds when K ≤ min k_i or every bucket's sample is complete. Otherwise a
 * bucket holding a large share p_i = N_i / N of the rows may be asked for more than it holds: K is lowered to the
 * largest K ≤ min(Kmax, N) with Σ_i P(m_i > k_i) ≤ δ, P bounded by the Chernoff–Hoeffding bound
 * exp(−K · KL((k_i + 1)/K ‖ p_i)) (Hoeffding 1963, Thm. 4, holds for sampling without replacement), and a draw
 * that still asks too much (probability ≤ δ) is drawn again. K depends only on the N_i and k_i, never on the
 * values. Uniform traffic with k = 2,000 per one-minute bucket keeps K = 50,000 over an hour; a burst holding half
 * the hour's rows limits K to 3,615 (a little under k / p, p = 0.5).
 * Cost: O(K · log B + Σ|S_i|) time for the draws and index permutations, O(K · columns) memory for the result.
 *
 * @example mergeRowSamples(buckets.map((b) => b.sample), { capacity: 50000, rng }).info.rows
 */
export function mergeRowSamples(
  samples: readonly RowSample[],
  options: MergeRowSamplesOptions,
): { sample: RowSample; info: SampleMergeInfo } {
  const { capacity, rng } = options;
  const delta = options.maxInfeasibility ?? 1e-9;
  if (!(delta > 0 && delta < 1)) throw new RangeError(`maxInfeasibility must be in (0, 1), got ${delta}`);
  const columns = samples.length ? samples[0].columns.length : 0;
  for (const s of samples)
    if (s.columns.length !== columns) throw new RangeError('cannot merge samples with different columns');
  const population = samples.reduce((a, s) => a + s.seen, 0);
  const wanted = Math.min(capacity, population);
  const k = feasibleSampleSize(samples, wanted, delta);
  const out = createRowSample(capacity, columns, Math.max(1, k));
  out.seen = population;
  out.size = k;
  ensureRoom(out, k);
  const info: SampleMergeInfo = {
    population,
    rows: k,
    requested: capacity,
    limitedBy: k < wanted ? 'bucket-samples' : 'none',
    complete: k === population,
  };
  if (k === 0) return { sample: out, info };
  const sizes = samples.map((s) => s.seen);
  let counts: number[] | null = null;
  for (let attempt = 0; attempt < 1000 && counts === null; attempt++) {
    const m = sampleMultivariateHypergeometric(rng, sizes, k);
    if (m.every((mi, i) => mi <= samples[i].size)) counts = m;
  }
  if (counts === null)
    throw new Error(
      'mergeRowSamples: no feasible draw in 1000 attempts (a bug: K is chosen so that one is almost sure)',
    );
  const picked = pickRows(samples, counts, k, rng);
  for (let c = 0; c < columns; c++)
    copyPicked(
      samples.map((s) => s.columns[c]),
      picked,
      out.columns[c],
    );
  copyPicked(
    samples.map((s) => s.values),
    picked,
    out.values,
  );
  copyPicked(
    samples.map((s) => s.confidences),
    picked,
    out.confidences,
  );
  const labels = new Array<string | null>(k);
  copyPickedLabels(
    samples.map((s) => s.labels),
    picked,
    labels,
  );
  out.labels = labels;
  return { sample: out, info };
}

/** The picks of mergeRowSamples: bucket i's are entries [ends[i − 1], ends[i]), by ascending slot. */
interface Picked {
  readonly slots: Int32Array;
  /** The output row of each. */
  readonly rows: Int32Array;
  readonly ends: Int32Array;
}

/**
 * The rows drawn, bucket after bucket, the draws in the same order as ever: output row `at + j` is slot idx[j] of
 * bucket i (the first m = counts[i] entries of a partial Fisher–Yates shuffle of 0 … size − 1: m distinct slots,
 * uniformly). Then each bucket's picks are listed by ascending slot with their output rows, so that every column
 * is copied reading the bucket's sample in order (it streams through the cache; read at random, each of the
 * ~1,400 columns of an hour's buckets cost a cache miss per line) and writing within the bucket's m output rows.
 */
function pickRows(
  samples: readonly RowSample[],
  counts: readonly number[],
  k: number,
  rng: RandomState,
): Picked {
  const largest = samples.reduce((a, s) => Math.max(a, s.size), 0);
  const idx = new Int32Array(largest);
  const place = new Int32Array(largest).fill(-1);
  const slots = new Int32Array(k);
  const rows = new Int32Array(k);
  const ends = new Int32Array(samples.length);
  let at = 0;
  for (let i = 0; i < samples.length; i++) {
    const m = counts[i];
    const size = samples[i].size;
    if (m > 0) {
      shuffleFirst(idx, size, m, rng);
      listInSlotOrder(idx, size, m, place, at, slots, rows);
    }
    at += m;
    ends[i] = at;
  }
  return { slots, rows, ends };
}

/**
 * idx[0 … m) := the first m entries of a partial Fisher–Yates shuffle of 0 … size − 1, each swap partner drawn
 * with uniformInt(rng, size − j) — inlined, the generator's words in locals and written back at the end (the same
 * outputs and final state; as hypergeometric.ts's drawMarked does).
 */
function shuffleFirst(idx: Int32Array, size: number, m: number, rng: RandomState): void {
  for (let j = 0; j < size; j++) idx[j] = j;
  let s0 = rng[0] | 0;
  let s1 = rng[1] | 0;
  let s2 = rng[2] | 0;
  let s3 = rng[3] | 0;
  for (let j = 0; j < m; j++) {
    const n = size - j;
    let r = 0;
    if (n > 1) {
      const below = TWO_32 - n; // under the rejection limit: see uniformInt
      let x = 0;
      do {
        const t5 = Math.imul(s1, 5);
        x = Math.imul((t5 << 7) | (t5 >>> 25), 9) >>> 0;
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
      } while (x >= below && x >= Math.floor(TWO_32 / n) * n);
      r = x - Math.floor(x / n) * n;
    }
    const swap = idx[j];
    idx[j] = idx[j + r];
    idx[j + r] = swap;
  }
  rng[0] = s0;
  rng[1] = s1;
  rng[2] = s2;
  rng[3] = s3;
}

/** Appends the picks idx[0 … m) by ascending slot to slots / rows from `at` (`place`: all −1, left so). */
function listInSlotOrder(
  idx: Int32Array,
  size: number,
  m: number,
  place: Int32Array,
  at: number,
  slots: Int32Array,
  rows: Int32Array,
): void {
  for (let j = 0; j < m; j++) place[idx[j]] = at + j;
  let n = at;
  for (let slot = 0; slot < size; slot++) {
    const row = place[slot];
    if (row >= 0) {
      slots[n] = slot;
      rows[n++] = row;
      place[slot] = -1;
    }
  }
}

const TWO_32 = 4294967296;

/** Writes `from[i][slot]` to `into[row]` for every pick of every bucket i. */
function copyPicked(from: readonly Float64Array[], picked: Picked, into: Float64Array): void {
  const { slots, rows, ends } = picked;
  let j = 0;
  for (let i = 0; i < from.length; i++) {
    const source = from[i];
    for (const end = ends[i]; j < end; j++) into[rows[j]] = source[slots[j]];
  }
}

/** copyPicked for the class labels (its own function, so copyPicked only ever sees typed arrays). */
function copyPickedLabels(
  from: readonly (readonly (string | null)[])[],
  picked: Picked,
  into: (string | null)[],
): void {
  const { slots, rows, ends } = picked;
  let j = 0;
  for (let i = 0; i < from.length; i++) {
    const source = from[i];
    for (const end = ends[i]; j < end; j++) into[rows[j]] = source[slots[j]];
  }
}

/**
 * The K of {@link mergeRowSamples}: the largest K ≤ wanted whose bound on Σ P(m_i > |S_i|) is ≤ δ.
 * The bound grows with K, so a binary search finds it.
 */
export function feasibleSampleSize(samples: readonly RowSample[], wanted: number, delta: number): number {
  const population = samples.reduce((a, s) => a + s.seen, 0);
  const partial = samples.filter((s) => s.seen > s.size);
  if (partial.length === 0) return wanted;
  let smallest = Infinity; // a loop, not Math.min(...partial): a window may have 100,000 buckets
  for (const s of partial) if (s.size < smallest) smallest = s.size;
  if (wanted <= smallest) return wanted;
  const bound = (k: number): number => {
    let total = 0;
    for (const s of partial) total += tailBound(k, s.size, s.seen / population);
    return total;
  };
  let lo = smallest; // bound(lo) = 0: no bucket can be asked for more than lo ≤ |S_i| rows
  let hi = wanted;
  if (bound(hi) <= delta) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (bound(mid) <= delta) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** P(Hypergeom with K draws and share p > held) ≤ exp(−K · KL(q ‖ p)), q = (held + 1) / K. */
function tailBound(k: number, held: number, p: number): number {
  const q = (held + 1) / k;
  if (q > 1) return 0;
  if (q <= p) return 1;
  const kl = q * Math.log(q / p) + (q < 1 ? (1 - q) * Math.log((1 - q) / (1 - p)) : 0);
  return Math.exp(-k * kl);
}
