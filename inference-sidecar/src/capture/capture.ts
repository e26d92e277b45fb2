/**
 * Capture: a finished exchange → InferenceEvent[] (one per row) → metrics and the pipeline.
 *
 * Runs only after the response was written: the proxy queues exchanges and capture drains the queue on
 * setImmediate, so parsing, metrics and sink submission never sit on a request's critical path, and a burst is
 * processed as one batch. Nothing here throws back into the proxy: a body no adapter can read becomes one
 * unparsed event (counted and logged), a bug in capture is logged and counted as unparsed.
 */
import {
  inferenceEventId,
  SCHEMA_VERSION,
  type FeatureValue,
  type FeedbackEvent,
  type InferenceEvent,
  type Protocol,
} from '@plumbline/schema';
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { modelSettings, shadowSettings, type ModelSettings, type SidecarConfig } from '../config';
import type { SidecarMetrics } from '../metrics/sidecar-metrics';
import { adapterForBody, adapterForPath, mayBeInference } from '../protocols/detect';
import { parseJson } from '../protocols/json';
import { modelFromV1Path } from '../protocols/kserve-v1';
import { emptyOutputs } from '../protocols/rows';
import type { AdapterResult, AdapterSettings, ProtocolAdapter } from '../protocols/types';
import { upstreamErrorReason, type SidecarErrorCode } from '../errors';
import type { Exchange } from './exchange';
import { keepAllowlisted } from './allowlist';
import { redactFeatures } from './redact';

