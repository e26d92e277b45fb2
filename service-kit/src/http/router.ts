/**
 * The one helper behind Plumbline's control HTTP servers (the exporter API, the retrain endpoint, the alert bridge,
 * the sidecar admin port, the embedded model server): a route table on plain node:http, plus what every one of them
 * answers the same way — 404 for a path no route has, 405 with `Allow` for a path without that method, 413 for a
 * body over the limit, 400 for a body that is not JSON, 401 with `WWW-Authenticate: Bearer` for a route that needs
 * the server's API token without it (`auth`), and a 500 that never shows the error's message (the error goes to
 * `onError`). Each service brings its own error codes and, where a protocol fixes it, its error body.
 * A request whose body is cut short (the client went away mid-upload) is dropped quietly: no answer, nothing in
 * `onError`.
 *
 * Dependency-free on purpose: the servers need a handful of routes each, raw access to the response (Prometheus
 * text, the model server's hot path) and mounting one server's routes into another; a framework would bring its own
 * error shape and content-type rules that the services' documented contracts would then have to undo.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { tokenMatches, UNAUTHORIZED_MESSAGE, WWW_AUTHENTICATE } from './auth';
import { BodyTooLargeError, DEFAULT_DRAIN_BYTES, readBody, RequestAbortedError } from './body';
import { HttpError } from './http-error';

/** The service's codes for what the helper answers by itself (docs/errors.md lists them per service). */
export interface HttpErrorCodes {
  /** 404: no route has this path. */
  notFound: string;
  /** 405: a route has this path but not this method; answered with `Allow`. */
  methodNotAllowed: string;
  /** 400: a body that is not JSON, a path parameter that is not valid percent-encoding. */
  badRequest: string;
  /** 413: a body over the limit. @default badRequest */
  tooLarge?: string;
  /** 401: a route that needs the bearer token (see HttpHandlerOptions.auth) without it. Required with a token. */
  unauthorized?: string;
  /** 500: a bug. The client gets this code and a generic message; the error itself goes to `onError`. */
  internal: string;
}

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route when the server has a token: 'write' needs it always, 'read' only when the server's
 * `auth.reads` is on, 'public' never (liveness and readiness probes).
 */
export type RouteAuth = 'write' | 'read' | 'public';

/** The server's bearer token (service-kit/src/http/auth.ts compares it in constant time). */
export interface HttpAuth {
  /** The token; undefined: every route is open (the service warns at start-up that writes are unauthenticated). */
  token: string | undefined;
  /** Routes marked (or defaulting to) 'read' need the token too. @default false */
  reads?: boolean;
}

export interface Route {
  /** A GET route answers HEAD too (node:http leaves the body out). */
  method: RouteMethod;
  /**
   * Literal segments and `:name` parameters, each a whole non-empty segment, percent-decoded into `ctx.params`:
   * `/api/models/:model/drift`. A trailing slash in the request path is ignored.
   */
  path: string;
  /** @default 'read' for GET, 'write' for every other method */
  auth?: RouteAuth;
  handle(ctx: RequestContext): void | Promise<void>;
}

/** Another module's requests served on this server: resolves true when it answered the request. */
export type MountedHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** What an error response says: the status, the service's code and the message for the client. */
export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

export interface HttpHandlerOptions {
  routes: readonly Route[];
  codes: HttpErrorCodes;
  /** Largest body `ctx.readBody()` / `ctx.readJson()` accept. @default 1 MiB */
  maxBodyBytes?: number;
  /**
   * A body declared (Content-Length) over the limit but not over this is still read and thrown away before the
   * 413, so the client gets the answer and the connection stays usable; a larger one is answered at once and the
   * connection closed. @default 64 MiB
   */
  maxDrainBytes?: number;
  /**
   * Bearer-token check before a route runs: a request without the token gets 401 with the service's
   * `codes.unauthorized` and `WWW-Authenticate: Bearer`; the body is not read. Mounted handlers do their own.
   * @default every route open
   */
  auth?: HttpAuth;
  /** Asked in order before the routes; the first that resolves true has answered the request. */
  mounted?: readonly MountedHandler[];
  /** Headers of every JSON response (content-length is added). @default content-type application/json; charset=utf-8 */
  jsonHeaders?: OutgoingHttpHeaders;
  /** The body of an error response. @default `{ error: { code, message } }` */
  errorBody?: (error: ErrorAnswer) => unknown;
  /** Gets every error answered with 500: anything a route throws that is not an HttpError, and 500 HttpErrors. */
  onError(err: unknown, req: IncomingMessage): void;
}

