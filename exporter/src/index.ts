export { registerExporterCommands } from './cli';
// Drift statistics (STATS): reference profile built once, detector evaluates windows against it.
export { buildReferenceProfile } from './drift/in-memory-profile-builder';
export type { InMemoryProfileOptions } from './drift/in-memory-profile-builder';
export { ReferenceProfileBuilder } from './drift/streaming-profile-builder';
export { DEFAULT_PROFILE_OPTIONS } from './drift/profile-options';
export type { ProfileOptions } from './drift/profile-options';
export { createDriftDetector } from './drift/detector';
export type { DriftDetector, DriftDetectorOptions, FeatureDriftOptions } from './drift/detector';
export { createNumericPool, defaultNumericPool } from './drift/numeric-pool';
export type { NumericPool, NumericPoolOptions } from './drift/numeric-pool';
export {
  DEFAULT_MULTIVARIATE_OPTIONS,
  multivariateDrift,
  multivariatePartOf,
  multivariateThresholds,
  rowsOfTable,
  rowsOfWindowSample,
} from './drift/multivariate';
export type {
  MultivariateDrift,
  MultivariateOutcome,
  MultivariateRows,
  MultivariateSkipped,
} from './drift/multivariate';
export type {
  ReferenceProfile,
  FeatureProfile,
  NumericalFeatureProfile,
  CategoricalFeatureProfile,
  NumericSummary,
  ColumnRole,
  MultivariateNotFitted,
  MultivariateProfile,
  MultivariateReference,
} from './drift/profile-types';
export type {
  DriftReport,
  FeatureDrift,
  TestOutcome,
  FeatureHistogram,
  CategoricalSummary,
} from './drift/report-types';
export {
  STAT_TESTS,
  getStatTest,
  statTestsFor,
  autoSelectStatTest,
  UnknownStatTestError,
} from './stattests/registry';
export type { StatTestDescriptor, StatTestId, StatTestKind, FeatureType } from './stattests/types';
export { isDrift } from './stattests/drift-rule';
export { adjustPValues } from './stattests/corrections';
export type { Correction } from './stattests/corrections';
export type { CellValue } from './stats/missing';
export { createFileBaselineStore, defaultBaselineDir } from './baseline/file-store';
export { createElasticsearchBaselineStore, BASELINE_INDEX } from './baseline/elasticsearch-store';
export { DEFAULT_MODEL_VERSION } from './baseline/store';
export type { BaselineStore, StoredBaseline, BaselineSummary } from './baseline/store';
export { profileFile } from './baseline/profile-file';
// The exporter service (EXPORTER): config, the wired app, the embeddable start function, sources, notifications.
export { EXPORTER_ERRORS } from './errors';
export type { ExporterErrorCode } from './errors';
export { loadConfig, parseConfig, ConfigError, ExporterConfigSchema } from './config';
export type {
  ExporterConfig,
  ExporterConfigInput,
  ModelConfig,
  SourceConfig,
  LoadConfigOptions,
} from './config';
export { createExporter, windowStoreGeometry } from './app';
export type { Exporter, ExporterDeps, ExporterLogger } from './app';
export { startExporter, runExporter, captureBaselines } from './main';
export type { RunningExporter, StartExporterOptions } from './main';
export type { ExtraHandler } from './api';
export type { ModelWindowReport } from './service/report';
// Versions and segments side by side (issues #14, #12): the keyed window state, its figures, the comparison.
export type { SliceFigures, SlicesReport } from './service/evaluate-slices';
export { createKeyedWindows, OTHER_SEGMENT, sliceId } from './windows/keyed';
export type { KeyedWindows, KeyedWindowsOptions, SliceKey, SliceView, TrafficFigures } from './windows/keyed';
export { compareVersions, VERDICTS } from './versions';
export type { ComparisonTest, Verdict, VersionComparison, VersionCounts } from './versions';
export { twoProportionZTest } from './stats/two-proportion-z-test';
export type { DriftEngine, LoadedBaseline } from './service/drift-engine';
export { createBaselineDriftEngine, createBaselineStoreFromConfig } from './service/baseline-drift-engine';
export { captureProductionBaseline } from './service/production-baseline';
export { createFollower, createSource, createMemorySource, SourceError } from './sources';
export type {
  EventFollower,
  EventSink,
  EventSource,
  RefoldableSink,
  SourceCounters,
  SourcePosition,
  WindowQuery,
  WindowEvents,
} from './sources';
export { evaluateQuality, confusionMatrix, classificationMetrics, regressionMetrics } from './quality';
export type { QualityReport } from './quality';
export { createLabelHorizonStore, TALLY_BUCKET_MS } from './label-horizon';
export type {
  LabelHorizonStore,
  LabelHorizonStoreOptions,
  TallyBucket,
  UnjoinedReason,
} from './label-horizon';
export { realizedRangeQuality } from './quality/realized-tally';
export type { RealizedRangeQuality, RealizedTally } from './quality/realized-tally';
export type { QualityByPredictionTime } from './service/report';
// The review queue (issue #13): limits, the advisor, the stores, the service and its routes; the dataset export.
export {
  adviseLimits,
  confidenceLimits,
  createElasticsearchReviewStore,
  createReviewService,
  createReviewServiceFromConfig,
  createReviewStore,
  createSpoolReviewStore,
  handedToPeople,
  limitFor,
  reviewRoutes,
} from './review';
export type {
  ClassAdvice,
  ConfidenceLimits,
  QueueItem,
  QueuePage,
  ReviewResult,
  ReviewService,
  ReviewStore,
} from './review';
export { countDataset, datasetFormatOf, exportDataset } from './dataset/export-dataset';
export type { DatasetExportOptions, DatasetExportResult, DatasetFormat } from './dataset/export-dataset';
export {
  calibrationToJson,
  estimatePerformance,
  fitCalibration,
  performanceFromMatrix,
} from './quality/estimate';
export type { Calibration, EstimatedPerformance, Performance } from './quality/estimate';
export type { ReferenceQuality } from './drift/profile-types';
