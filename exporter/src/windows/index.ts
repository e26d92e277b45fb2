export { bucketSecondsFor, latestWindow, retentionMs, inRange, hasEnoughSamples } from './window';
export type { TimeRange, WindowSpec, WindowStatus } from './window';
export { summarizeFeature, SUMMARY_QUANTILES } from './feature-summary';
export type { FeatureSummary } from './feature-summary';
export { windowFeatureSummaries, windowNumericSummary } from './window-summaries';
