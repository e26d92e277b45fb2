export { UsageError, isUsageError } from './usage-error';
export { startWorker } from './worker';
export {
  BodyTooLargeError,
  createHttpHandler,
  HttpError,
  INTERNAL_ERROR_MESSAGE,
  readBody,
  RequestContext,
  sendJson,
} from './http';
export type {
  ErrorAnswer,
  HttpErrorCodes,
  HttpHandler,
  HttpHandlerOptions,
  MountedHandler,
  ReadJsonOptions,
  Route,
  RouteMethod,
} from './http';
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
