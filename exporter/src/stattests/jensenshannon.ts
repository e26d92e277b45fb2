import { jensenShannon } from '../stats/jensen-shannon';
import { binnedDistanceTest } from './binned-distance';

/** Jensen–Shannon distance (natural log) on the PSI bins' raw proportions. */
export const jensenShannonTest = binnedDistanceTest({
  id: 'jensenshannon',
  displayName: 'Jensen–Shannon distance',
  defaultThreshold: 0.1,
  distance: jensenShannon,
});
