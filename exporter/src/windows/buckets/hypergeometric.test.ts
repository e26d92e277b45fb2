import { sampleHypergeometric, sampleMultivariateHypergeometric } from './hypergeometric';
import { createRandom, nextUint32, uniformInt } from './random';

describe('the generator (xoshiro128**)', () => {
  it('gives the reference implementation’s outputs for the state 1, 2, 3, 4', () => {
    // From the reference C code (prng.di.unimi.it/xoshiro128starstar.c) with s = {1, 2, 3, 4}.
    const s = Uint32Array.of(1, 2, 3, 4);
    expect(Array.from({ length: 6 }, () => nextUint32(s))).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492,
    ]);
  });

  it('draws the same numbers from the same seed, and uniform integers in range', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const counts = new Array<number>(6).fill(0);
    let same = 0;
    for (let i = 0; i < 60000; i++) {
      const x = uniformInt(a, 6);
      if (uniformInt(b, 6) === x) same++;
      counts[x]++;
    }
    expect(same).toBe(60000);
    // Each face 10,000 ± 5 σ (σ ≈ 91).
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(460);
    expect(() => uniformInt(a, 0)).toThrow(RangeError);
  });

  it('takes the draw and the rejection limit modulo n exactly as % does (the remainder by division)', () => {
    // uniformInt computes x mod n as x − ⌊x / n⌋ · n; the window's sample depends on every bit of it.
    const byPercent = (s: Uint32Array, n: number): number => {
      if (n === 1) return 0;
      const limit = 2 ** 32 - (2 ** 32 % n);
      for (;;) {
        const x = nextUint32(s);
        if (x < limit) return x % n;
      }
    };
    const sizes = createRandom(3);
    const a = createRandom(9);
    const b = createRandom(9);
    const edges = [1, 2, 3, 7, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32];
    for (let i = 0; i < 200_000; i++) {
      const n = i < edges.length ? edges[i] : 1 + (nextUint32(sizes) >>> (nextUint32(sizes) & 31));
      expect(uniformInt(a, n)).toBe(byPercent(b, n));
    }
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

/** Exact hypergeometric pmf by the ratio recurrence (small parameters). */
function pmf(n: number, g: number, k: number): number[] {
  const logC = (a: number, b: number): number => {
    let s = 0;
    for (let i = 1; i <= b; i++) s += Math.log(a - b + i) - Math.log(i);
    return s;
  };
  const out: number[] = [];
  for (let x = 0; x <= k; x++)
    out.push(x > g || k - x > n - g ? 0 : Math.exp(logC(g, x) + logC(n - g, k - x) - logC(n, k)));
  return out;
}

describe('sampleHypergeometric', () => {
  it('draws item by item with uniformInt: the same results and the same generator state afterwards', () => {
    // The definition, as written before the draws were inlined: the j-th item is marked with probability
    // (marked left) / (items left), each a uniformInt draw.
    const byDefinition = (rng: Uint32Array, n: number, g: number, k: number): number => {
      if (k > n - k) return g - byDefinition(rng, n, g, n - k);
      let left = n;
      let marked = g;
      let hits = 0;
      for (let j = 0; j < k && marked > 0; j++) {
        if (marked === left) return hits + (k - j);
        if (uniformInt(rng, left) < marked) {
          hits++;
          marked--;
        }
        left--;
      }
      return hits;
    };
    const params = createRandom(17);
    const a = createRandom(23);
    const b = createRandom(23);
    for (let i = 0; i < 3000; i++) {
      const n = uniformInt(params, i < 1000 ? 12 : 5_000_000) + 1;
      const g = uniformInt(params, n + 1);
      const k = uniformInt(params, Math.min(n, 4000) + 1);
      expect(sampleHypergeometric(a, { population: n, successes: g, draws: k })).toBe(
        byDefinition(b, n, g, k),
      );
    }
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it.each([
    [20, 7, 5],
    [20, 7, 15], // drawn through the complement
    [50, 45, 10],
  ])('matches the pmf of Hypergeom(N=%i, G=%i, K=%i) (chi-square, 20,000 draws)', (n, g, k) => {
    const rng = createRandom(n * 1000 + g * 10 + k);
    const reps = 20000;
    const observed = new Array<number>(k + 1).fill(0);
    for (let i = 0; i < reps; i++)
      observed[sampleHypergeometric(rng, { population: n, successes: g, draws: k })]++;
    const p = pmf(n, g, k);
    let x2 = 0;
    let df = -1;
    p.forEach((pi, x) => {
      if (pi === 0) return expect(observed[x]).toBe(0);
      if (reps * pi < 5) return;
      x2 += (observed[x] - reps * pi) ** 2 / (reps * pi);
      df++;
    });
    // Far beyond the 0.9999 quantile of chi-square(df) (≈ df + 4.5·√(2·df) for these df).
    expect(x2).toBeLessThan(df + 6 * Math.sqrt(2 * df) + 10);
  });

  it('has the right mean and variance at window sizes (N = 3.6 million, K = 50,000)', () => {
    const rng = createRandom(9);
    const n = 3_600_000;
    const g = 600_000;
    const k = 50_000;
    const reps = 40;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < reps; i++) {
      const x = sampleHypergeometric(rng, { population: n, successes: g, draws: k });
      sum += x;
      sumSq += x * x;
    }
    const mean = (k * g) / n;
    const variance = ((k * g) / n) * (1 - g / n) * ((n - k) / (n - 1));
    const sampleMean = sum / reps;
    expect(Math.abs(sampleMean - mean)).toBeLessThan(5 * Math.sqrt(variance / reps));
    const sampleVar = (sumSq - reps * sampleMean * sampleMean) / (reps - 1);
    expect(sampleVar / variance).toBeGreaterThan(0.6);
    expect(sampleVar / variance).toBeLessThan(1.5);
  });

  it('handles the edges of the support and refuses impossible parameters', () => {
    const rng = createRandom(1);
    expect(sampleHypergeometric(rng, { population: 10, successes: 10, draws: 4 })).toBe(4);
    expect(sampleHypergeometric(rng, { population: 10, successes: 0, draws: 4 })).toBe(0);
    expect(sampleHypergeometric(rng, { population: 10, successes: 3, draws: 10 })).toBe(3);
    expect(sampleHypergeometric(rng, { population: 0, successes: 0, draws: 0 })).toBe(0);
    expect(() => sampleHypergeometric(rng, { population: 5, successes: 6, draws: 1 })).toThrow(RangeError);
    expect(() => sampleHypergeometric(rng, { population: 5, successes: 1, draws: 6 })).toThrow(RangeError);
  });
});

describe('sampleMultivariateHypergeometric', () => {
  it('always sums to the draws, never exceeds a group, and each group gets K·N_i/N on average', () => {
    const rng = createRandom(3);
    const sizes = [3, 0, 40, 400, 2000, 1, 77];
    const total = sizes.reduce((a, b) => a + b, 0);
    const k = 600;
    const reps = 1000;
    const sums = new Array<number>(sizes.length).fill(0);
    let bad = 0;
    for (let r = 0; r < reps; r++) {
      const m = sampleMultivariateHypergeometric(rng, sizes, k);
      if (m.reduce((a, b) => a + b, 0) !== k) bad++;
      m.forEach((mi, i) => {
        if (mi > sizes[i]) bad++;
        sums[i] += mi;
      });
    }
    expect(bad).toBe(0);
    sizes.forEach((ni, i) => {
      const p = ni / total;
      const mean = k * p;
      const sd = Math.sqrt((k * p * (1 - p) * (total - k)) / Math.max(1, total - 1) / reps);
      expect(Math.abs(sums[i] / reps - mean)).toBeLessThanOrEqual(5 * sd + 1e-12);
    });
  });

  it('takes everything when the draws equal the population', () => {
    expect(sampleMultivariateHypergeometric(createRandom(1), [2, 5, 0, 3], 10)).toEqual([2, 5, 0, 3]);
    expect(sampleMultivariateHypergeometric(createRandom(1), [], 0)).toEqual([]);
  });
});
