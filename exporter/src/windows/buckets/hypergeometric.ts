import type { RandomState } from './random';

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
  return drawMarked(rng, n, g, k);
}

/**
 * The item-by-item draws of {@link sampleHypergeometric}: each is `uniformInt(rng, left) < marked`, with the
 * generator's four words held in locals for the loop and written back at the end (a window's merge makes
 * ~300,000 of these draws; through the Uint32Array each step loads and stores the state). The same outputs, the
 * same rejections and the same final state as calling uniformInt (random.ts), which the tests check.
 */
function drawMarked(rng: RandomState, population: number, successes: number, draws: number): number {
  let s0 = rng[0] | 0;
  let s1 = rng[1] | 0;
  let s2 = rng[2] | 0;
  let s3 = rng[3] | 0;
  let left = population;
  let marked = successes;
  let hits = 0;
  for (let j = 0; j < draws && marked > 0; j++) {
    if (marked === left) {
      hits += draws - j; // only marked items are left
      break;
    }
    let x = 0; // uniformInt(rng, left), inlined (left ≥ 2 here: marked < left)
    const below = TWO_32 - left; // x < below is under the rejection limit, which is then not worked out
    do {
      // nextUint32 (xoshiro128**)
      const m = Math.imul(s1, 5);
      x = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    } while (x >= below && x >= Math.floor(TWO_32 / left) * left);
    if (x - Math.floor(x / left) * left < marked) {
      hits++;
      marked--;
    }
    left--;
  }
  rng[0] = s0;
  rng[1] = s1;
  rng[2] = s2;
  rng[3] = s3;
  return hits;
}

const TWO_32 = 4294967296;

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
