export {
  DAY_MS,
  LABEL_HORIZON_FILE,
  MAX_PENDING_LABELS,
  TALLY_BUCKET_MS,
  createLabelHorizonStore,
} from './label-horizon-store';
export type {
  HorizonLabel,
  HorizonPrediction,
  HorizonRangeQuality,
  RangeEstimate,
  LabelHorizonStats,
  LabelHorizonStore,
  LabelHorizonStoreOptions,
  TallyBucket,
  UnjoinedReason,
} from './label-horizon-store';
export { withLabelHorizon } from './horizon-companion';