/** A request listener for `http.createServer`, answering 404 itself when no route has the path. */
export interface HttpHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /**
   * Answers the request when a mounted handler or a route's path matches it (405 included) and resolves true;
   * resolves false, the request untouched, otherwise. This is how one server's routes are mounted in another.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export interface ReadJsonOptions {
  /** The parser. @default JSON.parse */
  parse?: (text: string) => unknown;
  /** The value of an empty (or all-whitespace) body; without it an empty body is not JSON. */
  empty?: unknown;
  /** The 400's message, from the parser's message. @default `the request body is not JSON: <detail>` */
  invalidMessage?: (detail: string) => string;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_JSON_HEADERS: OutgoingHttpHeaders = { 'content-type': 'application/json; charset=utf-8' };
/** All a client learns about a bug. */
export const INTERNAL_ERROR_MESSAGE = 'internal error; the server logged the details';

const defaultErrorBody = (e: ErrorAnswer): unknown => ({ error: { code: e.code, message: e.message } });

/** Writes `value` as JSON with a content-length. */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: OutgoingHttpHeaders = DEFAULT_JSON_HEADERS,
): void {
  const text = JSON.stringify(value);
  res.writeHead(status, Object.assign({ 'content-length': Buffer.byteLength(text) }, headers));
  res.end(text);
}

interface Settings {
  codes: HttpErrorCodes;
  maxBodyBytes: number;
  maxDrainBytes: number;
  jsonHeaders: OutgoingHttpHeaders;
  tooLarge: (err: BodyTooLargeError) => HttpError;
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/** One request as a route sees it. */
export class RequestContext {
  private parsedQuery: URLSearchParams | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** The request path without query and trailing slash, not decoded. */
    readonly path: string,
    /** The route's `:name` parameters, percent-decoded. */
    readonly params: Readonly<Record<string, string>>,
    private readonly search: string,
    private readonly settings: Settings,
  ) {}

  /** The query string's parameters. */
  get query(): URLSearchParams {
    this.parsedQuery ??= new URLSearchParams(this.search);
    return this.parsedQuery;
  }

  /** The body, up to the server's `maxBodyBytes` (413 with the service's code beyond). */
  readBody(): Promise<Buffer> {
    return readBody(
      this.req,
      this.settings.maxBodyBytes,
      this.settings.tooLarge,
      this.settings.maxDrainBytes,
    );
  }

  /** The body parsed as JSON (400 with the service's bad-request code when it is not). */
  readJson(options: ReadJsonOptions = {}): Promise<unknown> {
    return this.readBody().then((body) => {
      const text = body.toString('utf8');
      if (options.empty !== undefined && text.trim() === '') return options.empty;
      try {
        return (options.parse ?? JSON.parse)(text);
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        const message = options.invalidMessage?.(detail) ?? `the request body is not JSON: ${detail}`;
        throw new HttpError(400, this.settings.codes.badRequest, message, { cause: err });
      }
    });
  }

  /** Answers `value` as JSON with the server's JSON headers plus `headers`. */
  send(status: number, value: unknown, headers?: OutgoingHttpHeaders): void {
    sendJson(
      this.res,
      status,
      value,
      headers ? { ...this.settings.jsonHeaders, ...headers } : this.settings.jsonHeaders,
    );
  }

  /** Answers a text body (Prometheus exposition, …) with a content-length. */
  sendText(status: number, contentType: string, text: string): void {
    this.res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
    this.res.end(text);
  }
}

interface CompiledRoute {
  route: Route;
  /** Per segment: the literal, or null for a parameter (its name is in `names` at the same index). */
  literals: (string | null)[];
  names: (string | null)[];
  hasParams: boolean;
  allow: string;
  auth: RouteAuth;
}

function compile(route: Route): CompiledRoute {
  if (!route.path.startsWith('/')) throw new Error(`route path must start with "/": ${route.path}`);
  const segments = route.path.length > 1 ? route.path.replace(/\/+$/, '').split('/') : ['', ''];
  return {
    route,
    literals: segments.map((s) => (s.startsWith(':') ? null : s)),
    names: segments.map((s) => (s.startsWith(':') ? s.slice(1) : null)),
    hasParams: segments.some((s) => s.startsWith(':')),
    allow: route.method === 'GET' ? 'GET, HEAD' : route.method,
    auth: route.auth ?? (route.method === 'GET' ? 'read' : 'write'),
  };
}

