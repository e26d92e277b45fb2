/**
 * The bodies of the retrain endpoint (service.ts), written once: the service answers with them and the Grafana
 * plugin reads them through `@plumbline/exporter/retrain-types`. Types only — no imports, no runtime code — so the
 * browser bundle never pulls node code through this module.
 *
 *   POST /api/retrain                 RetrainRequest → RetrainResponse
 *   GET  /api/retrain/status?model=M                  → RetrainStatus
 *
 * Requests refused before a decision (400, 404, 405, 413, 500, and 401 on the status) answer
 * `{ error: { code, message } }` instead (docs/errors.md).
 */

export type RetrainOutcome = 'triggered' | 'cooldown' | 'duplicate' | 'unauthorized' | 'failed';

/** Body of POST /api/retrain. */
export interface RetrainRequest {
  /** 1-200 characters of letters, digits, _ . : / - */
  model: string;
  /** At least 3 characters; it goes into the audit trail. */
  reason: string;
  /** A retry with the same key replays the first answer. The `Idempotency-Key` header, when sent, wins. */
  idempotencyKey?: string;
  /** Used only when Grafana's proxy headers (X-Grafana-User, X-Grafana-Context) name no user. */
  requestedBy?: string;
}

/** One attempt, as the audit store records it. */
export interface RetrainAuditEvent {
  requestId: string;
  idempotencyKey: string | null;
  model: string;
  /** Grafana login of the person who clicked (from Grafana's proxy headers). */
  requestedBy: string;
  reason: string;
  /** ISO 8601. */
  at: string;
  outcome: RetrainOutcome;
  /** HTTP status of the pipeline webhook, when it was called. */
  webhookStatus: number | null;
  /** Human-readable detail: the error, or the remaining cooldown. */
  detail: string;
}

/** Body of GET /api/retrain/status, and `status` in every RetrainResponse. */
export interface RetrainStatus {
  model: string;
  cooldownSeconds: number;
  cooldownRemainingSeconds: number;
  inFlight: boolean;
  /** The last attempt that reached the pipeline webhook (triggered or failed), or null. */
  last: RetrainAuditEvent | null;
}

/**
 * Body of every decided answer to POST /api/retrain: 202 triggered, 409 or a replay (duplicate), 429 cooldown,
 * 401 unauthorized, 502 / 504 failed.
 */
export interface RetrainResponse {
  outcome: RetrainOutcome;
  requestId: string;
  message: string;
  status: RetrainStatus;
}
