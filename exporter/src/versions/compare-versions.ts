/**
 * Promotion evidence (issue #14): is version b better or worse than version a on live traffic? Two-proportion
 * z-tests (stats/two-proportion-z-test.ts) on the error rate (every row) and, where the window has joined labels,
 * on the accuracy (labelled rows), each run only when both versions have at least `minimumSamples` rows for it,
 * Bonferroni-corrected over the tests run (and over `family` comparisons made at once, e.g. every challenger
 * against the champion). docs/stattests.md, "Comparing two versions".
 */
import { twoProportionZTest } from '../stats/two-proportion-z-test';

export const VERDICTS = ['better', 'worse', 'no_difference', 'insufficient_data'] as const;
/** How b compares with a. */
export type Verdict = (typeof VERDICTS)[number];

export const COMPARED_METRICS = ['error_rate', 'accuracy'] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

/** What a comparison needs of one version's window. */
export interface VersionCounts {
  readonly version: string;
  /** Rows (inference events) in the window. */
  readonly rows: number;
  /** Rows that errored. */
  readonly errors: number;
  /** Rows with joined ground truth (0: none, or a regressor). */
  readonly labelled: number;
  /** Of those, correctly predicted; null when there is no accuracy (a regressor, or no labels). */
  readonly correct: number | null;
}

export interface CompareOptions {
  /** Least rows (labelled rows for accuracy) each version needs for a test to run. @default 200 */
  readonly minimumSamples?: number;
  /** Family-wise significance level. @default 0.05 */
  readonly alpha?: number;
  /** Comparisons made together (each gets alpha / family before the per-test split). @default 1 */
  readonly family?: number;
}

export const DEFAULT_COMPARE_MINIMUM_SAMPLES = 200;
export const DEFAULT_COMPARE_ALPHA = 0.05;

export interface ProportionFigures {
  readonly n: number;
  readonly x: number;
  readonly rate: number | null;
}

export interface ComparisonTest {
  readonly metric: ComparedMetric;
  readonly a: ProportionFigures;
  readonly b: ProportionFigures;
  /** Null when the test did not run (see `skipped`). */
  readonly z: number | null;
  readonly pValue: number | null;
  /** The level this test's p-value is compared with (alpha / (family · tests run)). */
  readonly alpha: number | null;
  readonly significant: boolean;
  /** Which way b moved, when significant. */
  readonly direction: 'better' | 'worse' | null;
  /** Why the test did not run; null when it did. */
  readonly skipped: string | null;
}

export interface VersionComparison {
  readonly a: string;
  readonly b: string;
  readonly minimumSamples: number;
  readonly alpha: number;
  readonly correction: 'bonferroni';
  readonly family: number;
  readonly tests: ComparisonTest[];
  /** How b compares with a: `worse` when any test finds b significantly worse (it wins over `better`). */
  readonly verdict: Verdict;
}

function figures(x: number, n: number): ProportionFigures {
  return { n, x, rate: n > 0 ? x / n : null };
}

export function compareVersions(
  a: VersionCounts,
  b: VersionCounts,
  options: CompareOptions = {},
): VersionComparison {
  const minimumSamples = options.minimumSamples ?? DEFAULT_COMPARE_MINIMUM_SAMPLES;
  const alpha = options.alpha ?? DEFAULT_COMPARE_ALPHA;
  const family = options.family ?? 1;
  if (!(Number.isInteger(minimumSamples) && minimumSamples >= 1))
    throw new RangeError(`minimumSamples must be an integer ≥ 1, got ${minimumSamples}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(Number.isInteger(family) && family >= 1))
    throw new RangeError(`family must be an integer ≥ 1, got ${family}`);

  const planned: {
    metric: ComparedMetric;
    a: ProportionFigures;
    b: ProportionFigures;
    lowerIsBetter: boolean;
    skipped: string | null;
  }[] = [];
  const few = (what: string, fa: ProportionFigures, fb: ProportionFigures) =>
    fa.n < minimumSamples || fb.n < minimumSamples
      ? `${what}: ${fa.n} and ${fb.n}, fewer than the minimum of ${minimumSamples} for one of them`
      : null;
  const errA = figures(a.errors, a.rows);
  const errB = figures(b.errors, b.rows);
  planned.push({
    metric: 'error_rate',
    a: errA,
    b: errB,
    lowerIsBetter: true,
    skipped: few('rows', errA, errB),
  });
  if (a.correct !== null && b.correct !== null) {
    const accA = figures(a.correct, a.labelled);
    const accB = figures(b.correct, b.labelled);
    planned.push({
      metric: 'accuracy',
      a: accA,
      b: accB,
      lowerIsBetter: false,
      skipped: few('labelled rows', accA, accB),
    });
  } else {
    planned.push({
      metric: 'accuracy',
      a: figures(a.correct ?? 0, a.labelled),
      b: figures(b.correct ?? 0, b.labelled),
      lowerIsBetter: false,
      skipped: 'no accuracy for one of the versions (no joined labels, or a regressor)',
    });
  }
  const run = planned.filter((p) => p.skipped === null).length;
  const level = run > 0 ? alpha / (family * run) : null;
  const tests: ComparisonTest[] = planned.map((p) => {
    if (p.skipped !== null || level === null)
      return { ...pick(p), z: null, pValue: null, alpha: null, significant: false, direction: null };
    const t = twoProportionZTest({ successes: p.a.x, trials: p.a.n }, { successes: p.b.x, trials: p.b.n });
    const significant = t.pValue < level && t.z !== 0;
    const bHigher = t.z > 0;
    const direction = significant ? (bHigher === p.lowerIsBetter ? 'worse' : 'better') : null;
    return { ...pick(p), z: t.z, pValue: t.pValue, alpha: level, significant, direction };
  });
  const verdict: Verdict =
    run === 0
      ? 'insufficient_data'
      : tests.some((t) => t.direction === 'worse')
        ? 'worse'
        : tests.some((t) => t.direction === 'better')
          ? 'better'
          : 'no_difference';
  return {
    a: a.version,
    b: b.version,
    minimumSamples,
    alpha,
    correction: 'bonferroni',
    family,
    tests,
    verdict,
  };
}

function pick(p: {
  metric: ComparedMetric;
  a: ProportionFigures;
  b: ProportionFigures;
  skipped: string | null;
}) {
  return { metric: p.metric, a: p.a, b: p.b, skipped: p.skipped };
}
