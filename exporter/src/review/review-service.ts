/**
 * The review queue (issue #13): what `GET/POST /api/models/{model}/review` and `GET …/review/advice` do, over a
 * ReviewStore (where predictions and feedback are read) and a FeedbackWriter (where reviews go).
 *
 * - The queue: the model's predictions below their limit (limits.ts) with no standing review
 *   (label-precedence.ts: no confirm, correct or reject that was not retracted), newest first, paged by cursor.
 * - A review: one feedback event with `source: "human"`, the action and the reviewer. Reviews of one row are taken
 *   one at a time, each against the row's state after the one before, and stamped later than every event of the row
 *   already seen, so two reviewers racing on one row leave the later one standing — the same label everywhere.
 *   Idempotent: a review equal to the standing one (same action and label), or a retract with nothing standing,
 *   writes nothing and answers `changed: false`.
 * - Reads see this exporter's own reviews at once: each written event is held (for `overlayTtlMs`) and folded into
 *   what the store returns, until the store has caught up with it (folding an event twice changes nothing).
 */
import { createHash } from 'node:crypto';
import {
  foldFeedback,
  HUMAN_SOURCE,
  reviewEventId,
  rowLabel,
  SCHEMA_VERSION,
  standingReview,
  type FeedbackEvent,
  type ReviewAction,
  type RowFeedbackState,
  type RowLabel,
} from '@plumbline/schema';
import { z } from 'zod';
import { adviseLimits, type ClassAdvice, type LabelledConfidence } from './advisor';
import type { FeedbackWriter } from './feedback-writer';
import type { QueueItem, QueuePage, ReviewResultBody } from './wire-types';
import type { ConfidenceLimits } from './limits';
import {
  encodeCursor,
  rowKey,
  type QueueCursor,
  type ReviewPrediction,
  type ReviewStore,
} from './review-store';

/** A review request that is not valid: the message names the field (answered 400). */
export class ReviewRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ReviewRequestError';
  }
}

/** The model is not configured, or the request id and row are not stored for it (answered 404). */
export class ReviewNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReviewNotFoundError';
  }
}

export type { QueueItem, QueuePage } from './wire-types';

export interface QueueRequest {
  limit: number;
  before: QueueCursor | null;
  predictedClass: string | null;
  maxConfidence: number | null;
}

export interface ReviewResult extends ReviewResultBody {
  /** The event written, or the standing one a repeat matched (null for a retract with nothing to retract). */
  event: FeedbackEvent | null;
  /** The row's label now. */
  label: { kind: RowLabel['kind']; label: string | number | boolean | null; label_source: string | null };
}

export interface AdviceRequest {
  targetPrecision: number;
  minSamples?: number;
  from: number;
  to: number;
}

export interface ReviewService {
  queue(model: string, request: QueueRequest): Promise<QueuePage>;
  review(model: string, body: unknown, reviewer: string | null): Promise<ReviewResult>;
  advice(model: string, request: AdviceRequest): Promise<{ labelledRows: number; classes: ClassAdvice[] }>;
  close(): Promise<void>;
}

export interface ReviewServiceOptions {
  store: ReviewStore;
  writer: FeedbackWriter;
  /** The configured models and their limits. */
  models: ReadonlyMap<string, ConfidenceLimits>;
  /** @default Date.now */
  now?: () => number;
  /** Called after each review written (plumbline_review_actions_total). */
  onReview?: (model: string, action: ReviewAction) => void;
  /** How long a written review is folded into reads (the store's lag: index refresh, sidecar batching). @default 600000 */
  overlayTtlMs?: number;
}

const ReviewBodySchema = z.strictObject({
  request_id: z.string().min(1).max(200),
  row: z.number().int().min(0).default(0),
  action: z.enum(['confirm', 'correct', 'reject', 'retract']),
  label: z.union([z.string().min(1), z.number(), z.boolean()]).optional(),
});

