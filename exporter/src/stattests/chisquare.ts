import { chiSquareHomogeneity } from '../stats/chi-square-homogeneity';
import type { FeatureComparison, StatTestDescriptor } from './types';

/** Pearson chi-square test of homogeneity on the 2×k table (scipy chi2_contingency, correction=False). */
export const chiSquareTest: StatTestDescriptor = {
  id: 'chisquare',
  displayName: 'Chi-square test of homogeneity (2×k)',
  featureKinds: ['categorical'],
  kind: 'p_value',
  defaultThreshold: 0.05,
  thresholdUnit: 'raw',
  reads: 'counts',
  compute(input: FeatureComparison) {
    if (input.type !== 'categorical') throw new TypeError('chisquare applies to categorical features only');
    const r = chiSquareHomogeneity(input.referenceCounts, input.currentCounts);
    return { statistic: r.statistic, pValue: r.pValue, effectSize: r.cramersV };
  },
};
