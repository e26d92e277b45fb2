/**
 * Elasticsearch sink: one `_bulk` request per batch, `_id` = event_id with op_type `index`, so a replay of a
 * batch that was in fact written overwrites the same document instead of adding a second one.
 *
 * Why plain indices (with index templates) and not data streams: a data stream accepts only op_type `create`
 * and writes to its current backing index, so after a rollover a replayed event with the same `_id` lands in
 * the new backing index as a duplicate — `_id` is unique per index, not per stream. Plain indices keep the
 * "a replay never duplicates" promise. Inference and feedback events go to two indices (names configurable),
 * each with an index template of explicit mappings (elasticsearch-templates.ts), installed before the first write.
 *
 * Retention (elasticsearch-retention.ts): where the cluster has index lifecycle management, the sink writes daily
 * indices `<index>-yyyy.MM.dd` (by each event's own `@timestamp`, so a replay still overwrites) under a lifecycle
 * policy and aliased `<index>`; everywhere else, plain indices and `expire` deletes old events by id. Chosen once,
 * at the first write or retention pass, and logged.
 *
 * Outcomes: a request that fails as a whole (connection refused, timeout, 429, 5xx, auth) → every record
 * retryable; per item, 429 / 5xx / 408 and cluster blocks → retryable; any other error (a mapping conflict) →
 * rejected.
 */
import { Client, errors, type estypes } from '@elastic/elasticsearch';
import type { Logger } from 'pino';
import { elasticsearchClientSettings, type ElasticsearchConnection } from '@plumbline/service-kit';
import { eventBytes } from '@plumbline/spool';
import {
  errorMessage,
  retryable,
  sinkResult,
  type Rejection,
  type Sink,
  type SinkRecord,
  type SinkResult,
} from './sink';
import { feedbackTemplate, inferenceTemplate, type TemplateLifecycle } from './elasticsearch-templates';
import { chooseRetentionPath, dailyIndexName, type RetentionPath } from './elasticsearch-retention';

/**
 * `url` (e.g. http://127.0.0.1:9200) and the shared security keys (API key or basic auth, CA file or fingerprint:
 * service-kit's ElasticsearchConnection; files are read when the sink is created).
 */
export interface ElasticsearchSinkOptions extends ElasticsearchConnection {
  /** Index of inference events. @default 'plumbline-inference' */
  inferenceIndex?: string;
  /** Index of feedback events. @default 'plumbline-feedback' */
  feedbackIndex?: string;
  /** Timeout of one bulk request. @default 10000 */
  requestTimeoutMs?: number;
  /** Install (overwrite) the index templates before the first write. @default true */
  installTemplates?: boolean;
  /** number_of_replicas in the templates; unset keeps the cluster default. */
  replicas?: number;
  /** Sink name (metric label, spool stream). @default 'elasticsearch' */
  name?: string;
  /**
   * Retention age (the pipeline passes `retention.maxAgeSeconds`): with it, a cluster with index lifecycle
   * management deletes old events by policy instead of `expire` (elasticsearch-retention.ts). @default none
   */
  retentionMaxAgeMs?: number;
}

export const DEFAULT_INFERENCE_INDEX = 'plumbline-inference';
export const DEFAULT_FEEDBACK_INDEX = 'plumbline-feedback';

/** Ids per page of a retention pass. */
const EXPIRE_PAGE = 1000;

const RETRYABLE_ITEM_STATUS = (status: number) => status === 429 || status === 408 || status >= 500;

export interface ElasticsearchSink extends Sink {
  readonly client: Client;
  readonly indices: { inference: string; feedback: string };
  /** The retention path, chosen (once) on the first call, write or retention pass; rejects when unreachable. */
  retentionPath(): Promise<RetentionPath>;
}

const ACTION_END = Buffer.from('}}\n', 'utf8');
const NEWLINE = 0x0a;

/**
 * The `_bulk` body of `records` in one Buffer: per record `<prefix><JSON of event_id>}}\n<event JSON>\n`, where the
 * prefix (`{"index":{"_index":…,"_id":`) is `prefixOf(record)`. Sized first, then written in place: no string of
 * the whole body, no per-record Buffers.
 */
