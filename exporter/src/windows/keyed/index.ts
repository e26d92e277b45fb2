/** The window state split by a key: per model version and per segment value (issues #14 and #12). */
export { createKeyedWindows, sliceId } from './keyed-windows';
export type {
  KeyedCheckpointHead,
  KeyedModelPlan,
  KeyedWindows,
  KeyedWindowsOptions,
  SliceKey,
  SliceView,
} from './keyed-windows';
export { createSegmentValues, OTHER_SEGMENT } from './segment-values';
export type { SegmentValues } from './segment-values';
export {
  createTrafficCounts,
  foldTraffic,
  isErrorEvent,
  trafficFigures,
  trafficFromJson,
  trafficToJson,
} from './traffic-counts';
export type { TrafficCounts, TrafficCountsJson, TrafficFigures } from './traffic-counts';
