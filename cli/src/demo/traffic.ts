/**
 * The demo traffic generator: Open Inference Protocol requests built from rows sampled out of the training data,
 * sent at a steady rate to the sidecar (or straight to the model server), ground truth posted for a share of the
 * rows after a label delay, and — after `driftAfterMs` — a planted drift (shifted features) on every new row.
 *
 * Load is bounded: one request per tick, at most `maxInFlight` outstanding (ticks beyond that are skipped and
 * counted), every request with a timeout. `stop()` ends the ticks, waits for what is in flight and posts the
 * feedback still waiting.
 */
import { applyDrift, type DriftShifts } from './drift-plan';
import { applyBreak, breakPhase, type BreakPhase, type PipelineBreak } from './pipeline-break';
import type { TrainingData } from './training-data';

export interface DemoTrafficOptions {
  /** POST target, e.g. http://127.0.0.1:8080/v2/models/iris/infer */
  inferUrl: string;
  /** The sidecar's POST /feedback, or null to send no ground truth. */
  feedbackUrl: string | null;
  /** Sent as `Authorization: Bearer <apiToken>` with feedback (the sidecar's PLUMBLINE_API_TOKEN). @default none */
  apiToken?: string;
  data: TrainingData;
  /** The model name sent with feedback. */
  model: string;
  /** The model's [N, F] input tensor name. @default 'input' */
  inputName?: string;
  /** @default 20 */
  requestsPerSecond?: number;
  /** Rows per request, drawn uniformly from 1..max. @default 3 */
  maxRowsPerRequest?: number;
  /** Share of rows whose ground truth is posted, 0..1. @default 0.5 */
  feedbackShare?: number;
  /** Label delay: ground truth is batched and posted this long after the prediction. @default 2000 */
  feedbackDelayMs?: number;
  /** Plant the drift this long after start(); null never. @default 45000 */
  driftAfterMs?: number | null;
  drift: DriftShifts;
  /** Header carrying our request id, which the sidecar propagates. @default 'x-request-id' */
  requestIdHeader?: string;
  /** @default 16 */
  maxInFlight?: number;
  /** @default 5000 */
  timeoutMs?: number;
  /** Uniform [0, 1) source. @default Math.random */
  random?: () => number;
  /** Called once when the drift is planted. */
  onDriftPlanted?: () => void;
  /** A feature pipeline break planted on top of the drift (pipeline-break.ts). @default none */
  pipelineBreak?: PipelineBreak | null;
  /** Called once as each phase of the break starts. */
  onBreakPhase?: (phase: Exclude<BreakPhase, 'intact'>) => void;
}

export interface DemoTrafficStats {
  requests: number;
  rows: number;
  /** Requests answered 2xx. */
  ok: number;
  /** Requests answered non-2xx or not at all. */
  failed: number;
  /** Ticks skipped because `maxInFlight` requests were outstanding. */
  skipped: number;
  feedbackPosted: number;
  feedbackFailed: number;
  driftPlanted: boolean;
  lastError: string | null;
}

export interface DemoTraffic {
  start(): void;
  stop(): Promise<void>;
  stats(): DemoTrafficStats;
}

interface PendingFeedback {
  dueAt: number;
  item: { request_id: string; row: number; ground_truth: string; model: string; source: string };
}

