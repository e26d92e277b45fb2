export { UsageError, isUsageError } from './usage-error';
export { startWorker } from './worker';
export { HttpError } from './http/http-error';
export { BodyTooLargeError, readBody, RequestAbortedError } from './http/body';
export { createHttpHandler, INTERNAL_ERROR_MESSAGE, RequestContext, sendJson } from './http/router';
export type {
  ErrorAnswer,
  HttpErrorCodes,
  HttpHandler,
  HttpHandlerOptions,
  MountedHandler,
  ReadJsonOptions,
  Route,
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
