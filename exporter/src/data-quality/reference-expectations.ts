import { OTHER_CATEGORY, type FeatureProfile, type ReferenceProfile } from '../drift/profile-types';
import { sortedSampleOf } from '../drift/sorted-sample';
import { parseNumber } from '../stats/missing';

/**
 * What a column of the reference leads one to expect of a window drawn from the same distribution, for the
 * data-quality checks (docs/stattests.md, "Data-quality checks"). Derived once per profile (cached).
 */
export interface ReferenceExpectations {
  /** Rows of the column in the reference (present + missing + invalid). */
  readonly rows: number;
  /** Missing share (NaN included: the profile does not count it apart). */
  readonly missingShare: number;
  /** Numerical: share of present values that were not numbers; categorical: share of values whose label is a
   * number (they may have arrived as numbers: the profile keeps labels only). */
  readonly typeMismatchShare: number;
  /** Numerical: share of rows holding ±Infinity (from the reference sample, exact when it holds every value). */
  readonly infiniteShare: number;
  /** Numerical: 2 / (n + 1), the expected share of new values outside [min, max] of n values (continuous data). */
  readonly outOfRangeShare: number;
  /** Categorical: Good–Turing's chance of a value not among the categories (singletons / n), plus the share the
   * profile pooled under `__other__`. */
  readonly unseenShare: number;
  /** More than one distinct value. */
  readonly distinct: boolean;
  /** Probability of each distinct value, grouped: [probability, how many values have it]. */
  readonly valueProbabilities: readonly (readonly [number, number])[];
}

const cache = new WeakMap<ReferenceProfile, Map<string, ReferenceExpectations>>();

/** The expectations of every column of `profile`, by name (computed on first use, then cached per profile). */
export function referenceExpectations(profile: ReferenceProfile): ReadonlyMap<string, ReferenceExpectations> {
  let out = cache.get(profile);
  if (!out) {
    out = new Map(profile.features.map((f) => [f.name, expectationsOf(f)]));
    cache.set(profile, out);
  }
  return out;
}

function grouped(probabilities: Iterable<number>): [number, number][] {
  const m = new Map<number, number>();
  for (const p of probabilities) if (p > 0) m.set(p, (m.get(p) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[0] - a[0]);
}

function expectationsOf(f: FeatureProfile): ReferenceExpectations {
  if (f.type === 'numerical') {
    const rows = f.count + f.missing + f.invalid;
    const sample = sortedSampleOf(f);
    let infinite = 0;
    for (let i = 0; i < sample.length && sample[i] === -Infinity; i++) infinite++;
    for (let i = sample.length - 1; i >= 0 && sample[i] === Infinity; i--) infinite++;
    // Runs of equal values in the sorted sample: most are single values (a Map only for the longer ones).
    let singles = 0;
    const longer = new Map<number, number>();
    for (let i = 0; i < sample.length;) {
      let j = i + 1;
      while (j < sample.length && sample[j] === sample[i]) j++;
      if (j - i === 1) singles++;
      else longer.set(j - i, (longer.get(j - i) ?? 0) + 1);
      i = j;
    }
    const n = sample.length;
    const runs: [number, number][] = [...longer.entries()].map(([len, k]) => [len / n, k]);
    if (singles > 0) runs.push([1 / n, singles]);
    return {
      rows,
      missingShare: rows ? f.missing / rows : 0,
      typeMismatchShare: f.count + f.invalid ? f.invalid / (f.count + f.invalid) : 0,
      infiniteShare: rows && sample.length ? ((infinite / sample.length) * f.count) / rows : 0,
      outOfRangeShare: 2 / (f.count + 1),
      unseenShare: 0,
      distinct: f.count > 0 && f.summary.min < f.summary.max,
      valueProbabilities: runs.sort((a, b) => b[0] - a[0]),
    };
  }
  const rows = f.count + f.missing;
  const counts = Object.entries(f.categories);
  let numbers = 0;
  let singletons = 0;
  let other = 0;
  for (const [label, n] of counts) {
    if (label === OTHER_CATEGORY) other += n;
    else if (n === 1) singletons++;
    if (!Number.isNaN(parseNumber(label))) numbers += n;
  }
  return {
    rows,
    missingShare: rows ? f.missing / rows : 0,
    typeMismatchShare: f.count ? numbers / f.count : 0,
    infiniteShare: 0,
    outOfRangeShare: 0,
    unseenShare: f.count ? Math.min(1, (singletons + other) / f.count) : 0,
    distinct: counts.filter(([, n]) => n > 0).length > 1,
    valueProbabilities: f.count ? grouped(counts.map(([, n]) => n / f.count)) : [],
  };
}

/**
 * The probability that m values drawn independently from the reference are all equal: Σ_v p_v^m. Continuous data:
 * n^(1−m) for a reference of n distinct values; a category of share 0.99: ≥ 0.99^m.
 */
export function chanceOfOneValue(e: ReferenceExpectations, m: number): number {
  let total = 0;
  for (const [p, k] of e.valueProbabilities) total += k * Math.pow(p, m);
  return Math.min(1, total);
}
