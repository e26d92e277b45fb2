/** The window state the exporter keeps (issue #18): buckets per model, their checkpoints, and duplicate ids. */
export { blankProfile, createWindowStore } from './window-store';
export type {
  ModelWindow,
  SkipReason,
  StoredBucket,
  WindowCompanion,
  WindowStore,
  WindowStoreModel,
  WindowStoreOptions,
} from './window-store';
export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointError, createCheckpointer } from './checkpoint';
export type {
  CapturedCheckpoint,
  CheckpointerOptions,
  CheckpointManifest,
  Checkpointer,
  CheckpointSection,
  CheckpointUnit,
  RestoreResult,
  SavedSection,
  SectionCapture,
} from './checkpoint';
export { createRecentIds } from './recent-ids';
export type { RecentIds, RecentIdsOptions } from './recent-ids';
export { createLabelJoinCompanion, exactPredictionCounts } from './label-join-companion';
export type { LabelJoinCompanion } from './label-join-companion';
export { createShardedWindowStore, parseShardBucketKey, shardBucketKey } from './sharded-store';
export type {
  ShardBucketJson,
  ShardedWindowStore,
  ShardedWindowStoreOptions,
  StateRecord,
} from './sharded-store';
