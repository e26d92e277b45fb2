import { psi } from '../stats/psi';
import { binnedDistanceTest } from './binned-distance';

/** Population Stability Index on the reference deciles (numerical) or per category (categorical). */
export const psiTest = binnedDistanceTest({
  id: 'psi',
  displayName: 'Population Stability Index',
  defaultThreshold: 0.1,
  distance: psi,
});