/** What capture needs from the pipeline (src/pipeline createPipeline): synchronous, never throws. */
export interface EventPipeline {
  submit(events: InferenceEvent[]): void;
  submitFeedback(events: FeedbackEvent[]): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface CaptureDeps {
  config: SidecarConfig;
  metrics: SidecarMetrics;
  pipeline: EventPipeline;
  logger: Logger;
  /** Sampling source, 0 ≤ x < 1. @default Math.random */
  random?: () => number;
  /** The `hmac-sha256` redaction key (src/redaction-key.ts); required when a model has such a field. */
  redactionKey?: KeyObject;
}

export interface Capture {
  /** Queues an exchange; processed on the next turn of the event loop. */
  record(exchange: Exchange): void;
  /** Processes everything queued now (tests, shutdown). */
  drain(): void;
  /** Turns one exchange into events, without submitting (pure apart from metrics). */
  toEvents(exchange: Exchange): InferenceEvent[];
}

const V2_MODEL = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?/;
const ERROR_SNIPPET_CHARS = 300;
const LOG_INTERVAL_MS = 10_000;

/**
 * What reading a request gave: its parsed JSON or why it could not be parsed, and the adapter that reads it (the
 * route's, or in `auto` the one the body chose). The same bytes on the same path always give the same answer.
 */
interface RequestParse {
  request: unknown;
  requestError: string | null;
  adapter: ProtocolAdapter | undefined;
}

/** What one model's events keep of a row's features: the allowlist, then redaction. */
type FeatureFilter = (features: Record<string, FeatureValue>) => Record<string, FeatureValue>;

function featureFilter(settings: ModelSettings, key: KeyObject | undefined): FeatureFilter {
  const allowed = settings.capture.mode === 'allowlist' ? new Set(settings.capture.fields) : undefined;
  const rules = settings.redact;
  const redacts = Object.keys(rules).length > 0;
  if (allowed === undefined && !redacts) return (features) => features;
  return (features) => {
    const kept = allowed === undefined ? features : keepAllowlisted(features, allowed);
    return redacts ? redactFeatures(kept, rules, key) : kept;
  };
}

export function createCapture(deps: CaptureDeps): Capture {
  const { config, metrics, pipeline, logger, redactionKey } = deps;
  const random = deps.random ?? Math.random;
  if (redactionKey === undefined && Object.values(config.models).some(usesHmac)) {
    throw new TypeError('createCapture: a model redacts with hmac-sha256 but no redactionKey was given');
  }
  const settingsCache = new Map<
    string,
    {
      settings: ModelSettings;
      adapter: AdapterSettings;
      keep: FeatureFilter;
      minimised: boolean;
      shadowed: boolean;
    }
  >();
  /**
   * The primary's request parse, for the shadow exchange that answers a copy of it (src/shadow/): keyed by the
   * request body Buffer, which the shadow exchange shares with the primary's, so the challenger's answer is read
   * without parsing the request's bytes again. Filled only for models with a shadow; weak, so what no copy comes
   * back for (sampled out, dropped) goes with its body.
   */
  const parsedForShadow = new WeakMap<Buffer, RequestParse>();
  let queue: Exchange[] = [];
  let scheduled = false;
  let lastUnparsedLog = 0;
  let unparsedSinceLog = 0;

  function settingsFor(model: string): {
    settings: ModelSettings;
    adapter: AdapterSettings;
    keep: FeatureFilter;
    minimised: boolean;
    shadowed: boolean;
  } {
    let s = settingsCache.get(model);
    if (s === undefined) {
      const settings = modelSettings(config, model);
      s = {
        settings,
        adapter: {
          featureNames: settings.features,
          classNames: settings.classes,
          task: settings.task,
          generic: settings.generic,
        },
        keep: featureFilter(settings, redactionKey),
        minimised: settings.capture.mode === 'allowlist' || Object.keys(settings.redact).length > 0,
        shadowed: shadowSettings(config, model) !== undefined,
      };
      settingsCache.set(model, s);
    }
    return s;
  }

  function logUnparsed(
    ex: Exchange,
    model: string,
    protocol: string,
    direction: string,
    error: string,
  ): void {
    unparsedSinceLog++;
    const now = Date.now();
    if (now - lastUnparsedLog < LOG_INTERVAL_MS) return;
    logger.warn(
      {
        code: 'SIDECAR_ERR_UNPARSED_BODY',
        requestId: ex.requestId,
        model,
        protocol,
        direction,
        path: ex.path,
        error,
        count: unparsedSinceLog,
      },
      'body could not be parsed; the request was proxied unchanged',
    );
    lastUnparsedLog = now;
    unparsedSinceLog = 0;
  }

  function drain(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    const out: InferenceEvent[] = [];
    for (const ex of batch) {
      try {
        for (const event of toEvents(ex)) out.push(event);
      } catch (err) {
        logger.error(
          { err, code: 'SIDECAR_ERR_INTERNAL', requestId: ex.requestId },
          'capture failed; request was proxied',
        );
        metrics.unparsed(
          config.model,
          modelSettings(config, config.model).version ?? '',
          'unknown',
          'request',
        );
      }
    }
    if (out.length === 0) return;
    try {
      pipeline.submit(out);
    } catch (err) {
      // The pipeline never throws (it counts per sink what a lane could not take); if one does, its events are
      // counted here, under sink="capture" like sampling and the backlog, and the capture thread goes on.
      metrics.submitFailed(out.length);
      logger.error(
        { err, code: 'SIDECAR_ERR_INTERNAL', count: out.length },
        'submit to the pipeline failed; its events are counted as dropped',
      );
    }
  }

  /**
   * What a path says (the model and version it names, the adapter its route picks), kept for the last path: a
   * sidecar's traffic is mostly one route, so most exchanges skip the route regexes and the percent-decoding.
   */
  let lastPath: string | undefined;
  let lastRoute: { model: { model?: string; version?: string }; adapter: ProtocolAdapter | undefined } = {
    model: {},
    adapter: undefined,
  };
  function routeOf(path: string): typeof lastRoute {
    if (path !== lastPath) {
      lastRoute = { model: modelFromPath(path), adapter: adapterForPath(path, config.protocol) };
      lastPath = path;
    }
    return lastRoute;
  }

  /** The ISO text of an epoch-ms time, kept for the last one (exchanges arrive a few per millisecond). */
  let lastReceivedAt = Number.NaN;
  let lastTimestamp = '';
  function timestampOf(receivedAt: number): string {
    if (receivedAt !== lastReceivedAt) {
      lastTimestamp = new Date(receivedAt).toISOString();
      lastReceivedAt = receivedAt;
    }
    return lastTimestamp;
  }

  function toEvents(ex: Exchange): InferenceEvent[] {
    const pathModel = routeOf(ex.path).model;
    let model = pathModel.model ?? config.model;
    // A shadow exchange (src/shadow/) is the challenger's answer to a copy: it makes events, but the metrics of
    // client traffic (requests, latency, predictions, features) stay the primary's.
    const primary = ex.shadowOf === undefined;
    const observe = primary ? observeRequest : ignoreRequest;
    let version = primary ? (pathModel.version ?? ex.headerVersion ?? '') : (ex.headerVersion ?? '');
    // A shadow exchange copies its primary's method, path and request body: the primary's parse (capture takes
    // exchanges in order, so it was read first) answers for it; only the challenger's response is new.
    const parsed =
      (primary || ex.requestBody === null ? undefined : parsedForShadow.get(ex.requestBody)) ??
      parseRequest(ex);
    if (primary && parsed.adapter !== undefined && ex.requestBody !== null && settingsFor(model).shadowed)
      parsedForShadow.set(ex.requestBody, parsed);
    const { request, requestError, adapter } = parsed;
    const protocol: Protocol = adapter?.protocol ?? 'unknown';
    if (adapter === undefined) {
      // Not an inference (health, metadata, an unknown route): counted, no event.
      observe(ex, model, versionFallback(ex, model, pathModel.version, version), protocol);
      return [];
    }

    const { settings, adapter: adapterSettings } = settingsFor(model);
    let result: AdapterResult;
    let responseError: string | null = null;
    if (requestError !== null && !(ex.status >= 200 && ex.status < 300)) {
      result = { ok: false, direction: 'request', error: requestError };
    } else {
      let response: unknown;
      const ok2xx = ex.status >= 200 && ex.status < 300 && ex.errorCode === null;
      if (ok2xx) {
        if (ex.responseTruncated)
          responseError = `response body over the capture cap (${config.captureMaxBytes} bytes)`;
        else {
          try {
            response = parseJson(ex.responseBody === null ? '' : ex.responseBody.toString('utf8'));
          } catch (err) {
            responseError = `response is not JSON: ${(err as Error).message}`;
          }
        }
      }
      if (responseError !== null) result = { ok: false, direction: 'response', error: responseError };
      else if (requestError !== null && !ok2xx)
        result = { ok: false, direction: 'request', error: requestError };
      else {
        result = safeParse(adapter, {
          path: ex.path,
          request: requestError === null ? request : undefined,
          response,
          settings: adapterSettings,
        });
        if (requestError !== null && result.ok) result.requestError = requestError;
      }
    }
    if (result.model !== undefined && pathModel.model === undefined && result.model !== model) {
      model = result.model;
    }
    if (primary) {
      // The path, then the body (V2's model_version), then the version header, then models.<m>.version.
      if (pathModel.version === undefined && result.version !== undefined) version = result.version;
    } else if (version === '' && result.version !== undefined) version = result.version;
    version = versionFallback(ex, model, pathModel.version, version);
    observe(ex, model, version, protocol);

    // What the events keep follows the model they are labelled with, also when only the body named it.
    const { keep, minimised, settings: kept } = settingsFor(model);
    // A model whose features are allowlisted or redacted gets no excerpt of a body in its events and logs: an
    // excerpt would carry the very values the settings keep out (a model server that echoes its input, say).
    const detail = minimised ? withoutExcerpt : (text: string) => text;
    const error = errorOf(ex, minimised);
    const timestamp = timestampOf(ex.receivedAt);
    const latency = { total: ex.totalMs, upstream: ex.upstreamMs };
    const modelRef = { name: model, version: version === '' ? null : version };
    const requestId = primary ? ex.requestId : shadowRequestId(ex.requestId);
    const role = primary ? ('primary' as const) : ('shadow' as const);
    const shadowOf = ex.shadowOf;
    /**
     * One row's event. Two literals, not one with `...{ role, shadow_of }` spread into it: a spread allocated an
     * object per event and built the event property by property. The keys stay in the same order (the JSON bytes
     * every sink writes are unchanged); a primary's event has no `shadow_of` key at all.
     */
    const eventOf = (
      row: number,
      parsedRow: boolean,
      features: Record<string, FeatureValue>,
      outputs: InferenceEvent['outputs'],
      rowError: string | null,
    ): InferenceEvent =>
      shadowOf === undefined
        ? {
            schema_version: SCHEMA_VERSION,
            event_id: inferenceEventId(requestId, row),
            request_id: requestId,
            row,
            '@timestamp': timestamp,
            model: modelRef,
            role,
            protocol,
            parsed: parsedRow,
            features,
            outputs,
            latency_ms: latency,
            http_status: ex.status,
            error: rowError,
          }
        : {
            schema_version: SCHEMA_VERSION,
            event_id: inferenceEventId(requestId, row),
            request_id: requestId,
            row,
            '@timestamp': timestamp,
            model: modelRef,
            role,
            shadow_of: { request_id: shadowOf, row },
            protocol,
            parsed: parsedRow,
            features,
            outputs,
            latency_ms: latency,
            http_status: ex.status,
            error: rowError,
          };

    if (!result.ok) {
      metrics.unparsed(model, version, protocol, result.direction);
      logUnparsed(ex, model, protocol, result.direction, detail(result.error));
      metrics.events(model, version, 1);
      const event = eventOf(
        0,
        false,
        {},
        emptyOutputs(),
        error ?? `${result.direction}: ${detail(result.error)}`,
      );
      return primary ? sample(settings, [event]) : [event];
    }
    if (result.requestError !== undefined) {
      metrics.unparsed(model, version, protocol, 'request');
      logUnparsed(ex, model, protocol, 'request', detail(result.requestError));
    }

    const rows = result.rows;
    metrics.events(model, version, rows.length);
    const events: InferenceEvent[] = new Array<InferenceEvent>(rows.length);
    const histogramFeatures = kept.histogramFeatures;
    for (let i = 0; i < rows.length; i++) {
      const { outputs } = rows[i];
      // Allowlist and redaction first: histograms observe only what the event keeps.
      const features = keep(rows[i].features);
      if (primary) {
        if (outputs.label !== null) metrics.prediction(model, version, outputs.label);
        if (outputs.confidence !== null) metrics.confidence(model, version, outputs.confidence);
        if (outputs.value !== null) metrics.regressionOutput(model, version, outputs.value);
        if (outputs.invalid !== null) metrics.invalidOutput(model, version, outputs.invalid);
        for (const name of histogramFeatures) {
          const v = features[name];
          if (typeof v === 'number') metrics.featureValue(model, version, name, v);
        }
      }
      events[i] = eventOf(i, result.requestError === undefined, features, outputs, error);
    }
    // The challenger's copies were sampled when they were sent (shadow.sampleRate), not again here.
    return primary ? sample(settings, events) : events;
  }

  /**
   * Reads an exchange's request when it can be an inference: a known route, a configured protocol, or (auto) a
   * body that looks like JSON on an unknown route. Otherwise (not an inference method, an unknown route without a
   * JSON body) nothing is parsed and there is no adapter.
   */
  function parseRequest(ex: Exchange): RequestParse {
    if (!mayBeInference(ex.method)) return { request: undefined, requestError: null, adapter: undefined };
    let adapter = routeOf(ex.path).adapter;
    if (adapter === undefined && !looksLikeJson(ex.requestBody))
      return { request: undefined, requestError: null, adapter };
    let request: unknown;
    let requestError: string | null = null;
    if (ex.requestTruncated)
      requestError = `request body over the capture cap (${config.captureMaxBytes} bytes)`;
    else if (ex.requestBody === null || ex.requestBody.length === 0) requestError = 'request has no body';
    else {
      try {
        request = parseJson(ex.requestBody.toString('utf8'));
      } catch (err) {
        requestError = `request is not JSON: ${(err as Error).message}`;
      }
    }
    if (config.protocol === 'auto')
      adapter = requestError === null ? adapterForBody(ex.path, request, adapter) : adapter;
    return { request, requestError, adapter };
  }

  /**
   * The version when neither the path nor the body named one: the version header (already in `found` when the
   * exchange carried it), else `models.<m>.version` (a primary) or the challenger's configured version, else the
   * path's (a shadow: the copy went to the primary's path).
   */
  function versionFallback(
    ex: Exchange,
    model: string,
    pathVersion: string | undefined,
    found: string,
  ): string {
    if (found !== '') return found;
    if (ex.shadowOf === undefined) return modelSettings(config, model).version ?? '';
    return shadowSettings(config, model)?.version ?? pathVersion ?? '';
  }

  function sample(settings: ModelSettings, events: InferenceEvent[]): InferenceEvent[] {
    if (settings.sampleRate >= 1 || events.length === 0) return events;
    // One decision per request: a batch is kept or dropped whole, so feedback joins stay complete.
    if (random() < settings.sampleRate) return events;
    metrics.sampledOut(events.length);
    return [];
  }

  function observeRequest(ex: Exchange, model: string, version: string, protocol: string): void {
    if (ex.errorCode !== null && ex.errorCode.startsWith('SIDECAR_ERR_UPSTREAM_')) {
      metrics.upstreamError(model, version, upstreamErrorReason(ex.errorCode as SidecarErrorCode));
    }
    metrics.observeRequest({
      model,
      version,
      protocol,
      status: ex.status,
      totalSeconds: ex.totalMs / 1000,
      upstreamSeconds: ex.upstreamMs / 1000,
      requestBytes: ex.requestBytes,
      responseBytes: ex.responseBytes,
    });
  }

  function ignoreRequest(): void {}

  function errorOf(ex: Exchange, minimised: boolean): string | null {
    if (ex.errorCode !== null)
      return ex.errorMessage === null ? ex.errorCode : `${ex.errorCode}: ${ex.errorMessage}`;
    if (ex.status >= 200 && ex.status < 300) return null;
    const snippet =
      ex.responseBody === null || minimised
        ? ''
        : ex.responseBody.subarray(0, ERROR_SNIPPET_CHARS).toString('utf8');
    return `upstream returned ${ex.status}${snippet ? `: ${snippet}` : ''}`;
  }

  return {
    record(exchange) {
      queue.push(exchange);
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    },
    drain,
    toEvents,
  };
}

/** A JSON.parse message without V8's quote of the text (`Unexpected token 'x', "{"zip": x…" is not valid JSON`). */
function withoutExcerpt(message: string): string {
  return message.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, ' (excerpt left out)');
}

