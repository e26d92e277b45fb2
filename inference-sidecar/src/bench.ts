/**
 * `@plumbline/sidecar/bench`: the capture thread's own stages, for `bench/sink-cpu-bench.ts`, which times each of
 * them. Not the surface for embedding the sidecar (that is `@plumbline/sidecar`): these follow the internals.
 */
export { createCapture } from './capture/capture';
export type { Capture, CaptureDeps } from './capture/capture';
export type { Exchange } from './capture/exchange';
export { startCaptureThread } from './capture-thread/bridge';
export type { CaptureThread } from './capture-thread/bridge';
export { createSidecarMetrics } from './metrics/sidecar-metrics';
export type { SidecarMetrics } from './metrics/sidecar-metrics';
