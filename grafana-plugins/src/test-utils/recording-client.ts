/** A PlumblineClient that answers from given functions and records calls (component tests only). */
import type { RetrainResponse, RetrainStatus } from '@plumbline/exporter/retrain-types';
import type { PlumblineClient } from '../api/plumbline-client';
import type { ReviewQueuePage, ReviewRequest, ReviewResult } from '../review/types';

export interface RecordingClient extends PlumblineClient {
  triggers: Array<Parameters<PlumblineClient['triggerRetrain']>[0]>;
  gets: string[];
  reviews: Array<{ model: string; body: ReviewRequest }>;
}

export function recordingClient(answers: {
  status?: (model: string) => Promise<RetrainStatus>;
  trigger?: (input: Parameters<PlumblineClient['triggerRetrain']>[0]) => Promise<RetrainResponse>;
  get?: (path: string) => Promise<unknown>;
  queue?: (model: string, query: Parameters<PlumblineClient['reviewQueue']>[1]) => Promise<ReviewQueuePage>;
  review?: (model: string, body: ReviewRequest) => Promise<ReviewResult>;
}): RecordingClient {
  const reviews: RecordingClient['reviews'] = [];
  const triggers: RecordingClient['triggers'] = [];
  const gets: string[] = [];
  return {
    triggers,
    gets,
    reviews,
    retrainStatus: (model) => (answers.status ?? (() => Promise.reject(new Error('no status'))))(model),
    triggerRetrain: (input) => {
      triggers.push(input);
      return (answers.trigger ?? (() => Promise.reject(new Error('no trigger'))))(input);
    },
    exporterGet: (path) => {
      gets.push(path);
      return (answers.get ?? (() => Promise.reject(new Error('no get'))))(path);
    },
    reviewQueue: (model, query) => (answers.queue ?? (() => Promise.reject(new Error('no queue'))))(model, query),
    review: (model, body) => {
      reviews.push({ model, body });
      return (answers.review ?? (() => Promise.reject(new Error('no review'))))(model, body);
    },
  };
}
