export { UsageError, isUsageError } from './usage-error';
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
