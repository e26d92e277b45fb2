export { registerSidecarCommands } from './cli';
export { createSidecar, startSidecar, pipelineOptions } from './app';
export type { CaptureMode, Sidecar, SidecarDeps, RunningSidecar } from './app';
export { parseConfig, resolveConfig, SidecarConfigSchema } from './config';
export type { SidecarConfig, SidecarConfigInput, ModelSettings } from './config';
export { SidecarError, SIDECAR_ERRORS } from './errors';
export { readRedactionKey, MIN_REDACTION_KEY_BYTES } from './redaction-key';
export { SIDECAR_MEMORY_ENV } from './memory-env';
export type { SidecarErrorCode } from './errors';
export { startModelServer, loadModel, SHIPPED_MODEL, ModelServerError, ModelLoadError } from './model-server';
export type { ModelServerOptions, RunningModelServer, LoadedModel, ShippedModel } from './model-server';
export { createPipeline } from './pipeline/pipeline';
export type {
  EventPipeline,
  PipelineOptions,
  SpoolOptions,
  StoreOptions,
  SinkStats,
} from './pipeline/pipeline';
export type { QueueOptions } from './pipeline/queue';
export type { RetryOptions } from './pipeline/retry';
export type { SpoolingOptions } from './pipeline/spooling';
export { createMemorySink } from './sinks/memory';
export type { MemorySink, MemorySinkOptions } from './sinks/memory';
export {
  createElasticsearchSink,
  DEFAULT_INFERENCE_INDEX,
  DEFAULT_FEEDBACK_INDEX,
} from './sinks/elasticsearch';
export type { ElasticsearchSinkOptions, ElasticsearchSink } from './sinks/elasticsearch';
export { inferenceTemplate, feedbackTemplate } from './sinks/elasticsearch-templates';
export type { IndexTemplateBody } from './sinks/elasticsearch-templates';
export { createKafkaSink, DEFAULT_INFERENCE_TOPIC, DEFAULT_FEEDBACK_TOPIC } from './sinks/kafka';
export type { KafkaSinkOptions } from './sinks/kafka';
export type { Sink, SinkRecord, SinkResult, SinkStatus, Rejection } from './sinks/sink';
