/** Distance tests on two histograms (PSI, Jensen–Shannon): the bins they compare and their descriptor. */
import type { CategoricalComparison, FeatureComparison, StatTestDescriptor, StatTestId } from './types';

/** Reference and current counts over every category present in either sample (reference order first). */
export function categoricalBins(input: CategoricalComparison): {
  categories: string[];
  reference: number[];
  current: number[];
} {
  const categories: string[] = [];
  for (const [c, n] of input.referenceCounts) if (n > 0) categories.push(c);
  for (const [c, n] of input.currentCounts)
    if (n > 0 && !((input.referenceCounts.get(c) ?? 0) > 0)) categories.push(c);
  return {
    categories,
    reference: categories.map((c) => input.referenceCounts.get(c) ?? 0),
    current: categories.map((c) => input.currentCounts.get(c) ?? 0),
  };
}

/**
 * The two histograms a binned test (PSI, Jensen–Shannon) compares: reference and current counts per PSI bin of a
 * numerical feature, per category (categoricalBins) of a categorical one.
 */
export function comparisonBins(input: FeatureComparison): {
  reference: readonly number[];
  current: readonly number[];
} {
  if (input.type === 'numerical')
    return { reference: input.referenceBinCounts, current: input.currentBinCounts };
  return categoricalBins(input);
}

/**
 * The descriptor of a distance test on the two histograms of comparisonBins: it applies to numerical and
 * categorical features alike, and its threshold is in the statistic's own units.
 */
export function binnedDistanceTest(test: {
  id: StatTestId;
  displayName: string;
  defaultThreshold: number;
  distance: (reference: readonly number[], current: readonly number[]) => number;
}): StatTestDescriptor {
  return {
    id: test.id,
    displayName: test.displayName,
    featureKinds: ['numerical', 'categorical'],
    kind: 'distance',
    defaultThreshold: test.defaultThreshold,
    thresholdUnit: 'raw',
    reads: 'counts',
    compute(input: FeatureComparison) {
      const bins = comparisonBins(input);
      return { statistic: test.distance(bins.reference, bins.current) };
    },
  };
}
