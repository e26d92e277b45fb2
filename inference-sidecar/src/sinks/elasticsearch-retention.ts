/**
 * How the Elasticsearch sink enforces retention (issue #15 item 4), chosen once, at the sink's first use:
 *
 * - **ILM**, where the cluster has index lifecycle management: events go to daily indices named by the day of their
 *   own `@timestamp` (`<index>-yyyy.MM.dd`, UTC), so a replayed event lands where its first copy did and is
 *   overwritten (the "a replay never duplicates" promise of plain indices). The sink's index template for
 *   `<index>-*` gives each daily index the alias `<index>` (what the exporter reads, unchanged), the lifecycle
 *   policy `<index>-retention` and `index.lifecycle.parse_origination_date` (its age counts from the day in its
 *   name). The policy's delete phase starts at the retention age plus one day: the day's newest event is then as old
 *   as the age, so no event goes before it is `maxAge` old and none stays more than a day (and ILM's poll
 *   interval, 10 minutes by default) longer. The by-id sweep is skipped: the policy governs every daily index.
 * - **Sweep** everywhere else (the test cluster has no ILM, nor `_delete_by_query`): plain indices named `<index>`,
 *   expired events found by `@timestamp` and deleted by id (elasticsearch.ts, `expire`).
 *
 * ILM is taken only when all of these hold, each checked in this order, else the sweep, with the reason logged:
 * the sink installs its templates (`installTemplates` not false); retention is on and at least a day (the daily indices would otherwise keep events for much longer than the age);
 * `GET _ilm/status` answers with an operation mode (needs `manage_ilm` or `read_ilm`); neither index name is
 * already a concrete index (an alias cannot take its name; `GET _resolve/index` needs `view_index_metadata`);
 * `PUT _ilm/policy` is allowed (`manage_ilm`). A cluster that cannot be reached rejects the choice, and the next
 * use asks again.
 */
import { errors, type Client } from '@elastic/elasticsearch';
import { errorMessage } from './sink';

export const DAY_MS = 86_400_000;

/** The retention path of one sink: ILM with its policy, or the by-id sweep and why. */
export type RetentionPath = { kind: 'ilm'; policy: string } | { kind: 'sweep'; reason: string };

/** Name of the lifecycle policy of a sink whose inference index is `index` (both of its indices use it). */
export function retentionPolicyName(index: string): string {
  return `${index}-retention`;
}

/** `<index>-yyyy.MM.dd` of the event's `@timestamp` (UTC); an unreadable timestamp takes `nowMs`'s day. */
export function dailyIndexName(index: string, timestamp: string, nowMs: number = Date.now()): string {
  const parsed = Date.parse(timestamp);
  const day = new Date(Number.isNaN(parsed) ? nowMs : parsed).toISOString();
  return `${index}-${day.slice(0, 4)}.${day.slice(5, 7)}.${day.slice(8, 10)}`;
}

/** The policy body: nothing in the hot phase, delete at the age plus one day (the daily index's span). */
export function retentionPolicy(maxAgeMs: number): Record<string, unknown> {
  return {
    _meta: { managed_by: 'plumbline', max_age_seconds: Math.ceil(maxAgeMs / 1000) },
    phases: {
      hot: { min_age: '0ms', actions: {} },
      delete: { min_age: `${Math.ceil((maxAgeMs + DAY_MS) / 1000)}s`, actions: { delete: {} } },
    },
  };
}

function statusOf(error: unknown): number | undefined {
  return error instanceof errors.ResponseError ? error.statusCode : undefined;
}

/** True when `GET _ilm/status` answers with an operation mode; false when the cluster has no such API. */
async function clusterHasIlm(client: Client): Promise<boolean> {
  const answer = await client.transport.request<{ operation_mode?: unknown }>({
    method: 'GET',
    path: '/_ilm/status',
  });
  return typeof answer?.operation_mode === 'string';
}

/**
 * Decides the retention path of a sink writing `indices` with events kept `maxAgeMs` (undefined: retention off).
 * Installs the lifecycle policy when it picks ILM. Throws only when the cluster cannot be asked (unreachable,
 * 5xx): the caller asks again on its next use.
 */
export async function chooseRetentionPath(
  client: Client,
  indices: { inference: string; feedback: string },
  options: { maxAgeMs: number | undefined; installsTemplates: boolean },
): Promise<RetentionPath> {
  const { maxAgeMs } = options;
  if (maxAgeMs === undefined) return { kind: 'sweep', reason: 'retention is off' };
  if (!options.installsTemplates)
    return {
      kind: 'sweep',
      reason: "installTemplates is false: the daily indices need the sink's templates",
    };
  if (maxAgeMs < DAY_MS)
    return {
      kind: 'sweep',
      reason: 'the retention age is under a day, shorter than the daily indices ILM would delete',
    };
  try {
    if (!(await clusterHasIlm(client)))
      return { kind: 'sweep', reason: 'the cluster has no index lifecycle management' };
  } catch (error) {
    const status = statusOf(error);
    if (status === 401 || status === 403)
      return {
        kind: 'sweep',
        reason: `not allowed to read the ILM status (needs manage_ilm): HTTP ${status}: ${errorMessage(error)}`,
      };
    // No such endpoint (400/404/405 and the like): a cluster without ILM.
    if (status !== undefined && status < 500)
      return { kind: 'sweep', reason: 'the cluster has no index lifecycle management' };
    throw error;
  }
  try {
    const resolved = await client.indices.resolveIndex({
      name: [indices.inference, indices.feedback],
      expand_wildcards: 'all',
    });
    const concrete = resolved.indices
      .map((index) => index.name)
      .filter((name) => name === indices.inference || name === indices.feedback);
    if (concrete.length > 0)
      return {
        kind: 'sweep',
        reason: `${concrete.join(' and ')} already exist as plain indices; their names cannot become the daily indices' aliases`,
      };
  } catch (error) {
    const status = statusOf(error);
    if (status === undefined || status >= 500) throw error;
    if (status !== 404)
      return {
        kind: 'sweep',
        reason: `cannot check the index names (needs view_index_metadata): HTTP ${status}: ${errorMessage(error)}`,
      };
  }
  const policy = retentionPolicyName(indices.inference);
  try {
    await client.transport.request({
      method: 'PUT',
      path: `/_ilm/policy/${encodeURIComponent(policy)}`,
      body: { policy: retentionPolicy(maxAgeMs) },
    });
  } catch (error) {
    const status = statusOf(error);
    if (status === undefined || status >= 500) throw error;
    return {
      kind: 'sweep',
      reason: `could not install the lifecycle policy ${policy} (needs manage_ilm): HTTP ${status}: ${errorMessage(error)}`,
    };
  }
  return { kind: 'ilm', policy };
}
