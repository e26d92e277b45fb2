/**
 * The sidecar's Prometheus metrics, created from the catalog (@plumbline/schema SIDECAR_METRICS) on an injected
 * Registry. Label children are cached per label set (per model and version, then per class, feature or kind), so an
 * observation is a Map lookup or two and plain arithmetic: histograms are LocalHistograms (local-histogram.ts), whose
 * observation is a bucket search and three additions, and the counters incremented per request or event are
 * LocalCounters (local-counter.ts), one addition. Class labels are bounded per model: past `maxClassesPerModel`
 * distinct classes, the rest count as "other";
 * model labels too: past `maxModels` distinct model names (paths and feedback bodies name models, so clients choose
 * them), the rest count as model="other". The models named in the config always keep their own label.
 *
 * The sink metrics of the catalog (queue depth, written, spooled, replayed, dropped, spool bytes) belong to the
 * pipeline; `dropped` is shared (sampling drops are counted here with sink="capture"), so counters are taken with
 * getOrCreateMetric: whichever of the two registers one first, the other reuses it.
 */
import { getOrCreateMetric, SIDECAR_METRICS } from '@plumbline/schema';
import type { Counter, Registry } from 'prom-client';
import { LocalCounter } from './local-counter';
import { LocalHistogram } from './local-histogram';
import { DROP_REASONS } from '../pipeline/metrics';

export const OTHER_CLASS = 'other';
/** The `status` label of a request whose client went away before the response was complete (nginx's 499). */
export const CLIENT_CLOSED_STATUS = '499';

type HistogramChild = ReturnType<LocalHistogram['series']>;
type CounterChild = ReturnType<Counter<string>['labels']>;
type LocalCounterChild = ReturnType<LocalCounter['series']>;

export interface SidecarMetrics {
  readonly registry: Registry;
  /** One request as the client saw it. */
  observeRequest(r: {
    model: string;
    version: string;
    protocol: string;
    status: number | string;
    totalSeconds: number;
    upstreamSeconds: number;
    requestBytes: number;
    responseBytes: number;
  }): void;
  upstreamError(model: string, version: string, reason: string): void;
  prediction(model: string, version: string, label: string): void;
  confidence(model: string, version: string, value: number): void;
  regressionOutput(model: string, version: string, value: number): void;
  invalidOutput(model: string, version: string, kind: string): void;
  featureValue(model: string, version: string, feature: string, value: number): void;
  events(model: string, version: string, n: number): void;
  unparsed(model: string, version: string, protocol: string, direction: 'request' | 'response'): void;
  sampledOut(n: number): void;
  /** Exchanges the proxy thread could not hand to the capture thread (its backlog bound was reached). */
  captureLost(n: number): void;
  /** Events capture made but could not hand to the pipeline (its submit threw: a bug; the pipeline never throws). */
  submitFailed(n: number): void;
  feedback(model: string, version: string, n: number): void;
  /** Of those, human labels (a review confirming or correcting, or `source: "human"` without an action). */
  humanLabels(model: string, version: string, n: number): void;
  /** One copy for the shadow model, by how it ended (src/shadow/). */
  shadowRequest(model: string, outcome: ShadowOutcome): void;
}

/** How a copy for the shadow model ended: the `outcome` label of plumbline_sidecar_shadow_requests_total. */
export type ShadowOutcome = 'sent' | 'error' | 'timeout' | 'dropped';