/** Parses a review body; a ReviewRequestError names the first bad field. */
export function parseReviewBody(body: unknown): {
  requestId: string;
  row: number;
  action: ReviewAction;
  label: string | number | boolean | undefined;
} {
  const parsed = ReviewBodySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keys = (issue as { keys?: string[] }).keys;
    if (issue.code === 'unrecognized_keys' && keys?.length)
      throw new ReviewRequestError(keys[0], 'unknown field');
    const field = issue.path.length ? issue.path.join('.') : '(root)';
    throw new ReviewRequestError(field, field === '(root)' ? 'expected a JSON object' : issue.message);
  }
  const { request_id: requestId, row, action, label } = parsed.data;
  if (action === 'correct' && label === undefined)
    throw new ReviewRequestError('label', 'required for correct (the right class)');
  return { requestId, row, action, label };
}

function queueItem(p: ReviewPrediction): QueueItem {
  return {
    event_id: p.eventId,
    request_id: p.requestId,
    row: p.row,
    '@timestamp': p.timestamp,
    model_version: p.modelVersion,
    features: p.features,
    predicted: p.predicted,
    confidence: p.confidence,
    probabilities: p.probabilities,
  };
}

function labelSummary(state: RowFeedbackState | null): ReviewResult['label'] {
  const l = rowLabel(state);
  return l.kind === 'label'
    ? { kind: l.kind, label: l.label, label_source: l.labelSource }
    : { kind: l.kind, label: null, label_source: null };
}

const QUEUE_BATCH = 200;

