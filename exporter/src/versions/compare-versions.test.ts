import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { twoProportionZTest } from '../stats/two-proportion-z-test';
import { compareVersions, type VersionCounts } from './compare-versions';

interface Case {
  a: { successes: number; trials: number };
  b: { successes: number; trials: number };
  z: number;
  pValue: number;
}
const { cases } = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/version-comparison.json'), 'utf8'),
) as { cases: Case[] };

describe('two-proportion z-test', () => {
  it.each(cases.map((c) => [`${c.a.successes}/${c.a.trials} vs ${c.b.successes}/${c.b.trials}`, c] as const))(
    "matches statsmodels' proportions_ztest: %s",
    (_, c) => {
      const t = twoProportionZTest(c.a, c.b);
      expect(t.z).toBeCloseTo(c.z, 10);
      expect(Math.abs(t.pValue - c.pValue)).toBeLessThanOrEqual(1e-12 + 1e-9 * c.pValue);
    },
  );

  it('is symmetric: swapping the samples flips z and keeps p', () => {
    const ab = twoProportionZTest({ successes: 12, trials: 300 }, { successes: 30, trials: 280 });
    const ba = twoProportionZTest({ successes: 30, trials: 280 }, { successes: 12, trials: 300 });
    expect(ba.z).toBeCloseTo(-ab.z, 12);
    expect(ba.pValue).toBeCloseTo(ab.pValue, 14);
  });

  it('refuses impossible counts', () => {
    expect(() => twoProportionZTest({ successes: 5, trials: 0 }, { successes: 1, trials: 10 })).toThrow(
      /trials/,
    );
    expect(() => twoProportionZTest({ successes: 11, trials: 10 }, { successes: 1, trials: 10 })).toThrow(
      /successes/,
    );
  });
});

const v = (
  version: string,
  rows: number,
  errors: number,
  labelled = 0,
  correct: number | null = null,
): VersionCounts => ({
  version,
  rows,
  errors,
  labelled,
  correct,
});

describe('comparing two versions', () => {
  it('says worse when the newer errs significantly more, with the p-value of the fixture', () => {
    const c = compareVersions(v('1', 1000, 50), v('2', 1000, 80), { minimumSamples: 200, alpha: 0.05 });
    const fixture = cases.find((x) => x.a.successes === 50 && x.b.successes === 80)!;
    expect(c.verdict).toBe('worse');
    expect(c.tests[0]).toMatchObject({
      metric: 'error_rate',
      significant: true,
      direction: 'worse',
      alpha: 0.05,
    });
    expect(c.tests[0].pValue).toBeCloseTo(fixture.pValue, 12);
    expect(c.tests[1]).toMatchObject({ metric: 'accuracy', pValue: null });
  });

  it('says better when the newer is significantly more accurate, and worse wins over better', () => {
    const better = compareVersions(v('1', 1000, 50, 200, 150), v('2', 1000, 50, 200, 180));
    expect(better.verdict).toBe('better');
    expect(better.tests.map((t) => t.alpha)).toEqual([0.025, 0.025]); // Bonferroni over the two tests run
    const mixed = compareVersions(v('1', 1000, 50, 200, 150), v('2', 1000, 80, 200, 180));
    expect(mixed.tests.map((t) => t.direction)).toEqual(['worse', 'better']);
    expect(mixed.verdict).toBe('worse');
  });

  it('says no_difference for equal figures, insufficient_data below the minimum sample', () => {
    expect(compareVersions(v('1', 1000, 50), v('2', 1000, 50)).verdict).toBe('no_difference');
    const few = compareVersions(v('1', 1000, 50), v('2', 150, 40), { minimumSamples: 200 });
    expect(few.verdict).toBe('insufficient_data');
    expect(few.tests[0].skipped).toMatch(/fewer than the minimum of 200/);
  });

  it('corrects for the comparisons made together (family): a borderline result stops being significant', () => {
    // 930/1000 vs 905/1000: p ≈ 0.042, below 0.05 alone, above 0.05 / 10.
    const borderline = cases.find((x) => x.pValue > 0.01 && x.pValue < 0.05)!;
    const one = compareVersions(
      v('1', borderline.a.trials, borderline.a.successes),
      v('2', borderline.b.trials, borderline.b.successes),
      { minimumSamples: 10 },
    );
    const ten = compareVersions(
      v('1', borderline.a.trials, borderline.a.successes),
      v('2', borderline.b.trials, borderline.b.successes),
      { minimumSamples: 10, family: 10 },
    );
    expect(one.tests[0].significant).toBe(true);
    expect(ten.tests[0].significant).toBe(false);
    expect(ten.verdict).toBe('no_difference');
  });

  it('is monotone in alpha: a verdict found at alpha holds at every larger alpha', () => {
    for (const c of cases) {
      if (c.a.trials < 200 || c.b.trials < 200) continue;
      const verdicts = [0.001, 0.01, 0.05, 0.2].map(
        (alpha) =>
          compareVersions(v('1', c.a.trials, c.a.successes), v('2', c.b.trials, c.b.successes), { alpha })
            .verdict,
      );
      const first = verdicts.findIndex((x) => x !== 'no_difference');
      if (first >= 0) for (const later of verdicts.slice(first)) expect(later).toBe(verdicts[first]);
    }
  });
});
