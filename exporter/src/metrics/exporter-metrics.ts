/**
 * The exporter's Prometheus metrics, from the catalog (EXPORTER_METRICS) on an injected Registry, and the
 * publisher that turns a ModelWindowReport into series.
 *
 * Cardinality is bounded by construction: `feature` only for features of the baseline/config, `class` capped by
 * `maxClasses` (the rest pooled as `other` by the quality functions), `stattest` from the registry of tests.
 * Stale series are removed: every publish of a model replaces the series of its previous publish, so a feature
 * dropped from the baseline, a class that vanished or a model removed from config stops being exported.
 */
import { EXPORTER_METRICS, getOrCreateMetric, type MetricFor } from '@plumbline/schema';
import type { Gauge, Registry } from 'prom-client';
import type { WindowStatus } from '../windows';
import type { ModelWindowReport } from '../service/report';
import type { SlicesReport } from '../service/evaluate-slices';
import type { ShadowReport } from '../service/shadow-report';

type Section = typeof EXPORTER_METRICS;
/** Each metric typed as the catalog declares it (counter, gauge or histogram). */
export type ExporterMetrics = { [K in keyof Section]: MetricFor<Section[K]> };

export const WINDOW_STATUSES: readonly WindowStatus[] = ['ok', 'insufficient_data', 'no_baseline', 'error'];

/** Creates every exporter metric on `registry`, reusing any a mounted module (retrain) registered first. */
export function createExporterMetrics(registry: Registry): ExporterMetrics {
  const out: Record<string, unknown> = {};
  for (const [key, d] of Object.entries(EXPORTER_METRICS)) {
    out[key] = getOrCreateMetric(registry, d);
  }
  return out as ExporterMetrics;
}

type Labels = Record<string, string>;

/** Remembers the label sets set per model, so the next publish can remove the ones it did not set again. */
class SeriesLedger {
  private readonly byModel = new Map<string, Map<Gauge<string>, Map<string, Labels>>>();
  private current: Map<Gauge<string>, Map<string, Labels>> | null = null;

  begin(): void {
    this.current = new Map();
  }

  set(gauge: Gauge<string>, labels: Labels, value: number): void {
    gauge.set(labels, value);
    const sets = this.current!.get(gauge) ?? new Map<string, Labels>();
    sets.set(JSON.stringify(labels), labels);
    this.current!.set(gauge, sets);
  }

  /** Removes the model's series that the publish just finished did not set. */
  commit(model: string): void {
    const previous = this.byModel.get(model);
    const next = this.current!;
    if (previous) {
      for (const [gauge, sets] of previous) {
        const kept = next.get(gauge);
        for (const [key, labels] of sets) if (!kept?.has(key)) gauge.remove(labels);
      }
    }
    this.byModel.set(model, next);
    this.current = null;
  }

  forget(model: string): void {
    for (const [gauge, sets] of this.byModel.get(model) ?? [])
      for (const labels of sets.values()) gauge.remove(labels);
    this.byModel.delete(model);
  }

  models(): string[] {
    return [...this.byModel.keys()];
  }
}

export interface MetricsPublisher {
  publish(report: ModelWindowReport): void;
  /** A model's versions and segments side by side (plumbline_version_*, plumbline_segment_*); replaces the last. */
  publishSlices(report: SlicesReport): void;
  /** A model's shadow traffic against its primary's (plumbline_shadow_*); replaces the last (null: none now). */
  publishShadow(model: string, report: ShadowReport | null): void;
  /** A failed evaluation: flips the status series to `error`, keeps the last good values, counts the stage. */
  publishError(model: string, modelVersion: string | null, stage: string): void;
  /** Drops every series of a model (it left the config). */
  forget(model: string): void;
  models(): string[];
}

