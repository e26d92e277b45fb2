export { adviseLimits, DEFAULT_ADVISOR_MIN_SAMPLES } from './advisor';
export type { AdvisorOptions, ClassAdvice, LabelledConfidence } from './advisor';
export { confidenceLimits, handedToPeople, limitFor } from './limits';
export type { ConfidenceLimits } from './limits';
export { decodeCursor, encodeCursor, rowKey } from './review-store';
export type { LowConfidenceQuery, QueueCursor, ReviewPrediction, ReviewStore } from './review-store';
export { createSpoolReviewStore, reviewPrediction } from './spool-review-store';
export type { SpoolReviewStoreOptions } from './spool-review-store';
export { belowLimitQuery, createElasticsearchReviewStore } from './elasticsearch-review-store';
export type { ElasticsearchReviewStoreOptions } from './elasticsearch-review-store';
export { createSidecarFeedbackWriter, NO_FEEDBACK_WRITER, ReviewWriteError } from './feedback-writer';
export type { FeedbackWriter, SidecarFeedbackWriterOptions } from './feedback-writer';
export {
  createReviewService,
  parseReviewBody,
  ReviewNotFoundError,
  ReviewRequestError,
} from './review-service';
export type {
  AdviceRequest,
  QueueItem,
  QueuePage,
  QueueRequest,
  ReviewResult,
  ReviewService,
  ReviewServiceOptions,
} from './review-service';
export { DEFAULT_REVIEW_PAGE, MAX_REVIEW_PAGE, reviewRoutes } from './routes';
export { createReviewServiceFromConfig, createReviewStore, modelLimits } from './create';
