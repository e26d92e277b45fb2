import { wasserstein } from '../stats/wasserstein';
import type { FeatureComparison, StatTestDescriptor } from './types';

/**
 * Wasserstein-1 distance in the feature's raw units (scipy wasserstein_distance). Its threshold is configured in
 * reference standard deviations (default 0.1 σ) and reported in raw units (threshold × σ_ref).
 */
export const wassersteinTest: StatTestDescriptor = {
  id: 'wasserstein',
  displayName: 'Wasserstein-1 distance',
  featureKinds: ['numerical'],
  kind: 'distance',
  defaultThreshold: 0.1,
  thresholdUnit: 'reference_std',
  reads: 'values',
  compute(input: FeatureComparison) {
    if (input.type !== 'numerical') throw new TypeError('wasserstein applies to numerical features only');
    return {
      statistic:
        input.ksWasserstein?.wasserstein ?? wasserstein(input.referenceSorted, input.currentSorted, true),
    };
  },
};
