/**
 * The embedded model server: one ONNX model on the Open Inference Protocol (KServe V2) REST API.
 *
 *   GET  /v2/health/live | /v2/health/ready              200 while the server is up / the model is loaded
 *   GET  /v2                                             server metadata
 *   GET  /v2/models/{name}[/versions/{v}]                model metadata (inputs, outputs, versions)
 *   GET  /v2/models/{name}[/versions/{v}]/ready          200 { name, ready: true }
 *   POST /v2/models/{name}[/versions/{v}]/infer          inference (see v2-request.ts for accepted inputs)
 *
 * Errors are `{ "error": message }` (service-kit's createHttpHandler with the protocol's body): 400 for a body that
 * does not fit the model or an unknown model / version, 404 for a path the protocol does not have, 405 with `Allow`
 * for a wrong method, 413 for a body over `maxBodyBytes`, 500 when inference fails or on a bug (the detail goes to
 * `onError`, never to the client).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import {
  createHttpHandler,
  type HttpErrorCodes,
  type ReadJsonOptions,
  type RequestContext,
} from '@plumbline/service-kit';
import { ModelServerError, type ModelServerErrorCode } from './errors';
import { loadModel, type LoadModelOptions, type LoadedModel } from './model';
import { parseInferRequest, type InputLayout } from './v2-request';

export interface ModelServerOptions extends LoadModelOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Largest request body accepted. @default 16 MiB */
  maxBodyBytes?: number;
  /** Gets a failed inference or a bug (the client gets a 500 without the detail). @default stderr */
  onError?: ModelServerErrorLog;
}

export interface RunningModelServer {
  /** http://host:port, no trailing slash. */
  url: string;
  port: number;
  model: LoadedModel;
  /** Stops accepting, closes idle and in-flight connections, releases the session. Idempotent. */
  stop(): Promise<void>;
}

const SERVER_NAME = 'plumbline-model-server';
const SERVER_VERSION: string = (require('../../package.json') as { version: string }).version;
/** The Open Inference Protocol's error body is `{ "error": message }`; the code stays in the log. */
const JSON_HEADERS: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
const CODES = {
  notFound: 'MODEL_ERR_NOT_FOUND',
  methodNotAllowed: 'MODEL_ERR_METHOD',
  badRequest: 'MODEL_ERR_BAD_REQUEST',
  tooLarge: 'MODEL_ERR_TOO_LARGE',
  internal: 'MODEL_ERR_INTERNAL',
} as const satisfies HttpErrorCodes & Record<string, ModelServerErrorCode>;

const INFER_JSON: ReadJsonOptions = {
  invalidMessage: (detail) => `the request body is not valid JSON: ${detail}`,
};

/** Where a bug or a failed inference is reported; the client only learns the code. @default stderr */
export type ModelServerErrorLog = (err: unknown, req: http.IncomingMessage) => void;

function logToStderr(err: unknown, req: http.IncomingMessage): void {
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  const cause =
    err instanceof Error && err.cause instanceof Error
      ? `\ncaused by: ${err.cause.stack ?? err.cause.message}`
      : '';
  process.stderr.write(
    `plumbline model server: ${req.method ?? '?'} ${req.url ?? ''} failed: ${detail}${cause}\n`,
  );
}

/** The request handler for one loaded model; exported for tests that want it without a socket. */
export function createModelRequestHandler(
  model: LoadedModel,
  options: { maxBodyBytes?: number; onError?: ModelServerErrorLog } = {},
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const layout: InputLayout = {
    inputName: model.input.name,
    numFeatures: model.numFeatures,
    features: model.features,
    outputNames: model.outputs.map((o) => o.name),
  };
  const modelMetadata = {
    name: model.name,
    versions: [model.version],
    platform: 'onnxruntime_onnx',
    inputs: model.features
      ? [
          model.input,
          ...model.features.map((f) => ({ name: f, datatype: model.input.datatype, shape: [-1] })),
        ]
      : [model.input],
    outputs: model.outputs,
    parameters: {
      ...(model.features ? { features: model.features } : {}),
      ...(model.classes ? { classes: model.classes } : {}),
    },
  };

  /** 400 for another model or version (the parameters are already percent-decoded). */
  function checkModel(params: Readonly<Record<string, string>>): void {
    const { name, version } = params;
    if (name !== model.name) {
      throw new ModelServerError(
        400,
        'MODEL_ERR_UNKNOWN_MODEL',
        `unknown model "${name}"; this server serves "${model.name}"`,
      );
    }
    if (version !== undefined && version !== model.version) {
      throw new ModelServerError(
        400,
        'MODEL_ERR_UNKNOWN_MODEL',
        `model "${model.name}" has no version "${version}"; it has "${model.version}"`,
      );
    }
  }

  async function infer(ctx: RequestContext): Promise<void> {
    checkModel(ctx.params);
    const json = await ctx.readJson(INFER_JSON);
    const parsed = parseInferRequest(json, layout);
    let outputs;
    try {
      outputs = await model.predict(parsed.values, parsed.rows, parsed.outputs ?? undefined);
    } catch (err) {
      // onnxruntime's message stays in the log: a 500 tells the client only that inference failed.
      throw new ModelServerError(500, 'MODEL_ERR_INFERENCE', 'inference failed', { cause: err });
    }
    ctx.send(200, {
      model_name: model.name,
      model_version: model.version,
      id: parsed.id ?? randomUUID(),
      parameters: {},
      outputs,
    });
  }

  function metadata(ctx: RequestContext): void {
    checkModel(ctx.params);
    ctx.send(200, modelMetadata);
  }

  function ready(ctx: RequestContext): void {
    checkModel(ctx.params);
    ctx.send(200, { name: model.name, ready: true });
  }

  return createHttpHandler({
    codes: CODES,
    maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024,
    jsonHeaders: JSON_HEADERS,
    errorBody: ({ message }) => ({ error: message }),
    onError: options.onError ?? logToStderr,
    routes: [
      { method: 'POST', path: '/v2/models/:name/infer', handle: infer },
      { method: 'POST', path: '/v2/models/:name/versions/:version/infer', handle: infer },
      { method: 'GET', path: '/v2/health/live', handle: (ctx) => ctx.send(200, { live: true }) },
      { method: 'GET', path: '/v2/health/ready', handle: (ctx) => ctx.send(200, { ready: true }) },
      {
        method: 'GET',
        path: '/v2',
        handle: (ctx) => ctx.send(200, { name: SERVER_NAME, version: SERVER_VERSION, extensions: [] }),
      },
      { method: 'GET', path: '/v2/models/:name', handle: metadata },
      { method: 'GET', path: '/v2/models/:name/versions/:version', handle: metadata },
      { method: 'GET', path: '/v2/models/:name/ready', handle: ready },
      { method: 'GET', path: '/v2/models/:name/versions/:version/ready', handle: ready },
    ],
  });
}

/** The host to put in a URL: a wildcard address is reached on loopback; IPv6 goes in brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Loads the model once, then listens. `stop()` closes everything the server opened. */
export async function startModelServer(options: ModelServerOptions): Promise<RunningModelServer> {
  const model = await loadModel(options);
  const server = http.createServer({ keepAliveTimeout: 5_000 }, createModelRequestHandler(model, options));
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await model.release();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    model,
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // Give in-flight requests a moment, then cut what is left.
          setTimeout(() => server.closeAllConnections(), 1_000).unref();
        });
        await model.release();
      })();
      return stopping;
    },
  };
}
