import { ksTwoSample } from '../stats/ks-two-sample';
import type { FeatureComparison, StatTestDescriptor } from './types';

/** Two-sample Kolmogorov–Smirnov (scipy ks_2samp, method auto) on the reference sample vs the current window. */
export const ksTest: StatTestDescriptor = {
  id: 'ks',
  displayName: 'Kolmogorov–Smirnov (two-sample)',
  featureKinds: ['numerical'],
  kind: 'p_value',
  defaultThreshold: 0.05,
  thresholdUnit: 'raw',
  reads: 'values',
  compute(input: FeatureComparison) {
    if (input.type !== 'numerical') throw new TypeError('ks applies to numerical features only');
    const r = ksTwoSample(input.referenceSorted, input.currentSorted, {
      sorted: true,
      statistic: input.ksWasserstein?.ks,
    });
    return { statistic: r.statistic, pValue: r.pValue, effectSize: r.statistic, method: r.method };
  },
};