export function bulkBody(records: readonly SinkRecord[], prefixOf: (record: SinkRecord) => Buffer): Buffer {
  const ids = new Array<string>(records.length);
  const actions = new Array<Buffer>(records.length);
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    ids[i] = JSON.stringify(record.event.event_id);
    actions[i] = prefixOf(record);
    total +=
      actions[i].length + Buffer.byteLength(ids[i]) + ACTION_END.length + eventBytes(record).length + 1;
  }
  const body = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    at += actions[i].copy(body, at);
    at += body.write(ids[i], at, 'utf8');
    at += ACTION_END.copy(body, at);
    at += eventBytes(records[i]).copy(body, at);
    body[at++] = NEWLINE;
  }
  return body;
}

export function createElasticsearchSink(
  options: ElasticsearchSinkOptions,
  logger?: Logger,
): ElasticsearchSink {
  const indices = {
    inference: options.inferenceIndex ?? DEFAULT_INFERENCE_INDEX,
    feedback: options.feedbackIndex ?? DEFAULT_FEEDBACK_INDEX,
  };
  const client = new Client({
    ...elasticsearchClientSettings(options, 'sinks.elasticsearch'),
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    maxRetries: 0, // the pipeline's retry and spool decorators own retrying
  });
  let templatesInstalled = options.installTemplates === false;
  /** `{"index":{"_index":"<index>","_id":` of each index, as the bytes that start its action lines. */
  const actionPrefix = (index: string): Buffer =>
    Buffer.from(`{"index":{"_index":${JSON.stringify(index)},"_id":`, 'utf8');
  const prefixes = { inference: actionPrefix(indices.inference), feedback: actionPrefix(indices.feedback) };
  /** On the ILM path: the action prefix of each daily index written so far. */
  const dailyPrefixes = new Map<string, Buffer>();
  const dailyPrefix = (index: string, timestamp: string): Buffer => {
    const name = dailyIndexName(index, timestamp);
    let prefix = dailyPrefixes.get(name);
    if (prefix === undefined) {
      prefix = actionPrefix(name);
      dailyPrefixes.set(name, prefix);
    }
    return prefix;
  };

  let chosenPath: Promise<RetentionPath> | null = null;
  /** ILM or the sweep, decided once; a failed attempt (cluster unreachable) is forgotten so the next use asks again. */
  function retentionPath(): Promise<RetentionPath> {
    chosenPath ??= chooseRetentionPath(client, indices, {
      maxAgeMs: options.retentionMaxAgeMs,
      installsTemplates: options.installTemplates !== false,
    }).then(
      (path) => {
        if (path.kind === 'ilm')
          logger?.info(
            { indices, policy: path.policy },
            'elasticsearch retention: index lifecycle policy on daily indices (no by-id sweep)',
          );
        else if (options.retentionMaxAgeMs !== undefined)
          logger?.info({ indices, reason: path.reason }, 'elasticsearch retention: by-id sweep');
        return path;
      },
      (error: unknown) => {
        chosenPath = null;
        throw error;
      },
    );
    return chosenPath;
  }

  /**
   * Installs both templates. Unreachable → throws (the batch is retried). Refused (400: a template of someone
   * else overlaps at the same priority) → logged as an error and not retried: the events still flow, with the
   * mappings of whatever template applies, instead of piling up in the spool behind a template.
   */
  async function installTemplates(lifecycle: TemplateLifecycle | undefined): Promise<void> {
    const suffix = lifecycle ? 'daily-template' : 'template';
    const templates = [
      {
        name: `${indices.inference}-${suffix}`,
        ...inferenceTemplate(indices.inference, options.replicas, lifecycle),
      },
      {
        name: `${indices.feedback}-${suffix}`,
        ...feedbackTemplate(indices.feedback, options.replicas, lifecycle),
      },
    ];
    for (const template of templates) {
      try {
        await client.indices.putIndexTemplate(template);
      } catch (error) {
        if (!(error instanceof errors.ResponseError) || error.statusCode !== 400) throw error;
        logger?.error(
          { template: template.name, err: errorMessage(error) },
          'elasticsearch refused the index template; writing without it',
        );
      }
    }
    templatesInstalled = true;
    logger?.info({ indices }, 'elasticsearch index templates installed');
  }

  return {
    name: options.name ?? 'elasticsearch',
    client,
    indices,
    retentionPath,
    async write(records: readonly SinkRecord[]): Promise<SinkResult> {
      if (records.length === 0) return sinkResult([], []);
      try {
        const path = await retentionPath();
        const daily = path.kind === 'ilm';
        if (!templatesInstalled) await installTemplates(daily ? { policy: path.policy } : undefined);
        // The NDJSON body is built here, as one Buffer, from each event's shared bytes (eventBytes), not
        // re-serialised by the client: an action line and the event's JSON per record.
        const body = bulkBody(records, (record) =>
          daily ? dailyPrefix(indices[record.kind], record.event['@timestamp']) : prefixes[record.kind],
        );
        const response = await client.transport.request<estypes.BulkResponse>({
          method: 'POST',
          path: '/_bulk',
          // Only what the outcome needs: a 500-item response shrinks from ~100 KB to ~12 KB (less for
          // Elasticsearch to write and for this thread to parse).
          querystring: { filter_path: 'errors,items.*.status,items.*.error' },
          bulkBody: body,
        });
        if (!response.errors) return sinkResult([], []);
        const retry: SinkRecord[] = [];
        const rejected: Rejection[] = [];
        let firstRetryError: string | undefined;
        response.items.forEach((item, i) => {
          const result = item.index ?? item.create;
          const record = records[i];
          if (!result || !result.error) return;
          const detail = `${result.status} ${result.error.type}: ${result.error.reason ?? ''}`.trim();
          // A cluster block (an operator's write block, the flood-stage disk block) lifts again: worth a retry.
          if (RETRYABLE_ITEM_STATUS(result.status) || result.error.type === 'cluster_block_exception') {
            retry.push(record);
            firstRetryError ??= detail;
          } else {
            rejected.push({ record, reason: 'rejected', error: detail });
          }
        });
        return sinkResult(retry, rejected, firstRetryError);
      } catch (error) {
        const status = error instanceof errors.ResponseError ? error.statusCode : undefined;
        return retryable(records, status ? `HTTP ${status}: ${errorMessage(error)}` : error);
      }
    },
    /**
     * Retention where the lifecycle policy does not govern the indices (the sweep path; on any cluster, reindex
     * module or not: the test cluster has neither ILM nor _delete_by_query): the ids of events older than the cutoff, a page at a time, deleted with _bulk and made
     * visible before the next page. Needs `read` and `delete` on both indices (docs/security.md).
     */
    async expire(cutoffMs: number): Promise<number> {
      // The lifecycle policy deletes the daily indices: nothing to sweep.
      if ((await retentionPath()).kind === 'ilm') return 0;
      const query = { range: { '@timestamp': { lt: new Date(cutoffMs).toISOString() } } };
      let deleted = 0;
      for (;;) {
        const page = await client.search({
          index: [indices.inference, indices.feedback],
          ignore_unavailable: true,
          allow_no_indices: true,
          query,
          size: EXPIRE_PAGE,
          _source: false,
          sort: ['_doc'],
        });
        const hits = page.hits.hits;
        if (hits.length === 0) return deleted;
        const result = await client.bulk({
          refresh: 'wait_for',
          operations: hits.map((hit) => ({ delete: { _index: hit._index, _id: hit._id } })),
        });
        const gone = result.items.filter((item) => {
          const status = item.delete?.status ?? 0;
          return status === 200 || status === 404;
        }).length;
        deleted += result.items.filter((item) => item.delete?.status === 200).length;
        // Nothing could be deleted on this page (refused): stop rather than read the same page again.
        if (gone === 0)
          throw new Error(
            `elasticsearch refused to delete expired events: ${JSON.stringify(result.items[0])}`,
          );
      }
    },
    async close(): Promise<void> {
      await client.close();
    },
  };
}
