/**
 * Data-quality checks (issue #12): computed once per window from its folded counts against the reference profile,
 * shared by the service, /api, the metrics and `plumbline drift`. docs/stattests.md, "Data-quality checks".
 */
export { dataQualityChecks } from './data-quality';
export { checkDataQualityFeatures } from './check-features';
export { COLUMN_CHECKS, MAX_CHANCE, NOISE_SIGMAS } from './checks';
export type { ColumnCheckDescriptor } from './checks';
export {
  DEFAULT_DATA_QUALITY_CONFIG,
  DataQualityConfigSchema,
  DataQualityThresholdsSchema,
  OUT_OF_RANGE_BOUNDS,
} from './config';
export type {
  DataQualityConfig,
  DataQualityConfigInput,
  DataQualityThresholds,
  OutOfRangeBounds,
} from './config';
export { DATA_QUALITY_CHECK_IDS, SHARE_CHECK_IDS } from './types';
export type { DataQualityCheckId, DataQualityCheckResult, DataQualityReport, ShareCheckId } from './types';
