/**
 * The review queue over the spool store (a real segment log, as the sidecar writes it), with a writer that appends
 * what a review posts to the same log, as the sidecar's POST /feedback would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rowLabel, type FeedbackEvent, type InferenceEvent } from '@plumbline/schema';
import { encodeSpoolRecord, SegmentLog } from '@plumbline/spool';
import type { FeedbackWriter } from './feedback-writer';
import { confidenceLimits } from './limits';
import {
  createReviewService,
  ReviewNotFoundError,
  ReviewRequestError,
  type ReviewService,
} from './review-service';
import { createSpoolReviewStore } from './spool-review-store';
import { decodeCursor, rowKey, type QueueCursor } from './review-store';

const T0 = Date.UTC(2026, 0, 1);

function prediction(i: number, label: string, confidence: number): InferenceEvent {
  return {
    schema_version: 1,
    event_id: `req-${i}:0`,
    request_id: `req-${i}`,
    row: 0,
    '@timestamp': new Date(T0 + i * 1000).toISOString(),
    model: { name: 'iris', version: '1' },
    protocol: 'v2',
    parsed: true,
    features: { x: i },
    outputs: {
      label,
      value: null,
      probabilities: { [label]: confidence, other: 1 - confidence },
      confidence,
      invalid: null,
    },
    latency_ms: { total: 1, upstream: 1 },
    http_status: 200,
    error: null,
  };
}

describe('review queue on the spool store', () => {
  let dir: string;
  let log: SegmentLog;
  let service: ReviewService;
  let clock: number;
  let written: FeedbackEvent[];

  async function append(events: (InferenceEvent | FeedbackEvent)[]): Promise<void> {
    await log.append(
      events.map((event) =>
        'outputs' in event
          ? encodeSpoolRecord({ kind: 'inference', event })
          : encodeSpoolRecord({ kind: 'feedback', event }),
      ),
    );
  }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'review-queue-'));
    log = await SegmentLog.open({ dir: path.join(dir, 'store'), maxBytes: 64 * 1024 * 1024, cursor: false });
    clock = T0 + 3600_000;
    written = [];
    // Classes: `a` is held to 0.9, everything else to the model's 0.6.
    const limits = confidenceLimits({ confidenceThreshold: 0.6, classThresholds: { a: 0.9 } }, 0.5);
    const writer: FeedbackWriter = {
      async write(event) {
        written.push(event);
        await append([event]);
      },
    };
    service = createReviewService({
      store: createSpoolReviewStore({ dir, models: new Map([['iris', limits]]) }),
      writer,
      models: new Map([['iris', limits]]),
      now: () => clock,
    });
    // 1: a at 0.8 (queued, below a's 0.9); 2: b at 0.8 (auto); 3: b at 0.5 (queued); 4: a at 0.95 (auto);
    // 5: c at 0.1 (queued).
    await append([
      prediction(1, 'a', 0.8),
      prediction(2, 'b', 0.8),
      prediction(3, 'b', 0.5),
      prediction(4, 'a', 0.95),
      prediction(5, 'c', 0.1),
    ]);
  });

  afterEach(async () => {
    await service.close();
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  const ids = async (q: Partial<Parameters<ReviewService['queue']>[1]> = {}) =>
    (
      await service.queue('iris', {
        limit: 50,
        before: null,
        predictedClass: null,
        maxConfidence: null,
        ...q,
      })
    ).items.map((i) => i.request_id);

  it('holds the predictions below their own limit, newest first, in the documented shape', async () => {
    expect(await ids()).toEqual(['req-5', 'req-3', 'req-1']);
    const page = await service.queue('iris', {
      limit: 1,
      before: null,
      predictedClass: null,
      maxConfidence: null,
    });
    expect(page.items[0]).toEqual({
      event_id: 'req-5:0',
      request_id: 'req-5',
      row: 0,
      '@timestamp': new Date(T0 + 5000).toISOString(),
      model_version: '1',
      features: { x: 5 },
      predicted: 'c',
      confidence: 0.1,
      probabilities: { c: 0.1, other: 0.9 },
    });
    expect(page.next).toEqual(expect.any(String));
  });

  it('pages by cursor without gaps or repeats, and filters by class and confidence', async () => {
    const seen: string[] = [];
    let before: QueueCursor | null = null;
    for (;;) {
      const page = await service.queue('iris', {
        limit: 2,
        before,
        predictedClass: null,
        maxConfidence: null,
      });
      seen.push(...page.items.map((i) => i.request_id));
      if (!page.next) break;
      before = decodeCursor(page.next);
    }
    expect(seen).toEqual(['req-5', 'req-3', 'req-1']);
    expect(await ids({ predictedClass: 'b' })).toEqual(['req-3']);
    expect(await ids({ maxConfidence: 0.5 })).toEqual(['req-5', 'req-3']);
  });

  it('confirm, correct and reject take rows out of the queue; retract (undo) puts them back', async () => {
    const confirm = await service.review('iris', { request_id: 'req-1', action: 'confirm' }, 'ana');
    expect(confirm).toMatchObject({
      changed: true,
      event: { source: 'human', action: 'confirm', ground_truth: 'a', reviewer: 'ana', row: 0 },
      label: { kind: 'label', label: 'a', label_source: 'human' },
    });
    clock += 1000;
    await service.review('iris', { request_id: 'req-3', row: 0, action: 'correct', label: 'c' }, 'ana');
    clock += 1000;
    const reject = await service.review('iris', { request_id: 'req-5', action: 'reject' }, 'bo');
    expect(reject.label).toEqual({ kind: 'rejected', label: null, label_source: null });
    expect(await ids()).toEqual([]);
    clock += 1000;
    const undo = await service.review('iris', { request_id: 'req-5', action: 'retract' }, 'bo');
    expect(undo).toMatchObject({ changed: true, event: { action: 'retract' }, label: { kind: 'none' } });
    expect(await ids()).toEqual(['req-5']);
  });

  it('is idempotent on (request_id, row, action, label)', async () => {
    await service.review('iris', { request_id: 'req-3', action: 'correct', label: 'c' }, 'ana');
    const again = await service.review('iris', { request_id: 'req-3', action: 'correct', label: 'c' }, 'ana');
    expect(again.changed).toBe(false);
    expect(written).toHaveLength(1);
    expect(again.event?.event_id).toBe(written[0].event_id);
    // Another label is a new review; a retract with nothing standing is a no-op.
    await service.review('iris', { request_id: 'req-3', action: 'correct', label: 'a' }, 'ana');
    expect(written).toHaveLength(2);
    await service.review('iris', { request_id: 'req-3', action: 'retract' }, 'ana');
    expect((await service.review('iris', { request_id: 'req-3', action: 'retract' }, 'ana')).changed).toBe(
      false,
    );
    expect(written).toHaveLength(3);
    // After the retract, the first review counts again.
    expect(
      (await service.review('iris', { request_id: 'req-3', action: 'correct', label: 'c' }, 'x')).changed,
    ).toBe(true);
  });

  it('leaves one consistent label when two reviewers race on one row', async () => {
    const [x, y] = await Promise.all([
      service.review('iris', { request_id: 'req-1', action: 'correct', label: 'b' }, 'ana'),
      service.review('iris', { request_id: 'req-1', action: 'correct', label: 'c' }, 'bo'),
    ]);
    expect(x.changed && y.changed).toBe(true);
    // Same clock for both: the second is stamped after the first, so it stands, everywhere.
    expect(Date.parse(y.event!['@timestamp'])).toBeGreaterThan(Date.parse(x.event!['@timestamp']));
    const fresh = createSpoolReviewStore({
      dir,
      models: new Map([['iris', confidenceLimits({ confidenceThreshold: 0.6, classThresholds: {} }, 0.6)]]),
    });
    const states = await fresh.feedback([{ requestId: 'req-1', row: 0 }]);
    expect(rowLabel(states.get(rowKey('req-1', 0)) ?? null)).toMatchObject({ kind: 'label', label: 'c' });
    expect(y.label).toEqual({ kind: 'label', label: 'c', label_source: 'human' });
    await fresh.close();
  });

  it('answers 404 for an unknown request id or model, 400 naming the field for a bad body', async () => {
    await expect(service.review('iris', { request_id: 'nope', action: 'confirm' }, null)).rejects.toThrow(
      ReviewNotFoundError,
    );
    await expect(service.review('other', { request_id: 'req-1', action: 'confirm' }, null)).rejects.toThrow(
      ReviewNotFoundError,
    );
    const cases: [unknown, string][] = [
      [{ request_id: 'req-1', action: 'correct' }, 'label'],
      [{ request_id: 'req-1', action: 'delete' }, 'action'],
      [{ action: 'confirm' }, 'request_id'],
      [{ request_id: 'req-1', action: 'confirm', row: -1 }, 'row'],
      [{ request_id: 'req-1', action: 'confirm', extra: 1 }, 'extra'],
      [{ request_id: 'req-1', action: 'confirm', label: 'b' }, 'label'],
      ['text', '(root)'],
    ];
    for (const [body, field] of cases) {
      const err = await service.review('iris', body, null).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReviewRequestError);
      expect((err as ReviewRequestError).field).toBe(field);
    }
    expect(written).toHaveLength(0);
  });

  it('advises from the labelled rows, human labels winning', async () => {
    await append([
      { ...fb('req-1', 'b'), source: 'batch' },
      { ...fb('req-2', 'b'), source: 'batch' },
    ]);
    await service.review('iris', { request_id: 'req-1', action: 'confirm' }, 'ana');
    const advice = await service.advice('iris', { targetPrecision: 1, minSamples: 1, from: 0, to: clock });
    expect(advice.labelledRows).toBe(2);
    expect(advice.classes).toEqual([
      { class: 'a', limit: 0, precision: 1, autoRows: 1, labelledRows: 1, autoShare: 1 },
      { class: 'b', limit: 0, precision: 1, autoRows: 1, labelledRows: 1, autoShare: 1 },
    ]);
  });
});

function fb(requestId: string, truth: string): FeedbackEvent {
  return {
    schema_version: 1,
    event_id: `${requestId}:0:feedback`,
    request_id: requestId,
    row: 0,
    '@timestamp': new Date(T0 + 60_000).toISOString(),
    model: { name: 'iris', version: '1' },
    ground_truth: truth,
    source: 'api',
  };
}
