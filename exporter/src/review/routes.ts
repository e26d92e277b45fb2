/**
 * The review routes on the exporter's /api (exporter/README.md "Review queue"):
 *   GET  /api/models/:model/review?limit=&before=&class=&maxConfidence=   the queue, newest first, paged by cursor
 *   POST /api/models/:model/review                                        a review (needs the API token)
 *   GET  /api/models/:model/review/advice?targetPrecision=&minSamples=&since=&until=
 * The reviewer is the `X-Grafana-User` header (the app plugin's proxy route forwards the Grafana login).
 */
import { HttpError, type RequestContext, type Route } from '@plumbline/service-kit';
import { ReviewWriteError } from './feedback-writer';
import { decodeCursor } from './review-store';
import { ReviewNotFoundError, ReviewRequestError, type ReviewService } from './review-service';

export const REVIEW_ERRORS = {
  notFound: 'EXPORTER_ERR_NOT_FOUND',
  badRequest: 'EXPORTER_ERR_BAD_REQUEST',
  unsupported: 'EXPORTER_ERR_REVIEW_UNSUPPORTED',
  write: 'EXPORTER_ERR_REVIEW_WRITE',
} as const;

/** Largest queue page. */
export const MAX_REVIEW_PAGE = 1000;
/** Queue page without `limit`. */
export const DEFAULT_REVIEW_PAGE = 50;

function bad(field: string, message: string): HttpError {
  return new HttpError(400, REVIEW_ERRORS.badRequest, `${field}: ${message}`);
}

function numberParam(ctx: RequestContext, name: string, min: number, max: number): number | null {
  const text = ctx.query.get(name);
  if (text === null || text === '') return null;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || n > max)
    throw bad(name, `expected a number in [${min}, ${max}], got ${text}`);
  return n;
}

function timeParam(ctx: RequestContext, name: string): number | null {
  const text = ctx.query.get(name);
  if (text === null || text === '') return null;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw bad(name, `expected an ISO-8601 time, got ${text}`);
  return ms;
}

/** The service's errors as the API's. */
async function answer(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ReviewRequestError) throw bad(err.field, err.message.slice(err.field.length + 2));
    if (err instanceof ReviewNotFoundError) throw new HttpError(404, REVIEW_ERRORS.notFound, err.message);
    if (err instanceof ReviewWriteError)
      throw new HttpError(err.status, REVIEW_ERRORS.write, err.message, { cause: err });
    throw err;
  }
}

/**
 * The review routes. `service` null: the source cannot serve a queue (Kafka alone), every review route answers
 * 501 EXPORTER_ERR_REVIEW_UNSUPPORTED.
 */
export function reviewRoutes(service: ReviewService | null, options: { now?: () => number } = {}): Route[] {
  const now = options.now ?? Date.now;
  const need = (): ReviewService => {
    if (service) return service;
    throw new HttpError(
      501,
      REVIEW_ERRORS.unsupported,
      'the review queue needs Elasticsearch or the spool store as the source: a Kafka topic cannot be read by request id or newest first',
    );
  };
  return [
    {
      method: 'GET',
      path: '/api/models/:model/review',
      handle: (ctx) =>
        answer(async () => {
          const s = need();
          const limit = numberParam(ctx, 'limit', 1, MAX_REVIEW_PAGE) ?? DEFAULT_REVIEW_PAGE;
          if (!Number.isInteger(limit)) throw bad('limit', `expected an integer, got ${limit}`);
          const beforeText = ctx.query.get('before');
          const before = beforeText ? decodeCursor(beforeText) : null;
          if (beforeText && !before) throw bad('before', 'not a cursor this API returned as next');
          const page = await s.queue(ctx.params.model, {
            limit,
            before,
            predictedClass: ctx.query.get('class') || null,
            maxConfidence: numberParam(ctx, 'maxConfidence', 0, 1),
          });
          ctx.send(200, page);
        }),
    },
    {
      method: 'POST',
      path: '/api/models/:model/review',
      handle: (ctx) =>
        answer(async () => {
          const s = need();
          const body = await ctx.readJson({ invalidMessage: (detail) => `(root): not JSON: ${detail}` });
          const user = ctx.req.headers['x-grafana-user'];
          const reviewer = (Array.isArray(user) ? user[0] : user)?.trim() || null;
          ctx.send(200, await s.review(ctx.params.model, body, reviewer));
        }),
    },
    {
      method: 'GET',
      path: '/api/models/:model/review/advice',
      handle: (ctx) =>
        answer(async () => {
          const s = need();
          const targetPrecision = numberParam(ctx, 'targetPrecision', 0, 1);
          if (targetPrecision === null || targetPrecision === 0)
            throw bad('targetPrecision', 'required, a number in (0, 1]');
          const minSamples = numberParam(ctx, 'minSamples', 1, 1e9);
          if (minSamples !== null && !Number.isInteger(minSamples))
            throw bad('minSamples', 'expected an integer');
          const from = timeParam(ctx, 'since') ?? 0;
          const to = timeParam(ctx, 'until') ?? now() + 1;
          if (to <= from) throw bad('until', 'must be after since');
          const advice = await s.advice(ctx.params.model, {
            targetPrecision,
            minSamples: minSamples ?? undefined,
            from,
            to,
          });
          ctx.send(200, {
            model: ctx.params.model,
            targetPrecision,
            since: from ? new Date(from).toISOString() : null,
            until: new Date(to).toISOString(),
            ...advice,
          });
        }),
    },
  ];
}
