import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chiSquareHomogeneity } from './chi-square-homogeneity';

interface ChiCase {
  name: string;
  reference: Record<string, number>;
  current: Record<string, number>;
  statistic: number;
  pValue: number;
  dof: number;
}
const { cases } = JSON.parse(readFileSync(join(__dirname, '../../fixtures/chisquare.json'), 'utf8')) as {
  cases: ChiCase[];
};
const rel = (a: number, e: number): number => Math.abs(a - e) / Math.max(Math.abs(e), 1e-300);
/** Category counts in the order written. */
const counts = (byCategory: Record<string, number>): Map<string, number> =>
  new Map(Object.entries(byCategory));

describe('chiSquareHomogeneity matches scipy.stats.chi2_contingency(correction=False)', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const r = chiSquareHomogeneity(counts(c.reference), counts(c.current));
    expect(r.dof).toBe(c.dof);
    if (c.statistic === 0) expect(r.statistic).toBeLessThan(1e-12);
    else expect(rel(r.statistic, c.statistic)).toBeLessThan(1e-9);
    expect(rel(r.pValue, c.pValue)).toBeLessThan(1e-6);
  });
});

describe('chiSquareHomogeneity edge cases', () => {
  test('categories are every category present in either sample, reference order first', () => {
    const r = chiSquareHomogeneity(counts({ b: 3, a: 0 }), counts({ c: 2, b: 1 }));
    expect(r.categories).toEqual(['b', 'c']);
  });
  test('an empty sample is an error', () => {
    expect(() => chiSquareHomogeneity(new Map(), counts({ a: 1 }))).toThrow(/non-empty/);
  });
  test('negative counts are an error naming the category', () => {
    expect(() => chiSquareHomogeneity(counts({ a: -1, b: 2 }), counts({ a: 1 }))).toThrow(/category a/);
  });
  test("Cramér's V does not grow with the sample size for the same proportions", () => {
    const small = chiSquareHomogeneity(counts({ a: 60, b: 40 }), counts({ a: 50, b: 50 }));
    const big = chiSquareHomogeneity(counts({ a: 60000, b: 40000 }), counts({ a: 50000, b: 50000 }));
    expect(big.cramersV).toBeCloseTo(small.cramersV, 12);
    expect(big.pValue).toBeLessThan(small.pValue);
  });
});
