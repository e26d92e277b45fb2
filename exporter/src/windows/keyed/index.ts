/** The window state split by a key: per model version and per segment value (issues #14 and #12). */
export { createKeyedWindows, sliceId } from './keyed-windows';
export type { KeyedModelPlan, KeyedWindows, KeyedWindowsOptions, SliceKey, SliceView } from './keyed-windows';
export { createSegmentValues, OTHER_SEGMENT } from './segment-values';
export type { SegmentValues } from './segment-values';
export { createTrafficCounts, foldTraffic, isErrorEvent, trafficFigures } from './traffic-counts';
export type { TrafficCounts, TrafficFigures } from './traffic-counts';