/** Creates the request listener for a route table; see HttpHandlerOptions. */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const routes = options.routes.map(compile);
  const mounted = options.mounted ?? [];
  const { codes, onError } = options;
  const errorBody = options.errorBody ?? defaultErrorBody;
  const token = options.auth?.token;
  const guarded: ReadonlySet<RouteAuth> = new Set(options.auth?.reads ? ['write', 'read'] : ['write']);
  if (token !== undefined && codes.unauthorized === undefined) {
    throw new TypeError('createHttpHandler: auth.token needs codes.unauthorized');
  }
  const unauthorizedCode = codes.unauthorized ?? codes.badRequest;
  const settings: Settings = {
    codes,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxDrainBytes: options.maxDrainBytes ?? DEFAULT_DRAIN_BYTES,
    jsonHeaders: options.jsonHeaders ?? DEFAULT_JSON_HEADERS,
    tooLarge: (err) =>
      new HttpError(413, codes.tooLarge ?? codes.badRequest, err.message, {
        cause: err,
        // Refused before reading: the rest of the body is still on the wire, so the connection cannot be reused.
        headers: err.unread ? { connection: 'close' } : undefined,
      }),
  };

  function answerError(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    if (err instanceof RequestAbortedError) {
      // The client is gone (or stopped speaking HTTP) mid-body: nobody to answer, and not a bug.
      res.destroy();
      return;
    }
    const known = err instanceof HttpError ? err : undefined;
    if (known === undefined || known.status === 500) onError(err, req);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const answer: ErrorAnswer = known
      ? { status: known.status, code: known.code, message: known.message }
      : { status: 500, code: codes.internal, message: INTERNAL_ERROR_MESSAGE };
    const headers = known?.headers ? { ...settings.jsonHeaders, ...known.headers } : settings.jsonHeaders;
    sendJson(res, answer.status, errorBody(answer), headers);
    // Drain what is left of a body nobody read, so the answer is not stuck behind it.
    if (!req.complete) req.resume();
  }

  function decode(value: string, path: string): string {
    try {
      return decodeURIComponent(value);
    } catch (err) {
      throw new HttpError(400, codes.badRequest, `the path is not valid percent-encoding: ${path}`, {
        cause: err,
      });
    }
  }

  async function dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    answerNotFound: boolean,
  ): Promise<boolean> {
    try {
      for (let i = 0; i < mounted.length; i++) if (await mounted[i](req, res)) return true;
      let target = req.url ?? '/';
      if (target.charCodeAt(0) !== 47 /* / */) {
        // absolute-form (`GET http://host/path`): route on its path
        try {
          const url = new URL(target);
          target = url.pathname + url.search;
        } catch {
          // not a URL: no route has it
        }
      }
      const q = target.indexOf('?');
      let path = q === -1 ? target : target.slice(0, q);
      while (path.length > 1 && path.charCodeAt(path.length - 1) === 47) path = path.slice(0, -1);
      const method = req.method ?? 'GET';
      const parts = path.split('/');
      let allow: string[] | undefined;
      for (const r of routes) {
        if (r.literals.length !== parts.length) continue;
        let same = true;
        for (let i = 0; i < parts.length && same; i++) {
          const literal = r.literals[i];
          same = literal === null ? parts[i] !== '' : literal === parts[i];
        }
        if (!same) continue;
        if (r.route.method !== method && !(method === 'HEAD' && r.route.method === 'GET')) {
          if (!allow?.includes(r.allow)) (allow ??= []).push(r.allow);
          continue;
        }
        if (token !== undefined && guarded.has(r.auth) && !tokenMatches(req.headers.authorization, token)) {
          throw new HttpError(401, unauthorizedCode, UNAUTHORIZED_MESSAGE, {
            headers: { 'www-authenticate': WWW_AUTHENTICATE },
          });
        }
        let params = NO_PARAMS;
        if (r.hasParams) {
          const decoded: Record<string, string> = {};
          for (let i = 0; i < parts.length; i++) {
            const name = r.names[i];
            if (name !== null) decoded[name] = decode(parts[i], path);
          }
          params = decoded;
        }
        const ctx = new RequestContext(req, res, path, params, q === -1 ? '' : target.slice(q + 1), settings);
        const pending = r.route.handle(ctx);
        if (pending !== undefined) await pending;
        return true;
      }
      if (allow) {
        const allowed = allow.join(', ');
        throw new HttpError(405, codes.methodNotAllowed, `${method} is not allowed here; use ${allowed}`, {
          headers: { allow: allowed },
        });
      }
      if (!answerNotFound) return false;
      throw new HttpError(404, codes.notFound, `no such endpoint: ${method} ${path}`);
    } catch (err) {
      answerError(req, res, err);
      return true;
    }
  }

  const listener = ((req: IncomingMessage, res: ServerResponse): void => {
    dispatch(req, res, true).catch((err: unknown) => {
      // only when answering the error failed too
      onError(err, req);
      res.destroy();
    });
  }) as HttpHandler;
  listener.handle = (req, res) => dispatch(req, res, false);
  return listener;
}
