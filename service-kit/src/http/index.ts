export { HttpError } from './http-error';
export { BodyTooLargeError, readBody } from './body';
export { createHttpHandler, INTERNAL_ERROR_MESSAGE, RequestContext, sendJson } from './router';
export type {
  ErrorAnswer,
  HttpErrorCodes,
  HttpHandler,
  HttpHandlerOptions,
  MountedHandler,
  ReadJsonOptions,
  Route,
  RouteMethod,
} from './router';
