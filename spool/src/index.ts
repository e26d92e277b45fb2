export { RECORD_HEADER_BYTES, encodeRecord, decodeRecord } from './record-format';
export type { DecodeOutcome } from './record-format';
export { eventBytes, eventJson, encodeSpoolRecord, decodeSpoolRecord, spoolRecord } from './record-codec';
export type { SpoolRecord, DeadLetterInfo } from './record-codec';
export { SegmentLog } from './segment-log';
export type { SegmentLogOptions, FsyncPolicy, LogPosition, ReadBatch } from './segment-log';
export { openSpoolReader } from './spool-reader';
export type {
  SpoolReader,
  SpoolEntry,
  SpoolPosition,
  SpoolReaderOptions,
  SpoolReaderStats,
  FollowOptions,
} from './spool-reader';