export function createSidecarMetrics(
  registry: Registry,
  options: { maxClassesPerModel?: number; maxModels?: number; knownModels?: readonly string[] } = {},
): SidecarMetrics {
  const maxClasses = options.maxClassesPerModel ?? 50;
  const maxModels = options.maxModels ?? 100;
  const modelsSeen = new Set<string>(options.knownModels ?? []);
  /** The model's label value: its name while fewer than `maxModels` names have been seen, else "other". */
  function m(model: string): string {
    if (modelsSeen.has(model)) return model;
    if (modelsSeen.size >= maxModels) return OTHER_CLASS;
    modelsSeen.add(model);
    return model;
  }
  const S = SIDECAR_METRICS;
  // Incremented per request or per event, and only here: LocalCounters (local-counter.ts), one addition each.
  const requests = new LocalCounter(registry, S.requests);
  const requestDuration = new LocalHistogram(registry, S.requestDuration);
  const upstreamDuration = new LocalHistogram(registry, S.upstreamDuration);
  const overhead = new LocalHistogram(registry, S.overhead);
  const upstreamErrors = getOrCreateMetric(registry, S.upstreamErrors);
  const payloadBytes = new LocalHistogram(registry, S.payloadBytes);
  const predictions = new LocalCounter(registry, S.predictions);
  const confidence = new LocalHistogram(registry, S.confidence);
  const regressionOutput = new LocalHistogram(registry, S.regressionOutput);
  const invalidOutputs = new LocalCounter(registry, S.invalidOutputs);
  const featureValue = new LocalHistogram(registry, S.featureValue);
  const events = new LocalCounter(registry, S.events);
  const unparsed = getOrCreateMetric(registry, S.unparsed);
  const feedback = getOrCreateMetric(registry, S.feedback);
  const humanLabels = getOrCreateMetric(registry, S.humanLabels);
  const dropped = getOrCreateMetric(registry, S.dropped);
  const shadowRequests = getOrCreateMetric(registry, S.shadowRequests);

  interface RequestChildren {
    total: HistogramChild;
    upstream: HistogramChild;
    overhead: HistogramChild;
    reqBytes: HistogramChild;
    resBytes: HistogramChild;
    byStatus: Map<string, LocalCounterChild>;
  }
  const requestChildren = new Map<string, RequestChildren>();
  const classesSeen = new Map<string, Set<string>>();
  const count = new Map<string, CounterChild>();

  /**
   * The per-event series of one (model label, version): looked up once per label pair, then by the name of a
   * class, feature or invalid kind. Capture observes a row's series one after the other with the same model and
   * version, so the last pair is kept at hand and compared first.
   */
  interface ModelSeries {
    confidence: HistogramChild | undefined;
    regression: HistogramChild | undefined;
    events: LocalCounterChild | undefined;
    byClass: Map<string, LocalCounterChild>;
    /** Classes past maxClassesPerModel. */
    otherClass: LocalCounterChild | undefined;
    byInvalid: Map<string, LocalCounterChild>;
    byFeature: Map<string, HistogramChild>;
  }
  const modelSeries = new Map<string, ModelSeries>();
  let lastModel: string | undefined;
  let lastVersion: string | undefined;
  let last: ModelSeries | undefined;
  function ms(model: string, version: string): ModelSeries {
    if (last !== undefined && model === lastModel && version === lastVersion) return last;
    const key = `${model}\u0000${version}`;
    let series = modelSeries.get(key);
    if (series === undefined) {
      series = {
        confidence: undefined,
        regression: undefined,
        events: undefined,
        byClass: new Map(),
        otherClass: undefined,
        byInvalid: new Map(),
        byFeature: new Map(),
      };
      modelSeries.set(key, series);
    }
    lastModel = model;
    lastVersion = version;
    last = series;
    return series;
  }
  function c(metric: Counter<string>, key: string, labels: string[]): CounterChild {
    let child = count.get(key);
    if (child === undefined) {
      child = metric.labels(...labels);
      count.set(key, child);
    }
    return child;
  }

  return {
    registry,
    observeRequest(r) {
      const model = m(r.model);
      const key = `${model}\u0000${r.version}\u0000${r.protocol}`;
      let ch = requestChildren.get(key);
      if (ch === undefined) {
        ch = {
          total: requestDuration.series(model, r.version, r.protocol),
          upstream: upstreamDuration.series(model, r.version, r.protocol),
          overhead: overhead.series(model, r.version, r.protocol),
          reqBytes: payloadBytes.series(model, r.version, 'request'),
          resBytes: payloadBytes.series(model, r.version, 'response'),
          byStatus: new Map(),
        };
        requestChildren.set(key, ch);
      }
      const status = String(r.status);
      let st = ch.byStatus.get(status);
      if (st === undefined) {
        st = requests.series(model, r.version, r.protocol, status);
        ch.byStatus.set(status, st);
      }
      st();
      ch.total(r.totalSeconds);
      ch.upstream(r.upstreamSeconds);
      ch.overhead(Math.max(0, r.totalSeconds - r.upstreamSeconds));
      ch.reqBytes(r.requestBytes);
      ch.resBytes(r.responseBytes);
    },
    upstreamError(rawModel, version, reason) {
      const model = m(rawModel);
      c(upstreamErrors, `ue\u0000${model}\u0000${version}\u0000${reason}`, [model, version, reason]).inc();
    },
    prediction(rawModel, version, label) {
      const model = m(rawModel);
      const series = ms(model, version);
      let child = series.byClass.get(label);
      if (child === undefined) {
        let seen = classesSeen.get(model);
        if (seen === undefined) {
          seen = new Set();
          classesSeen.set(model, seen);
        }
        if (seen.has(label) || seen.size < maxClasses) {
          seen.add(label);
          child = predictions.series(model, version, label);
          series.byClass.set(label, child);
        } else {
          // Past the bound: "other", without remembering the label (clients choose labels too).
          series.otherClass ??= predictions.series(model, version, OTHER_CLASS);
          child = series.otherClass;
        }
      }
      child();
    },
    confidence(rawModel, version, value) {
      const model = m(rawModel);
      const series = ms(model, version);
      series.confidence ??= confidence.series(model, version);
      series.confidence(value);
    },
    regressionOutput(rawModel, version, value) {
      const model = m(rawModel);
      const series = ms(model, version);
      series.regression ??= regressionOutput.series(model, version);
      series.regression(value);
    },
    invalidOutput(rawModel, version, kind) {
      const model = m(rawModel);
      const series = ms(model, version);
      let child = series.byInvalid.get(kind);
      if (child === undefined) {
        child = invalidOutputs.series(model, version, kind);
        series.byInvalid.set(kind, child);
      }
      child();
    },
    featureValue(rawModel, version, feature, value) {
      const model = m(rawModel);
      const series = ms(model, version);
      let child = series.byFeature.get(feature);
      if (child === undefined) {
        child = featureValue.series(model, version, feature);
        series.byFeature.set(feature, child);
      }
      child(value);
    },
    events(rawModel, version, n) {
      const model = m(rawModel);
      const series = ms(model, version);
      series.events ??= events.series(model, version);
      series.events(n);
    },
    unparsed(rawModel, version, protocol, direction) {
      const model = m(rawModel);
      c(unparsed, `u\u0000${model}\u0000${version}\u0000${protocol}\u0000${direction}`, [
        model,
        version,
        protocol,
        direction,
      ]).inc();
    },
    sampledOut(n) {
      c(dropped, 'd\u0000sampled_out', ['capture', DROP_REASONS.sampledOut]).inc(n);
    },
    captureLost(n) {
      c(dropped, 'd\u0000capture_backlog', ['capture', DROP_REASONS.captureBacklog]).inc(n);
    },
    submitFailed(n) {
      c(dropped, 'd\u0000submit_error', ['capture', DROP_REASONS.submitError]).inc(n);
    },
    feedback(rawModel, version, n) {
      const model = m(rawModel);
      c(feedback, `fb\u0000${model}\u0000${version}`, [model, version]).inc(n);
    },
    humanLabels(rawModel, version, n) {
      const model = m(rawModel);
      c(humanLabels, `hl\u0000${model}\u0000${version}`, [model, version]).inc(n);
    },
    shadowRequest(rawModel, outcome) {
      const model = m(rawModel);
      c(shadowRequests, `sh\u0000${model}\u0000${outcome}`, [model, outcome]).inc();
    },
  };
}
