/** The review service a config asks for: its store from the source, its writer from review.feedbackUrl. */
import { EXPORTER_METRICS, getOrCreateMetric } from '@plumbline/schema';
import type { Registry } from 'prom-client';
import type { ExporterConfig } from '../config';
import { createSidecarFeedbackWriter, NO_FEEDBACK_WRITER } from './feedback-writer';
import { confidenceLimits, type ConfidenceLimits } from './limits';
import { createElasticsearchReviewStore } from './elasticsearch-review-store';
import { createReviewService, type ReviewService } from './review-service';
import type { ReviewStore } from './review-store';
import { createSpoolReviewStore } from './spool-review-store';

/** Every configured model's limits. */
export function modelLimits(config: ExporterConfig): Map<string, ConfidenceLimits> {
  return new Map(config.models.map((m) => [m.name, confidenceLimits(m, config.confidenceThreshold)]));
}

/** The review store of the config's source; null for Kafka (the review routes answer 501). */
export function createReviewStore(config: ExporterConfig): ReviewStore | null {
  switch (config.source.kind) {
    case 'elasticsearch':
      return createElasticsearchReviewStore({ config: config.source });
    case 'spool':
      return createSpoolReviewStore({ dir: config.source.dir, models: modelLimits(config) });
    case 'kafka':
      return null;
  }
}

/** The review service of a config, or null when its source cannot serve the queue. */
export function createReviewServiceFromConfig(
  config: ExporterConfig,
  options: { registry?: Registry } = {},
): ReviewService | null {
  const store = createReviewStore(config);
  if (!store) return null;
  const writer = config.review.feedbackUrl
    ? createSidecarFeedbackWriter({
        url: config.review.feedbackUrl,
        token: config.apiToken,
        timeoutMs: config.review.timeoutMs,
      })
    : NO_FEEDBACK_WRITER;
  const actions = options.registry
    ? getOrCreateMetric(options.registry, EXPORTER_METRICS.reviewActions)
    : null;
  return createReviewService({
    store,
    writer,
    models: modelLimits(config),
    onReview: (model, action) => actions?.inc({ model, action }),
  });
}
