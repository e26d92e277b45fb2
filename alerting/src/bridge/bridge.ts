/**
 * The alert → retrain bridge: an Alertmanager webhook receiver that applies the retraining policy (policy.ts) and
 * calls the exporter's retrain endpoint (POST /api/retrain, bearer token, Idempotency-Key).
 *
 *   POST /alertmanager   Alertmanager webhook payload v4 → 200 { decisions: [...] }
 *   GET  /healthz        200
 *
 * With an API token (PLUMBLINE_API_TOKEN), POST /alertmanager needs it as a bearer token (401 otherwise);
 * alertmanager.yml sends it from a file with `http_config.authorization.credentials_file`.
 *
 * Answers 200 once every alert is decided, also when the endpoint refused (Alertmanager would otherwise resend and
 * the decision would not change); answers 502 when the retrain endpoint could not be reached, so Alertmanager
 * retries. Bad payloads get 400 with the field that is wrong. Routing, 404 / 405, the body limit and 500s go
 * through service-kit's createHttpHandler; errors are `{ "error": message }` (Alertmanager reads only the status),
 * with the BRIDGE_ERR_* codes (docs/errors.md) in the log.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpHandler, HttpError, type RequestContext } from '@plumbline/service-kit';
import type { Logger } from 'pino';
import { request } from 'undici';
import { evaluateTrigger, type TriggerDecision, type TriggerReadings, type TriggerSpec } from './triggers';
import {
  decide,
  parsePayload,
  preCheck,
  type AlertmanagerAlert,
  type QualitySnapshot,
  type RetrainPolicy,
} from './policy';

export interface BridgeConfig {
  /** Retrain endpoint, e.g. http://exporter:9464/api/retrain. */
  retrainUrl: string;
  /** Bearer token of the retrain endpoint. */
  retrainToken: string;
  /** The bearer token POST /alertmanager needs (Alertmanager's `http_config.authorization`). @default none: open */
  apiToken?: string;
  policy: RetrainPolicy;
  /** Timeout of one call to the retrain endpoint or Prometheus. @default 10000 */
  timeoutMs: number;
  /** Models the scheduled triggers (triggers.ts) watch. @default none */
  models?: readonly string[];
  /** Retraining triggers beyond drift, checked every `triggerIntervalSeconds` for each of `models`. @default none */
  triggers?: readonly TriggerSpec[];
  /** @default 300 */
  triggerIntervalSeconds?: number;
}

export interface BridgeDeps {
  /** Reads accuracy and window size of a model (Prometheus in production). */
  quality(model: string): Promise<QualitySnapshot>;
  /** What a scheduled trigger reads for a model (Prometheus in production); needed with `triggers`. */
  readings?(model: string, spec: TriggerSpec, lastRetrainMs: number | null): Promise<TriggerReadings>;
  /** The model's last successful retrain, epoch ms, or null. @default the retrain endpoint's status route */
  lastRetrain?(model: string): Promise<number | null>;
  now?: () => number;
  log?: Logger;
}

