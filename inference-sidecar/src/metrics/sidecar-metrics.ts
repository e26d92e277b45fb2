/**
 * The sidecar's Prometheus metrics, created from the catalog (@plumbline/schema SIDECAR_METRICS) on an injected
 * Registry. Label children are cached per label set so an observation is a Map lookup plus prom-client's own
 * work; histograms are LocalHistograms (local-histogram.ts), whose observation is a bucket search and three additions. Class labels are bounded per model: past `maxClassesPerModel` distinct classes, the rest count as "other";
 * model labels too: past `maxModels` distinct model names (paths and feedback bodies name models, so clients choose
 * them), the rest count as model="other". The models named in the config always keep their own label.
 *
 * The sink metrics of the catalog (queue depth, written, spooled, replayed, dropped, spool bytes) belong to the
 * pipeline; `dropped` is shared (sampling drops are counted here with sink="capture"), so counters are taken with
 * getOrCreateMetric: whichever of the two registers one first, the other reuses it.
 */
import { getOrCreateMetric, SIDECAR_METRICS } from '@plumbline/schema';
import type { Counter, Registry } from 'prom-client';
import { LocalHistogram } from './local-histogram';

export const OTHER_CLASS = 'other';
/** The `status` label of a request whose client went away before the response was complete (nginx's 499). */
export const CLIENT_CLOSED_STATUS = '499';

type HistogramChild = ReturnType<LocalHistogram['series']>;
type CounterChild = ReturnType<Counter<string>['labels']>;

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
  const requests = getOrCreateMetric(registry, S.requests);
  const requestDuration = new LocalHistogram(registry, S.requestDuration);
  const upstreamDuration = new LocalHistogram(registry, S.upstreamDuration);
  const overhead = new LocalHistogram(registry, S.overhead);
  const upstreamErrors = getOrCreateMetric(registry, S.upstreamErrors);
  const payloadBytes = new LocalHistogram(registry, S.payloadBytes);
  const predictions = getOrCreateMetric(registry, S.predictions);
  const confidence = new LocalHistogram(registry, S.confidence);
  const regressionOutput = new LocalHistogram(registry, S.regressionOutput);
  const invalidOutputs = getOrCreateMetric(registry, S.invalidOutputs);
  const featureValue = new LocalHistogram(registry, S.featureValue);
  const events = getOrCreateMetric(registry, S.events);
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
    byStatus: Map<string, CounterChild>;
  }
  const requestChildren = new Map<string, RequestChildren>();
  const classesSeen = new Map<string, Set<string>>();
  const hist = new Map<string, HistogramChild>();
  const count = new Map<string, CounterChild>();

  function h(metric: LocalHistogram, key: string, labels: string[]): HistogramChild {
    let child = hist.get(key);
    if (child === undefined) {
      child = metric.series(...labels);
      hist.set(key, child);
    }
    return child;
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
        st = requests.labels(model, r.version, r.protocol, status);
        ch.byStatus.set(status, st);
      }
      st.inc();
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
      let seen = classesSeen.get(model);
      if (seen === undefined) {
        seen = new Set();
        classesSeen.set(model, seen);
      }
      let cls = label;
      if (!seen.has(label)) {
        if (seen.size < maxClasses) seen.add(label);
        else cls = OTHER_CLASS;
      }
      c(predictions, `p\u0000${model}\u0000${version}\u0000${cls}`, [model, version, cls]).inc();
    },
    confidence(rawModel, version, value) {
      const model = m(rawModel);
      h(confidence, `c\u0000${model}\u0000${version}`, [model, version])(value);
    },
    regressionOutput(rawModel, version, value) {
      const model = m(rawModel);
      h(regressionOutput, `r\u0000${model}\u0000${version}`, [model, version])(value);
    },
    invalidOutput(rawModel, version, kind) {
      const model = m(rawModel);
      c(invalidOutputs, `i\u0000${model}\u0000${version}\u0000${kind}`, [model, version, kind]).inc();
    },
    featureValue(rawModel, version, feature, value) {
      const model = m(rawModel);
      h(featureValue, `f\u0000${model}\u0000${version}\u0000${feature}`, [model, version, feature])(value);
    },
    events(rawModel, version, n) {
      const model = m(rawModel);
      c(events, `e\u0000${model}\u0000${version}`, [model, version]).inc(n);
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
      c(dropped, 'd\u0000sampled_out', ['capture', 'sampled_out']).inc(n);
    },
    captureLost(n) {
      c(dropped, 'd\u0000capture_backlog', ['capture', 'capture_backlog']).inc(n);
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