export function createMetricsPublisher(metrics: ExporterMetrics): MetricsPublisher {
  const ledger = new SeriesLedger();
  // The slices' series have a ledger of their own: the model's publish and its slices' replace only their own.
  const slicesLedger = new SeriesLedger();

  function publishSlices(r: SlicesReport): void {
    slicesLedger.begin();
    for (const v of r.versions) {
      if (v.key.kind !== 'version') continue;
      const mv = { model: r.model, model_version: v.key.version };
      slicesLedger.set(metrics.versionWindowSamples, mv, v.samples);
      if (v.traffic.errorRate !== null) slicesLedger.set(metrics.versionErrorRatio, mv, v.traffic.errorRate);
      if (v.traffic.latencyMs) {
        const l = v.traffic.latencyMs;
        slicesLedger.set(metrics.versionLatency, { ...mv, q: '0.5' }, l.p50 / 1000);
        slicesLedger.set(metrics.versionLatency, { ...mv, q: '0.9' }, l.p90 / 1000);
        slicesLedger.set(metrics.versionLatency, { ...mv, q: '0.99' }, l.p99 / 1000);
      }
      if (v.quality) {
        slicesLedger.set(metrics.versionLabelledSamples, mv, v.quality.labelled);
        if (v.quality.accuracy !== null) slicesLedger.set(metrics.versionAccuracy, mv, v.quality.accuracy);
        if (v.quality.mae !== null) slicesLedger.set(metrics.versionMae, mv, v.quality.mae);
      }
      if (v.estimatedQuality)
        slicesLedger.set(metrics.versionEstimatedAccuracy, mv, v.estimatedQuality.accuracy);
      if (v.drift) slicesLedger.set(metrics.versionDatasetDriftShare, mv, v.drift.share);
      if (v.dataQuality) slicesLedger.set(metrics.versionDataQualityFailedChecks, mv, v.dataQuality.failed);
      if (v.confidence.lowConfidenceShare !== null)
        slicesLedger.set(metrics.versionLowConfidenceShare, mv, v.confidence.lowConfidenceShare);
      for (const [cls, share] of Object.entries(v.classMix))
        slicesLedger.set(metrics.versionPredictionShare, { ...mv, class: cls }, share);
    }
    for (const c of r.comparisons) {
      for (const t of c.tests) {
        const l = { model: r.model, model_version: c.b, baseline_version: c.a, metric: t.metric };
        if (t.pValue !== null) slicesLedger.set(metrics.versionComparisonPValue, l, t.pValue);
        slicesLedger.set(metrics.versionComparisonWorse, l, t.direction === 'worse' ? 1 : 0);
      }
    }
    for (const g of r.segments) {
      if (g.key.kind !== 'segment') continue;
      const l = { model: r.model, segment_feature: g.key.feature, segment: g.key.value };
      slicesLedger.set(metrics.segmentWindowSamples, l, g.samples);
      if (g.traffic.errorRate !== null) slicesLedger.set(metrics.segmentErrorRatio, l, g.traffic.errorRate);
      if (g.quality?.accuracy != null) slicesLedger.set(metrics.segmentAccuracy, l, g.quality.accuracy);
      if (g.quality?.mae != null) slicesLedger.set(metrics.segmentMae, l, g.quality.mae);
      if (g.estimatedQuality)
        slicesLedger.set(metrics.segmentEstimatedAccuracy, l, g.estimatedQuality.accuracy);
      if (g.drift) {
        slicesLedger.set(metrics.segmentDatasetDriftShare, l, g.drift.share);
        slicesLedger.set(metrics.segmentDatasetDriftDetected, l, g.drift.detected ? 1 : 0);
      }
    }
    slicesLedger.commit(r.model);
  }

  // The shadow comparison's series have a ledger of their own too.
  const shadowLedger = new SeriesLedger();

  function publishShadow(model: string, r: ShadowReport | null): void {
    shadowLedger.begin();
    for (const a of r?.agreements ?? []) {
      const l = { model, model_version: a.modelVersion, shadow_version: a.shadowVersion };
      shadowLedger.set(metrics.shadowPairs, l, a.pairs);
      if (a.agreementRatio !== null) shadowLedger.set(metrics.shadowAgreementRatio, l, a.agreementRatio);
      if (a.meanAbsoluteDifference !== null)
        shadowLedger.set(metrics.shadowAbsoluteDifference, l, a.meanAbsoluteDifference);
      if (a.meanRelativeDifference !== null)
        shadowLedger.set(metrics.shadowRelativeDifference, l, a.meanRelativeDifference);
    }
    for (const v of r?.versions ?? []) {
      const l = { model, model_version: v.shadowVersion };
      shadowLedger.set(metrics.shadowLabelledSamples, l, v.labelled);
      if (v.accuracy !== null) shadowLedger.set(metrics.shadowAccuracy, l, v.accuracy);
      if (v.mae !== null) shadowLedger.set(metrics.shadowMae, l, v.mae);
    }
    shadowLedger.commit(model);
  }

  function publish(r: ModelWindowReport): void {
    const mv = { model: r.model, model_version: r.modelVersion ?? '' };
    ledger.begin();
    for (const status of WINDOW_STATUSES)
      ledger.set(metrics.windowStatus, { ...mv, status }, status === r.status ? 1 : 0);
    ledger.set(metrics.windowSamples, mv, r.samples);
    ledger.set(metrics.windowSampledShare, mv, r.sampling.share);

    for (const [feature, s] of Object.entries(r.summaries)) {
      const f = { ...mv, feature };
      ledger.set(metrics.featureMissingRatio, f, s.missingRatio);
      if (!s.numeric) continue;
      ledger.set(metrics.featureMean, f, s.numeric.mean);
      if (s.numeric.std !== null) ledger.set(metrics.featureStd, f, s.numeric.std);
      ledger.set(metrics.featureMin, f, s.numeric.min);
      ledger.set(metrics.featureMax, f, s.numeric.max);
      for (const [quantile, v] of Object.entries(s.numeric.quantiles))
        ledger.set(metrics.featureQuantile, { ...f, q: quantile }, v);
    }

    if (r.drift) {
      for (const feature of r.drift.features) {
        for (const t of feature.tests) {
          const l = { ...mv, feature: feature.name, stattest: t.name };
          if (Number.isFinite(t.statistic)) ledger.set(metrics.driftStatistic, l, t.statistic);
          if (typeof t.pValue === 'number') ledger.set(metrics.driftPValue, l, t.pValue);
          ledger.set(metrics.driftThreshold, l, t.threshold);
          ledger.set(metrics.driftDetected, l, t.drift ? 1 : 0);
        }
      }
      for (const t of r.drift.prediction?.tests ?? []) {
        if (Number.isFinite(t.statistic))
          ledger.set(metrics.predictionDriftStatistic, { ...mv, stattest: t.name }, t.statistic);
        ledger.set(metrics.predictionDriftDetected, { ...mv, stattest: t.name }, t.drift ? 1 : 0);
      }
      for (const t of r.drift.label?.tests ?? []) {
        ledger.set(metrics.labelDriftDetected, { ...mv, stattest: t.name }, t.drift ? 1 : 0);
      }
      ledger.set(metrics.datasetDriftShare, mv, r.drift.dataset.driftShare);
      ledger.set(metrics.datasetDriftDetected, mv, r.drift.dataset.drift ? 1 : 0);
    }

    if (r.dataQuality) {
      for (const c of r.dataQuality.checks) {
        const l = { ...mv, feature: c.feature, check: c.check };
        ledger.set(metrics.dataQualityValue, l, c.value);
        ledger.set(metrics.dataQualityThreshold, l, c.threshold);
        ledger.set(metrics.dataQualityFailed, l, c.failed ? 1 : 0);
      }
      ledger.set(metrics.dataQualityFailedChecks, mv, r.dataQuality.failed);
    }
    const mvd = r.multivariate;
    if (mvd && !('skipped' in mvd)) {
      ledger.set(metrics.multivariateDriftError, mv, mvd.currentError);
      ledger.set(metrics.multivariateDriftUpper, mv, mvd.upper);
      if (mvd.lower !== null) ledger.set(metrics.multivariateDriftLower, mv, mvd.lower);
      ledger.set(metrics.multivariateDriftDetected, mv, mvd.drift ? 1 : 0);
    }

    const q = r.quality;
    if (q) {
      for (const [cls, share] of Object.entries(q.predictionShare))
        ledger.set(metrics.predictionShare, { ...mv, class: cls }, share);
      if (q.lowConfidenceShare !== null) ledger.set(metrics.lowConfidenceShare, mv, q.lowConfidenceShare);
      const routing = r.routing;
      const total = routing ? routing.automatic.predictions + routing.people.predictions : 0;
      if (routing && total > 0)
        for (const route of ['automatic', 'people'] as const) {
          const g = routing[route];
          ledger.set(metrics.routingShare, { ...mv, route }, g.predictions / total);
          if (g.labelled > 0) ledger.set(metrics.routingAccuracy, { ...mv, route }, g.correct / g.labelled);
        }
      if (q.labelDelaySeconds !== null) ledger.set(metrics.labelDelay, mv, q.labelDelaySeconds);
      if (q.confusionMatrix) {
        const { labels, counts } = q.confusionMatrix;
        labels.forEach((actual, i) =>
          labels.forEach((predicted, j) =>
            ledger.set(metrics.confusionMatrix, { ...mv, actual, predicted }, counts[i][j]),
          ),
        );
      }
      if (q.classification) {
        ledger.set(metrics.accuracy, mv, q.classification.accuracy);
        ledger.set(metrics.f1Macro, mv, q.classification.f1Macro);
        ledger.set(metrics.f1Micro, mv, q.classification.f1Micro);
        for (const [cls, s] of Object.entries(q.classification.perClass)) {
          ledger.set(metrics.precision, { ...mv, class: cls }, s.precision);
          ledger.set(metrics.recall, { ...mv, class: cls }, s.recall);
          ledger.set(metrics.f1, { ...mv, class: cls }, s.f1);
        }
      }
      if (q.regression) {
        ledger.set(metrics.mae, mv, q.regression.mae);
        ledger.set(metrics.rmse, mv, q.regression.rmse);
      }
    }
    for (const q of r.qualityByPredictionTime?.ranges ?? []) {
      // Labelled by model and range only: the tallies are per model (every version), by prediction time.
      const mr = { model: r.model, range: q.range };
      ledger.set(metrics.realizedPredictionRows, mr, q.predictions);
      ledger.set(metrics.realizedLabelledRows, mr, q.labelled);
      if (q.coverage !== null) ledger.set(metrics.realizedLabelCoverage, mr, q.coverage);
      if (q.accuracy !== null) ledger.set(metrics.realizedAccuracy, mr, q.accuracy);
      if (q.precisionMacro !== null) ledger.set(metrics.realizedPrecisionMacro, mr, q.precisionMacro);
      if (q.recallMacro !== null) ledger.set(metrics.realizedRecallMacro, mr, q.recallMacro);
      if (q.f1Macro !== null) ledger.set(metrics.realizedF1Macro, mr, q.f1Macro);
      for (const [cls, c] of Object.entries(q.perClass)) {
        const l = { ...mr, class: cls };
        ledger.set(metrics.realizedPrecision, l, c.precision);
        ledger.set(metrics.realizedRecall, l, c.recall);
        ledger.set(metrics.realizedF1, l, c.f1);
        if (c.coverage !== null) ledger.set(metrics.realizedClassLabelCoverage, l, c.coverage);
      }
      if (q.mae !== null) ledger.set(metrics.realizedMae, mr, q.mae);
      if (q.rmse !== null) ledger.set(metrics.realizedRmse, mr, q.rmse);
      const est = q.estimated;
      if (est) {
        ledger.set(metrics.rangeEstimatedAccuracy, mr, est.accuracy);
        ledger.set(metrics.rangeEstimatedAccuracyLower, mr, est.accuracyBand[0]);
        ledger.set(metrics.rangeEstimatedAccuracyUpper, mr, est.accuracyBand[1]);
        ledger.set(metrics.rangeEstimatedPrecisionMacro, mr, est.precisionMacro);
        ledger.set(metrics.rangeEstimatedPrecisionMacroLower, mr, est.precisionMacroBand[0]);
        ledger.set(metrics.rangeEstimatedPrecisionMacroUpper, mr, est.precisionMacroBand[1]);
        ledger.set(metrics.rangeEstimatedRecallMacro, mr, est.recallMacro);
        ledger.set(metrics.rangeEstimatedRecallMacroLower, mr, est.recallMacroBand[0]);
        ledger.set(metrics.rangeEstimatedRecallMacroUpper, mr, est.recallMacroBand[1]);
        ledger.set(metrics.rangeEstimatedF1Macro, mr, est.f1Macro);
        ledger.set(metrics.rangeEstimatedF1MacroLower, mr, est.f1MacroBand[0]);
        ledger.set(metrics.rangeEstimatedF1MacroUpper, mr, est.f1MacroBand[1]);
        ledger.set(metrics.rangeEstimatedRows, mr, est.rows);
        ledger.set(metrics.rangeEstimatedSkippedRows, mr, est.skippedRows);
      }
    }
    const e = r.estimatedQuality;
    if (e) {
      ledger.set(metrics.estimatedAccuracy, mv, e.accuracy);
      ledger.set(metrics.estimatedAccuracyLower, mv, e.accuracyBand[0]);
      ledger.set(metrics.estimatedAccuracyUpper, mv, e.accuracyBand[1]);
      ledger.set(metrics.estimatedPrecisionMacro, mv, e.precisionMacro);
      ledger.set(metrics.estimatedRecallMacro, mv, e.recallMacro);
      ledger.set(metrics.estimatedF1Macro, mv, e.f1Macro);
      ledger.set(metrics.estimatedF1MacroLower, mv, e.f1MacroBand[0]);
      ledger.set(metrics.estimatedF1MacroUpper, mv, e.f1MacroBand[1]);
      ledger.set(metrics.estimatedRows, mv, e.rows);
      const { labels, counts } = e.confusionMatrix;
      labels.forEach((actual, i) =>
        labels.forEach((predicted, j) =>
          ledger.set(metrics.estimatedConfusionMatrix, { ...mv, actual, predicted }, counts[i][j]),
        ),
      );
    }
    if (r.qualityBaseline) {
      ledger.set(metrics.baselineAccuracy, mv, r.qualityBaseline.accuracy);
      ledger.set(metrics.baselineF1Macro, mv, r.qualityBaseline.f1Macro);
    }
    ledger.commit(r.model);

    if (r.status !== 'error') {
      metrics.evaluationDuration.observe({ model: r.model }, r.durationSeconds);
      metrics.lastSuccess.set({ model: r.model }, Date.parse(r.evaluatedAt) / 1000);
    }
  }

  function publishError(model: string, modelVersion: string | null, stage: string): void {
    const mv = { model, model_version: modelVersion ?? '' };
    for (const status of WINDOW_STATUSES)
      metrics.windowStatus.set({ ...mv, status }, status === 'error' ? 1 : 0);
    metrics.evaluationErrors.inc({ model, stage });
  }

  return {
    publish,
    publishSlices,
    publishShadow,
    publishError,
    forget: (model) => {
      ledger.forget(model);
      slicesLedger.forget(model);
      shadowLedger.forget(model);
      metrics.lastSuccess.remove({ model });
    },
    models: () => ledger.models(),
  };
}