export function createReviewService(options: ReviewServiceOptions): ReviewService {
  const { store, writer } = options;
  const now = options.now ?? Date.now;
  const ttl = options.overlayTtlMs ?? 600_000;
  /** This exporter's reviews, folded into reads until they expire. */
  const overlay = new Map<string, { events: FeedbackEvent[]; expiresAt: number }>();
  /** One review at a time per row. */
  const locks = new Map<string, Promise<unknown>>();

  function limitsOf(model: string): ConfidenceLimits {
    const limits = options.models.get(model);
    if (!limits) throw new ReviewNotFoundError(`model ${model} is not configured`);
    return limits;
  }

  function withOverlay(key: string, state: RowFeedbackState | null): RowFeedbackState | null {
    const held = overlay.get(key);
    if (!held) return state;
    if (held.expiresAt <= now()) {
      overlay.delete(key);
      return state;
    }
    let s = state;
    for (const e of held.events) s = foldFeedback(s, e);
    return s;
  }

  async function statesOf(rows: readonly { requestId: string; row: number }[]) {
    const stored = await store.feedback(rows);
    const out = new Map<string, RowFeedbackState | null>();
    for (const r of rows) {
      const key = rowKey(r.requestId, r.row);
      out.set(key, withOverlay(key, stored.get(key) ?? null));
    }
    return out;
  }

  function locked<T>(key: string, run: () => Promise<T>): Promise<T> {
    const before = locks.get(key) ?? Promise.resolve();
    const next = before.then(run, run);
    const tail = next.catch(() => undefined);
    locks.set(key, tail);
    void tail.then(() => {
      if (locks.get(key) === tail) locks.delete(key);
    });
    return next;
  }

  return {
    async queue(model, request) {
      const limits = limitsOf(model);
      const items: ReviewPrediction[] = [];
      let more = false;
      let batch: ReviewPrediction[] = [];
      const flush = async () => {
        const states = await statesOf(batch);
        for (const p of batch) {
          if (standingReview(states.get(rowKey(p.requestId, p.row)) ?? null)) continue;
          if (items.length === request.limit) {
            more = true;
            break;
          }
          items.push(p);
        }
        batch = [];
      };
      for await (const p of store.lowConfidence({
        model,
        limits,
        after: request.before,
        predictedClass: request.predictedClass,
        maxConfidence: request.maxConfidence,
      })) {
        batch.push(p);
        if (batch.length >= QUEUE_BATCH) await flush();
        if (more) break;
      }
      if (!more && batch.length) await flush();
      const last = items[items.length - 1];
      return {
        items: items.map(queueItem),
        next: more && last ? encodeCursor({ atMs: last.atMs, eventId: last.eventId }) : null,
      };
    },

    async review(model, body, reviewer) {
      limitsOf(model);
      const r = parseReviewBody(body);
      const key = rowKey(r.requestId, r.row);
      return locked(key, async () => {
        const prediction = await store.prediction(model, r.requestId, r.row);
        if (!prediction)
          throw new ReviewNotFoundError(
            `request_id ${r.requestId} row ${r.row} of model ${model} is not stored`,
          );
        const state = (await statesOf([{ requestId: r.requestId, row: r.row }])).get(key) ?? null;
        const standing = standingReview(state);
        let truth: string | number | boolean;
        if (r.action === 'correct') truth = r.label!;
        else if (r.action === 'retract') truth = standing?.truth ?? prediction.predicted ?? '';
        else {
          if (prediction.predicted === null)
            throw new ReviewRequestError('action', `${r.action} needs a predicted class; this row has none`);
          if (r.action === 'confirm' && r.label !== undefined && String(r.label) !== prediction.predicted)
            throw new ReviewRequestError(
              'label',
              `confirm takes the predicted class (${prediction.predicted}); use correct for another`,
            );
          truth = prediction.predicted;
        }
        const repeat =
          r.action === 'retract'
            ? standing === null
            : standing !== null && standing.action === r.action && String(standing.truth) === String(truth);
        if (repeat) {
          const event: FeedbackEvent | null = standing && {
            schema_version: SCHEMA_VERSION,
            event_id: standing.eventId,
            request_id: r.requestId,
            row: r.row,
            '@timestamp': new Date(standing.atMs).toISOString(),
            model: { name: model, version: prediction.modelVersion },
            ground_truth: standing.truth,
            source: HUMAN_SOURCE,
            action: standing.action,
            reviewer: standing.reviewer,
          };
          return { changed: false, event, label: labelSummary(state) };
        }
        // Later than every event of the row seen so far: the review stands over what it was made against.
        const latest = Math.max(state?.human?.atMs ?? -Infinity, state?.other?.atMs ?? -Infinity);
        const atMs = Math.max(now(), Number.isFinite(latest) ? latest + 1 : 0);
        const event: FeedbackEvent = {
          schema_version: SCHEMA_VERSION,
          event_id: reviewEventId(
            r.requestId,
            r.row,
            atMs,
            createHash('sha256')
              .update(JSON.stringify([r.action, truth, reviewer]))
              .digest('hex')
              .slice(0, 12),
          ),
          request_id: r.requestId,
          row: r.row,
          '@timestamp': new Date(atMs).toISOString(),
          model: { name: model, version: prediction.modelVersion },
          ground_truth: truth,
          source: HUMAN_SOURCE,
          action: r.action,
          reviewer,
        };
        await writer.write(event);
        options.onReview?.(model, r.action);
        const held = overlay.get(key);
        if (held) {
          held.events.push(event);
          held.expiresAt = now() + ttl;
        } else overlay.set(key, { events: [event], expiresAt: now() + ttl });
        return { changed: true, event, label: labelSummary(foldFeedback(state, event)) };
      });
    },

    async advice(model, request) {
      limitsOf(model);
      const rows: LabelledConfidence[] = [];
      for await (const { prediction, feedback } of store.labelled(model, {
        from: request.from,
        to: request.to,
      })) {
        const label = rowLabel(withOverlay(rowKey(prediction.requestId, prediction.row), feedback));
        if (label.kind !== 'label' || prediction.predicted === null || prediction.confidence === null)
          continue;
        rows.push({
          predicted: prediction.predicted,
          confidence: prediction.confidence,
          correct: String(label.label) === prediction.predicted,
        });
      }
      return {
        labelledRows: rows.length,
        classes: adviseLimits(rows, {
          targetPrecision: request.targetPrecision,
          minSamples: request.minSamples,
        }),
      };
    },

    close: () => store.close(),
  };
}
