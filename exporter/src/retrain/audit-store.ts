/**
 * Where retrain audit events live: an Elasticsearch index (the default in a full deployment) or a JSON-lines
 * file when there is no Elasticsearch. Both answer "what was the last trigger of this model" so the cooldown
 * survives a restart.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { elasticsearchClientSettings, type ElasticsearchConnection } from '@plumbline/service-kit';
import { indexExists } from '../io/elasticsearch-index-exists';
import type { RetrainAuditEvent, RetrainOutcome } from './types';

export interface RetrainAuditStore {
  record(event: RetrainAuditEvent): Promise<void>;
  /** The latest event for `model` whose outcome is one of `outcomes`, or null. */
  latest(model: string, outcomes: readonly RetrainOutcome[]): Promise<RetrainAuditEvent | null>;
  close(): Promise<void>;
}

/** Appends one JSON object per line; reads the whole file for `latest` (audit trails of a few events a day). */
export function createFileAuditStore(path: string): RetrainAuditStore {
  return {
    async record(event) {
      await mkdir(dirname(path), { recursive: true });
      await appendFile(path, `${JSON.stringify(event)}\n`, 'utf8');
    },
    async latest(model, outcomes) {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      let found: RetrainAuditEvent | null = null;
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        let event: RetrainAuditEvent;
        try {
          event = JSON.parse(line) as RetrainAuditEvent;
        } catch {
          continue; // a torn last line after a crash; the rest of the trail is still good
        }
        if (event.model === model && outcomes.includes(event.outcome) && (!found || event.at >= found.at)) {
          found = event;
        }
      }
      return found;
    },
    async close() {},
  };
}

const MAPPINGS = {
  properties: {
    requestId: { type: 'keyword' },
    idempotencyKey: { type: 'keyword' },
    model: { type: 'keyword' },
    requestedBy: { type: 'keyword' },
    reason: { type: 'text' },
    at: { type: 'date' },
    outcome: { type: 'keyword' },
    webhookStatus: { type: 'integer' },
    detail: { type: 'text' },
  },
} as const;

/** Audit events as documents (id = requestId) in `index`, created with explicit keyword mappings. */
export function createElasticsearchAuditStore(
  options: ElasticsearchConnection & { index: string },
): RetrainAuditStore {
  const client = new Client({
    ...elasticsearchClientSettings(options, 'retrain.audit.elasticsearch'),
    requestTimeout: 10_000,
    maxRetries: 2,
  });
  let ready: Promise<void> | undefined;
  const ensureIndex = (): Promise<void> =>
    (ready ??= (async () => {
      const exists = await indexExists(client, options.index);
      if (exists) return;
      try {
        await client.indices.create({ index: options.index, mappings: MAPPINGS });
      } catch (err) {
        // Another instance created it between exists() and create().
        if (!String((err as Error).message).includes('resource_already_exists_exception')) throw err;
      }
    })().catch((err: unknown) => {
      ready = undefined;
      throw err;
    }));
  return {
    async record(event) {
      await ensureIndex();
      await client.index({ index: options.index, id: event.requestId, document: event, refresh: 'wait_for' });
    },
    async latest(model, outcomes) {
      await ensureIndex();
      const res = await client.search<RetrainAuditEvent>({
        index: options.index,
        size: 1,
        sort: [{ at: { order: 'desc' } }],
        query: { bool: { filter: [{ term: { model } }, { terms: { outcome: [...outcomes] } }] } },
      });
      return res.hits.hits[0]?._source ?? null;
    },
    async close() {
      await client.close();
    },
  };
}