export function createDemoTraffic(options: DemoTrafficOptions): DemoTraffic {
  const rps = options.requestsPerSecond ?? 20;
  const maxRows = options.maxRowsPerRequest ?? 3;
  const feedbackShare = options.feedbackShare ?? 0.5;
  const feedbackDelayMs = options.feedbackDelayMs ?? 2000;
  const driftAfterMs = options.driftAfterMs === undefined ? 45_000 : options.driftAfterMs;
  const requestIdHeader = options.requestIdHeader ?? 'x-request-id';
  const maxInFlight = options.maxInFlight ?? 16;
  const timeoutMs = options.timeoutMs ?? 5000;
  const random = options.random ?? Math.random;
  const inputName = options.inputName ?? 'input';
  const { data } = options;
  if (!(rps > 0 && rps <= 1000)) throw new Error('requestsPerSecond must be in (0, 1000]');
  if (!(Number.isInteger(maxRows) && maxRows >= 1))
    throw new Error('maxRowsPerRequest must be an integer ≥ 1');
  if (!(feedbackShare >= 0 && feedbackShare <= 1)) throw new Error('feedbackShare must be in [0, 1]');
  if (data.rows.length === 0) throw new Error('the training data has no rows');

  const stats: DemoTrafficStats = {
    requests: 0,
    rows: 0,
    ok: 0,
    failed: 0,
    skipped: 0,
    feedbackPosted: 0,
    feedbackFailed: 0,
    driftPlanted: false,
    lastError: null,
  };
  const inFlight = new Set<Promise<void>>();
  const pending: PendingFeedback[] = [];
  const runId = Date.now().toString(36);
  let seq = 0;
  let startedAt = 0;
  let tick: NodeJS.Timeout | undefined;
  let feedbackTick: NodeJS.Timeout | undefined;
  let stopped = false;
  let phase: BreakPhase = 'intact';

  function fail(message: string): void {
    stats.lastError = message;
  }

  async function sendOne(): Promise<void> {
    if (!stats.driftPlanted && driftAfterMs !== null && Date.now() - startedAt >= driftAfterMs) {
      stats.driftPlanted = true;
      options.onDriftPlanted?.();
    }
    const n = 1 + Math.floor(random() * maxRows);
    const picked = Array.from({ length: n }, () => Math.floor(random() * data.rows.length));
    const plan = options.pipelineBreak;
    if (plan) {
      const now = breakPhase(plan, Date.now() - startedAt);
      if (now !== phase && now !== 'intact') options.onBreakPhase?.(now);
      phase = now;
    }
    const rows = picked.map((i) => {
      const row = stats.driftPlanted ? applyDrift(data.rows[i], data.features, options.drift) : data.rows[i];
      return plan ? applyBreak(row, data.features, plan, phase) : row;
    });
    const requestId = `demo-${runId}-${++seq}`;
    stats.requests++;
    stats.rows += n;
    const body = {
      id: requestId,
      inputs: [{ name: inputName, shape: [n, data.features.length], datatype: 'FP32', data: rows.flat() }],
    };
    try {
      const res = await fetch(options.inferUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [requestIdHeader]: requestId },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      if (!res.ok) {
        stats.failed++;
        fail(`infer answered HTTP ${res.status}`);
        return;
      }
      stats.ok++;
    } catch (err) {
      stats.failed++;
      fail(`infer failed: ${(err as Error).message}`);
      return;
    }
    if (options.feedbackUrl === null) return;
    picked.forEach((index, row) => {
      if (random() < feedbackShare) {
        pending.push({
          dueAt: Date.now() + feedbackDelayMs,
          item: {
            request_id: requestId,
            row,
            ground_truth: data.labels[index],
            model: options.model,
            source: 'demo',
          },
        });
      }
    });
  }

  async function postFeedback(all: boolean): Promise<void> {
    if (options.feedbackUrl === null || pending.length === 0) return;
    const now = Date.now();
    const due = all ? pending.length : pending.findIndex((p) => p.dueAt > now);
    const batch = pending.splice(0, due < 0 ? pending.length : due).map((p) => p.item);
    if (batch.length === 0) return;
    try {
      const res = await fetch(options.feedbackUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiToken === undefined ? {} : { authorization: `Bearer ${options.apiToken}` }),
        },
        body: JSON.stringify(batch),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      if (!res.ok) {
        stats.feedbackFailed += batch.length;
        fail(`feedback answered HTTP ${res.status}: ${text.slice(0, 200)}`);
        return;
      }
      stats.feedbackPosted += batch.length;
    } catch (err) {
      stats.feedbackFailed += batch.length;
      fail(`feedback failed: ${(err as Error).message}`);
    }
  }

  function track(p: Promise<void>): void {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }

  return {
    start() {
      if (tick || stopped) return;
      startedAt = Date.now();
      tick = setInterval(() => {
        if (inFlight.size >= maxInFlight) {
          stats.skipped++;
          return;
        }
        track(sendOne());
      }, 1000 / rps);
      feedbackTick = setInterval(
        () => track(postFeedback(false)),
        Math.max(100, Math.min(feedbackDelayMs, 1000)),
      );
    },
    async stop() {
      stopped = true;
      clearInterval(tick);
      clearInterval(feedbackTick);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await postFeedback(true);
    },
    stats: () => ({ ...stats }),
  };
}
