import { uniformInt, type RandomState } from './random';

/**
 * One draw from the hypergeometric distribution: how many of `draws` items taken without replacement from a
 * population of `population` items, `successes` of them marked, are marked.
 *
 * Definition: P(X = x) = C(successes, x) · C(population − successes, draws − x) / C(population, draws).
 * Method: the definition itself — the items are drawn one at a time, the j-th marked with probability
 * (marked left) / (items left), each probability an exact integer ratio drawn with {@link uniformInt}; so the
 * result is exact up to the generator. By symmetry it draws min(draws, population − draws) items.
 * Why not a package: @stdlib/random-base-hypergeometric (the npm candidate) starts its inversion from
 * factorial(n) ratios, which overflow to NaN past n = 170 and then always return the lower end of the support;
 * our populations are window row counts (millions).
 * Reference: Johnson, Kemp & Kotz, "Univariate Discrete Distributions", 3rd ed., §6.2.
 * Cost: O(min(draws, population − draws)) uniform draws; fine up to a few 100k.
 *
 * @example sampleHypergeometric(rng, { population: 100, successes: 30, draws: 10 }) // ~3 on average
 */
export function sampleHypergeometric(
  rng: RandomState,
  options: { readonly population: number; readonly successes: number; readonly draws: number },
): number {
  const { population: n, successes: g, draws: k } = options;
  if (!(Number.isInteger(n) && Number.isInteger(g) && Number.isInteger(k) && n >= 0 && g >= 0 && k >= 0))
    throw new RangeError(`sampleHypergeometric: integers ≥ 0 expected, got ${n}, ${g}, ${k}`);
  if (g > n || k > n)
    throw new RangeError(
      `sampleHypergeometric: successes (${g}) and draws (${k}) must be ≤ population (${n})`,
    );
  // Drawing the complement: the marked items among the population − draws items left behind.
  if (k > n - k) return g - sampleHypergeometric(rng, { population: n, successes: g, draws: n - k });
  let left = n;
  let marked = g;
  let hits = 0;
  for (let j = 0; j < k && marked > 0; j++) {
    if (marked === left) return hits + (k - j); // only marked items are left
    if (uniformInt(rng, left) < marked) {
      hits++;
      marked--;
    }
    left--;
  }
  return hits;
}

/**
 * One draw from the multivariate hypergeometric distribution: how many of `draws` items taken without replacement
 * from groups of sizes `sizes` come from each group.
 *
 * Method: sequential conditional draws, arranged as a binary tree: the groups are split into a left and a right
 * half, the left half's count is Hypergeom(Σ sizes, Σ left sizes, draws), and each half splits its count the same
 * way. Each split is exact (the number drawn from a union of groups is hypergeometric, and given it the draws
 * inside that union are again multivariate hypergeometric), so the whole is exact; the tree keeps the cost at
 * O(draws · log₂ groups) instead of O(draws · groups) for the left-to-right chain m₁, m₂ | m₁, ….
 *
 * @example sampleMultivariateHypergeometric(rng, [10, 1000], 100) // e.g. [1, 99]; always sums to 100
 */
export function sampleMultivariateHypergeometric(
  rng: RandomState,
  sizes: readonly number[],
  draws: number,
): number[] {
  let total = 0;
  for (const s of sizes) {
    if (!(Number.isInteger(s) && s >= 0)) throw new RangeError(`group sizes must be integers ≥ 0, got ${s}`);
    total += s;
  }
  if (!(Number.isInteger(draws) && draws >= 0 && draws <= total))
    throw new RangeError(`draws must be an integer in [0, ${total}], got ${draws}`);
  const out = new Array<number>(sizes.length).fill(0);
  const prefix = [0];
  for (const s of sizes) prefix.push(prefix[prefix.length - 1] + s);
  split(0, sizes.length, draws);
  return out;

  function split(from: number, to: number, k: number): void {
    if (to - from === 1) {
      out[from] = k;
      return;
    }
    if (k === 0) return;
    const mid = (from + to) >>> 1;
    const left = prefix[mid] - prefix[from];
    const all = prefix[to] - prefix[from];
    const kLeft = sampleHypergeometric(rng, { population: all, successes: left, draws: k });
    split(from, mid, kLeft);
    split(mid, to, k - kLeft);
  }
}
