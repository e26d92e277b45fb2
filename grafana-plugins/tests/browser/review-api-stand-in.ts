/**
 * Answers like the exporter's review routes (issue #13; exporter/README.md "Review queue"), in memory:
 *   GET  /api/models/:model/review?limit=&before=&class=&maxConfidence=  → { items, next }, newest first, rows
 *        with a standing review left out, `next` a cursor after the page's last row (null on the last page)
 *   POST /api/models/:model/review { request_id, row, action, label? } → { changed, label }; 401 without the
 *        bearer token, 400 naming the field, 404 for an unknown row; `retract` withdraws the standing review.
 * Errors are `{ error: { code, message } }`. Models: `iris` (7 rows, 3 classes), `empty`, `big` (10,000 rows),
 * `unsupported` (501, as with Kafka alone); any other is 404. The reviewer is the X-Grafana-User header.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReviewQueueItem, ReviewRequest } from '../../src/review/types';

export interface RecordedReview extends ReviewRequest {
  model: string;
  reviewer: string | null;
}

export interface ReviewApiStandIn {
  /** Answers a review route; false when the path is not one. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** Every review taken (not the refused ones), in order. */
  reviews: RecordedReview[];
  /** Forgets every review (each test starts from the full queue). */
  reset(): void;
}

const IRIS_CLASSES = ['setosa', 'versicolor', 'virginica'];

function irisRows(): ReviewQueueItem[] {
  // [predicted, probabilities], newest first.
  const rows: Array<[string, number[]]> = [
    ['versicolor', [0.05, 0.52, 0.43]],
    ['virginica', [0.02, 0.47, 0.51]],
    ['versicolor', [0.1, 0.55, 0.35]],
    ['setosa', [0.58, 0.4, 0.02]],
    ['virginica', [0.01, 0.44, 0.55]],
    ['versicolor', [0.2, 0.6, 0.2]],
    ['virginica', [0.0, 0.41, 0.59]],
  ];
  return rows.map(([predicted, p], n) => ({
    event_id: `ev-iris-${n}`,
    request_id: `req-iris-${n}`,
    row: 0,
    '@timestamp': new Date(Date.UTC(2026, 10, 23, 10, 0, 0) - n * 60_000).toISOString(),
    model_version: 'v3',
    features: { petal_length: Number((4.4 + n * 0.13).toFixed(2)), petal_width: 1.4 + n / 10, region: 'eu-west' },
    predicted,
    confidence: Math.max(...p),
    probabilities: Object.fromEntries(IRIS_CLASSES.map((c, i) => [c, p[i]])),
  }));
}

function bigRows(n: number): ReviewQueueItem[] {
  const out: ReviewQueueItem[] = [];
  for (let i = 0; i < n; i++) {
    const fraud = 0.3 + ((i * 37) % 40) / 100; // 0.30 … 0.69
    out.push({
      event_id: `ev-big-${i}`,
      request_id: `req-big-${i}`,
      row: i % 3,
      '@timestamp': new Date(Date.UTC(2026, 10, 23, 10, 0, 0) - i * 1000).toISOString(),
      model_version: 'v1',
      features: { amount: 10 + (i % 500), country: i % 2 ? 'NO' : 'SE' },
      predicted: fraud >= 0.5 ? 'fraud' : 'legit',
      confidence: Math.max(fraud, 1 - fraud),
      probabilities: { fraud, legit: Number((1 - fraud).toFixed(2)) },
    });
  }
  return out;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const fail = (res: ServerResponse, status: number, code: string, message: string) =>
  send(res, status, { error: { code, message } });

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    chunks.push(c);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
}

