export { UsageError, isUsageError } from './usage-error';
export { startWorker } from './worker';
export { HttpError } from './http/http-error';
export { BodyTooLargeError, readBody, RequestAbortedError } from './http/body';
export { bearerToken, tokenMatches, UNAUTHORIZED_MESSAGE, WWW_AUTHENTICATE } from './http/auth';
export { createHttpHandler, INTERNAL_ERROR_MESSAGE, RequestContext, sendJson } from './http/router';
export type {
  ErrorAnswer,
  HttpErrorCodes,
  HttpHandler,
  HttpAuth,
  HttpHandlerOptions,
  MountedHandler,
  ReadJsonOptions,
  Route,
  RouteAuth,
  RouteMethod,
} from './http/router';
export { integerArg, numberArg, portArg, durationArg } from './args';
export {
  createConfigLoader,
  formatConfigIssue,
  flagName,
  COMMAND_LINE,
  type ConfigErrorFactory,
  type ConfigIssue,
  type ConfigLoader,
  type ConfigLoaderSpec,
  type LoadConfigOptions,
  type Setting,
  type Settings,
} from './config/loader';
export { readConfigFile } from './config/read-config-file';
export { durationSeconds, readValue, ValueKindError, type ValueKind } from './config/value-kinds';
export {
  API_AUTH_ENV,
  API_TOKEN_ENV,
  API_TOKEN_FILE_ENV,
  API_TOKEN_MIN_LENGTH,
  apiAuthFields,
  ApiTokenError,
  readApiToken,
} from './config/api-token';
export {
  elasticsearchClientSettings,
  elasticsearchConnectionFromEnv,
  elasticsearchConnectionProblem,
  elasticsearchSecurityEnv,
  elasticsearchSecurityFields,
  ElasticsearchConnectionError,
  type ElasticsearchClientSettings,
  type ElasticsearchConnection,
} from './elasticsearch/connection';
export {
  kafkaClientSettings,
  kafkaConnectionProblem,
  kafkaSecurityEnv,
  kafkaSecurityFields,
  KafkaConnectionError,
  KAFKA_SASL_MECHANISMS,
  type KafkaClientSettings,
  type KafkaConnection,
  type KafkaSaslMechanism,
} from './kafka/connection';
