export { parseRetrainConfig, RetrainConfigSchema, RetrainConfigError } from './config';
export type { RetrainConfig, RetrainConfigInput, WebhookConfig } from './config';
export { buildWebhookRequest } from './webhook-templates';
export type { RetrainContext, RetrainDataset, WebhookRequest } from './webhook-templates';
export { createFileAuditStore, createElasticsearchAuditStore } from './audit-store';
export type { RetrainAuditStore } from './audit-store';
export type {
  RetrainAuditEvent,
  RetrainOutcome,
  RetrainRequest,
  RetrainResponse,
  RetrainStatus,
} from './types';
export { createRetrainService, startRetrainService, grafanaUser, RETRAIN_PATH } from './service';
export type { RetrainService, RetrainServiceOptions, RetrainResult } from './service';
