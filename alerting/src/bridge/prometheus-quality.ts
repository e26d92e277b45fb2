/**
 * The quality gate's data source: the exporter's latest-window accuracy and window size, read from Prometheus'
 * HTTP API (instant queries). A metric without a value is null, not an error; an unreachable Prometheus throws.
 */
import { request } from 'undici';
import { EXPORTER_METRICS, SIDECAR_METRICS } from '@plumbline/schema';
import type { QualitySnapshot } from './policy';
import type { TriggerReadings, TriggerSpec } from './triggers';

/** A PromQL string literal (double-quoted, escaped). */
function quote(s: string): string {
  return JSON.stringify(s);
}

async function instant(prometheusUrl: string, query: string, timeoutMs: number): Promise<number | null> {
  const url = `${prometheusUrl.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
  const res = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const body = (await res.body.json()) as {
    status?: string;
    error?: string;
    data?: { resultType?: string; result?: { value?: [number, string] }[] };
  };
  if (res.statusCode !== 200 || body.status !== 'success') {
    throw new Error(`Prometheus answered ${res.statusCode} to ${query}: ${body.error ?? 'no error text'}`);
  }
  const value = body.data?.result?.[0]?.value?.[1];
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function createPrometheusQuality(
  prometheusUrl: string,
  timeoutMs = 10_000,
): (model: string) => Promise<QualitySnapshot> {
  return async (model) => {
    const m = `{model=${quote(model)}}`;
    const [accuracy, windowSamples] = await Promise.all([
      instant(prometheusUrl, `min(${EXPORTER_METRICS.accuracy.name}${m})`, timeoutMs),
      instant(prometheusUrl, `sum(${EXPORTER_METRICS.windowSamples.name}${m})`, timeoutMs),
    ]);
    return { accuracy, windowSamples };
  };
}

/**
 * What the scheduled triggers read (triggers.ts): the quality metric and its reference per model, and the human
 * labels since the last retrain — `increase()` of plumbline_sidecar_human_labels_total over the time since then (its
 * whole count when there was none): every human label the sidecars accepted on POST /feedback, the review API's
 * confirms and corrections (which it posts there) and labels posted there directly with `source: "human"`.
 */
export function createPrometheusTriggerReadings(
  prometheusUrl: string,
  timeoutMs = 10_000,
  now: () => number = Date.now,
): (model: string, spec: TriggerSpec, lastRetrainMs: number | null) => Promise<TriggerReadings> {
  return async (model, spec, lastRetrainMs) => {
    const m = `model=${quote(model)}`;
    switch (spec.kind) {
      case 'quality': {
        const [value, reference] = await Promise.all([
          instant(prometheusUrl, `min(${spec.metric}{${m}})`, timeoutMs),
          spec.referenceMetric
            ? instant(prometheusUrl, `min(${spec.referenceMetric}{${m}})`, timeoutMs)
            : Promise.resolve(null),
        ]);
        return { value, reference };
      }
      case 'humanLabels': {
        const series = `${SIDECAR_METRICS.humanLabels.name}{${m}}`;
        const seconds =
          lastRetrainMs === null ? null : Math.max(1, Math.ceil((now() - lastRetrainMs) / 1000));
        const query = seconds === null ? `sum(${series})` : `sum(increase(${series}[${seconds}s]))`;
        const n = await instant(prometheusUrl, query, timeoutMs);
        return { humanLabels: n === null ? 0 : Math.round(n) };
      }
      case 'maxModelAge':
        return {};
    }
  };
}