/** The request id a shadow exchange's events carry: the primary's, marked, so event ids and joins never collide. */
export function shadowRequestId(primaryRequestId: string): string {
  return `${primaryRequestId}:shadow`;
}

function usesHmac(settings: ModelSettings): boolean {
  return Object.values(settings.redact).includes('hmac-sha256');
}

/** The model (and version) a path names: V2, KServe V1 and TF Serving routes; {} for any other path. */
export function modelFromPath(path: string): { model?: string; version?: string } {
  const m = V2_MODEL.exec(path);
  if (m) {
    return { model: decode(m[1]), version: m[2] === undefined ? undefined : decode(m[2]) };
  }
  return modelFromV1Path(path);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function looksLikeJson(body: Buffer | null): boolean {
  if (body === null) return false;
  for (let i = 0; i < body.length && i < 64; i++) {
    const c = body[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7b /* { */ || c === 0x5b; /* [ */
  }
  return false;
}

function safeParse(adapter: ProtocolAdapter, input: Parameters<ProtocolAdapter['parse']>[0]): AdapterResult {
  try {
    return adapter.parse(input);
  } catch (err) {
    return {
      ok: false,
      direction: 'response',
      error: `adapter ${adapter.protocol} failed: ${(err as Error).message}`,
    };
  }
}