export function createReviewApiStandIn(options: { token: string; bigRows?: number }): ReviewApiStandIn {
  const queues = new Map<string, ReviewQueueItem[]>([
    ['iris', irisRows()],
    ['empty', []],
    ['big', bigRows(options.bigRows ?? 10_000)],
  ]);
  /** `${model}/${request_id}/${row}` → the standing review. */
  const standing = new Map<string, RecordedReview>();
  const reviews: RecordedReview[] = [];
  const key = (model: string, requestId: string, row: number) => `${model}/${requestId}/${row}`;

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const m = /^\/api\/models\/([^/]+)\/review$/.exec(url.pathname);
    if (!m) {
      return false;
    }
    const model = decodeURIComponent(m[1]);
    if (model === 'unsupported') {
      fail(
        res,
        501,
        'EXPORTER_ERR_REVIEW_UNSUPPORTED',
        'the review queue needs Elasticsearch or the spool store as the source: a Kafka topic cannot be read by request id or newest first'
      );
      return true;
    }
    const rows = queues.get(model);
    if (!rows) {
      fail(res, 404, 'EXPORTER_ERR_NOT_FOUND', `model ${model} is not configured`);
      return true;
    }
    if (req.method === 'GET') {
      const limit = Number(url.searchParams.get('limit') ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        fail(res, 400, 'EXPORTER_ERR_BAD_REQUEST', `limit: expected a number in [1, 1000], got ${limit}`);
        return true;
      }
      const before = url.searchParams.get('before');
      let from = 0;
      if (before) {
        const at = Number(
          Buffer.from(before, 'base64url')
            .toString('utf8')
            .replace(/^after:/, '')
        );
        if (!Number.isInteger(at)) {
          fail(res, 400, 'EXPORTER_ERR_BAD_REQUEST', 'before: not a cursor this API returned as next');
          return true;
        }
        from = at + 1;
      }
      const cls = url.searchParams.get('class');
      const maxConfidence = url.searchParams.has('maxConfidence') ? Number(url.searchParams.get('maxConfidence')) : 1;
      const items: ReviewQueueItem[] = [];
      let last = -1;
      let more = false;
      for (let i = from; i < rows.length; i++) {
        const r = rows[i];
        if (standing.has(key(model, r.request_id, r.row)) || (cls && r.predicted !== cls)) {
          continue;
        }
        if ((r.confidence ?? 0) > maxConfidence) {
          continue;
        }
        if (items.length === limit) {
          more = true;
          break;
        }
        items.push(r);
        last = i;
      }
      send(res, 200, { items, next: more ? Buffer.from(`after:${last}`).toString('base64url') : null });
      return true;
    }
    if (req.method !== 'POST') {
      fail(res, 405, 'EXPORTER_ERR_METHOD', `${req.method} not allowed`);
      return true;
    }
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      fail(res, 401, 'EXPORTER_ERR_UNAUTHORIZED', 'review writes need Authorization: Bearer <PLUMBLINE_API_TOKEN>');
      return true;
    }
    const body = (await readJson(req)) as Partial<ReviewRequest> | null;
    if (!body || typeof body.request_id !== 'string' || !body.request_id) {
      fail(res, 400, 'EXPORTER_ERR_BAD_REQUEST', 'request_id: required');
      return true;
    }
    const row = body.row ?? 0;
    if (!['confirm', 'correct', 'reject', 'retract'].includes(String(body.action))) {
      fail(res, 400, 'EXPORTER_ERR_BAD_REQUEST', 'action: expected confirm, correct, reject or retract');
      return true;
    }
    if (body.action === 'correct' && body.label === undefined) {
      fail(res, 400, 'EXPORTER_ERR_BAD_REQUEST', 'label: required for correct (the right class)');
      return true;
    }
    const target = rows.find((r) => r.request_id === body.request_id && r.row === row);
    if (!target) {
      fail(
        res,
        404,
        'EXPORTER_ERR_NOT_FOUND',
        `request_id ${body.request_id} row ${row} of model ${model} is not stored`
      );
      return true;
    }
    const user = req.headers['x-grafana-user'];
    const review: RecordedReview = {
      model,
      request_id: body.request_id,
      row,
      action: body.action!,
      ...(body.label !== undefined ? { label: String(body.label) } : {}),
      reviewer: (Array.isArray(user) ? user[0] : user) ?? null,
    };
    const k = key(model, review.request_id, row);
    if (review.action === 'retract') {
      const had = standing.delete(k);
      if (had) {
        reviews.push(review);
      }
      send(res, 200, { changed: had, label: { kind: 'none', label: null, label_source: null } });
      return true;
    }
    standing.set(k, review);
    reviews.push(review);
    const label = review.action === 'reject' ? null : (review.label ?? target.predicted);
    send(res, 200, {
      changed: true,
      label:
        review.action === 'reject'
          ? { kind: 'rejected', label, label_source: null }
          : { kind: 'label', label, label_source: 'human' },
    });
    return true;
  }

  return {
    handle,
    reviews,
    reset: () => {
      standing.clear();
      reviews.length = 0;
    },
  };
}