export interface DecisionRecord {
  fingerprint: string;
  alertname: string | null;
  model: string | null;
  action: 'trigger' | 'skip';
  reason: string;
  /** For triggers: the retrain endpoint's outcome (triggered, cooldown, duplicate, failed, ...). */
  outcome?: string;
  httpStatus?: number;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** Error codes of the bridge (docs/errors.md); the body says only the message, the log says the code. */
export const BRIDGE_ERRORS = {
  /** 400: not JSON or not an Alertmanager payload; 413: a body over 1 MiB. */
  badRequest: 'BRIDGE_ERR_BAD_REQUEST',
  notFound: 'BRIDGE_ERR_NOT_FOUND',
  methodNotAllowed: 'BRIDGE_ERR_METHOD',
  /** 401: POST /alertmanager without the API token as a bearer token. */
  unauthorized: 'BRIDGE_ERR_UNAUTHORIZED',
  /** 502: the retrain endpoint or Prometheus could not be reached; Alertmanager retries. */
  upstream: 'BRIDGE_ERR_UPSTREAM',
  internal: 'BRIDGE_ERR_INTERNAL',
} as const;

/** One scheduled trigger's decision for one model. */
export type TriggerRecord = TriggerDecision & { outcome?: string; httpStatus?: number };

export interface Bridge {
  /** Decides (and triggers) for one payload; exposed for tests and embedding. */
  handleAlerts(alerts: AlertmanagerAlert[]): Promise<DecisionRecord[]>;
  /** Checks every scheduled trigger for every watched model once (the timer calls it); exposed for tests. */
  checkTriggers(): Promise<TriggerRecord[]>;
  server: Server;
}

export function createBridge(config: BridgeConfig, deps: BridgeDeps): Bridge {
  const now = deps.now ?? Date.now;
  const lastTrigger = new Map<string, number>();
  const startedMs = now();
  /** Per model and trigger kind: when it last fired (its own cooldown). */
  const lastFired = new Map<string, number>();

  async function lastRetrainFromStatus(model: string): Promise<number | null> {
    const url = `${config.retrainUrl.replace(/\/+$/, '')}/status?model=${encodeURIComponent(model)}`;
    const res = await request(url, {
      headers: { authorization: `Bearer ${config.retrainToken}` },
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
    });
    const body = (await res.body.json().catch(() => null)) as {
      last?: { outcome?: string; at?: string } | null;
    } | null;
    if (res.statusCode !== 200) throw new Error(`retrain status answered ${res.statusCode}`);
    const last = body?.last;
    return last && last.outcome === 'triggered' && last.at ? Date.parse(last.at) : null;
  }

  async function checkTriggers(): Promise<TriggerRecord[]> {
    const out: TriggerRecord[] = [];
    const triggers = config.triggers ?? [];
    if (triggers.length === 0) return out;
    for (const model of config.models ?? []) {
      const lastRetrain = await (deps.lastRetrain ?? lastRetrainFromStatus)(model);
      for (const spec of triggers) {
        const key = `${model}\u0000${spec.kind}`;
        const readings = deps.readings ? await deps.readings(model, spec, lastRetrain) : {};
        const decision = evaluateTrigger(
          spec,
          model,
          { ...readings, lastRetrainMs: readings.lastRetrainMs ?? lastRetrain },
          { nowMs: now(), lastFiredMs: lastFired.get(key), startedMs },
        );
        if (decision.action === 'skip') {
          out.push(decision);
          continue;
        }
        const result = await callRetrain(decision);
        if (result.status < 400 || result.status === 409 || result.status === 429) lastFired.set(key, now());
        out.push({ ...decision, outcome: result.outcome, httpStatus: result.status });
        // One retrain per model per check: the next trigger of this model waits for the next round.
        if (result.status < 400) break;
      }
    }
    for (const d of out)
      deps.log?.info({ trigger: d }, `retrain bridge: ${d.action} ${d.model} (${d.trigger}): ${d.reason}`);
    return out;
  }

  async function callRetrain(d: { model: string; reason: string; idempotencyKey: string }) {
    const res = await request(config.retrainUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${config.retrainToken}`,
        'content-type': 'application/json',
        'idempotency-key': d.idempotencyKey,
      },
      body: JSON.stringify({ model: d.model, reason: d.reason, requestedBy: 'alertmanager' }),
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
    });
    const text = await res.body.text();
    let outcome = `http ${res.statusCode}`;
    try {
      const parsed = JSON.parse(text) as { outcome?: unknown; error?: unknown };
      if (typeof parsed.outcome === 'string') outcome = parsed.outcome;
      else if (typeof parsed.error === 'string') outcome = parsed.error;
    } catch {
      // not JSON: keep the status
    }
    return { status: res.statusCode, outcome };
  }

  async function handleAlerts(alerts: AlertmanagerAlert[]): Promise<DecisionRecord[]> {
    const out: DecisionRecord[] = [];
    // One alert at a time: two drift alerts of one model in one payload must not both pass the cooldown.
    for (const alert of alerts) {
      const base = { fingerprint: alert.fingerprint, alertname: alert.labels.alertname ?? null };
      const pre = preCheck(alert, config.policy, lastTrigger.get(alert.labels.model ?? ''), now());
      if (!pre.ok) {
        out.push({ ...base, model: pre.decision.model, action: 'skip', reason: pre.decision.reason });
        continue;
      }
      const decision = decide(alert, pre.model, await deps.quality(pre.model), config.policy);
      if (decision.action === 'skip') {
        out.push({ ...base, model: decision.model, action: 'skip', reason: decision.reason });
        continue;
      }
      const result = await callRetrain(decision);
      // Anything but a refusal starts the cooldown: a trigger, a duplicate, or the endpoint's own cooldown.
      if (result.status < 400 || result.status === 409 || result.status === 429)
        lastTrigger.set(pre.model, now());
      out.push({
        ...base,
        model: decision.model,
        action: 'trigger',
        reason: decision.reason,
        outcome: result.outcome,
        httpStatus: result.status,
      });
    }
    for (const d of out)
      deps.log?.info({ decision: d }, `retrain bridge: ${d.action} ${d.model ?? '-'}: ${d.reason}`);
    return out;
  }

  async function alertmanager(ctx: RequestContext): Promise<void> {
    const body = await ctx.readJson({ invalidMessage: (detail) => `body is not JSON: ${detail}` });
    let payload;
    try {
      payload = parsePayload(body);
    } catch (err) {
      throw new HttpError(400, BRIDGE_ERRORS.badRequest, (err as Error).message);
    }
    let decisions: DecisionRecord[];
    try {
      decisions = await handleAlerts(payload.alerts);
    } catch (err) {
      deps.log?.warn(
        { err, code: BRIDGE_ERRORS.upstream },
        'retrain bridge: retrain endpoint or Prometheus unreachable',
      );
      throw new HttpError(502, BRIDGE_ERRORS.upstream, `upstream unreachable: ${(err as Error).message}`);
    }
    ctx.send(200, { decisions });
  }

  const server = createServer(
    createHttpHandler({
      codes: BRIDGE_ERRORS,
      maxBodyBytes: MAX_BODY_BYTES,
      errorBody: ({ message }) => ({ error: message }),
      auth: { token: config.apiToken },
      onError: (err) =>
        deps.log?.error({ err, code: BRIDGE_ERRORS.internal }, 'retrain bridge: request failed'),
      routes: [
        { method: 'GET', path: '/healthz', auth: 'public', handle: (ctx) => ctx.send(200, { status: 'ok' }) },
        { method: 'POST', path: '/alertmanager', handle: alertmanager },
      ],
    }),
  );
  return { handleAlerts, checkTriggers, server };
}

/** Starts the bridge on host:port (0 = any free port); resolves with its URL. */
export async function startBridge(
  config: BridgeConfig,
  deps: BridgeDeps,
  listen: { host: string; port: number } = { host: '127.0.0.1', port: 0 },
): Promise<Bridge & { url: string; close(): Promise<void> }> {
  const bridge = createBridge(config, deps);
  await new Promise<void>((resolve, reject) => {
    bridge.server.once('error', reject);
    bridge.server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = bridge.server.address() as AddressInfo;
  // The scheduled triggers: one check per interval, never two at once; a failed check is logged and retried.
  let timer: NodeJS.Timeout | null = null;
  if ((config.triggers?.length ?? 0) > 0 && (config.models?.length ?? 0) > 0) {
    let running = false;
    timer = setInterval(
      () => {
        if (running) return;
        running = true;
        bridge
          .checkTriggers()
          .catch((err: unknown) =>
            deps.log?.warn({ err, code: BRIDGE_ERRORS.upstream }, 'retrain bridge: trigger check failed'),
          )
          .finally(() => {
            running = false;
          });
      },
      (config.triggerIntervalSeconds ?? 300) * 1000,
    );
    timer.unref();
  }
  return {
    ...bridge,
    url: `http://${listen.host}:${port}`,
    close: () => {
      if (timer) clearInterval(timer);
      return new Promise<void>((resolve) => bridge.server.close(() => resolve()));
    },
  };
}
