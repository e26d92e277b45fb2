import { Client } from '@elastic/elasticsearch';
import { elasticsearchClientSettings, type ElasticsearchConnection } from '@plumbline/service-kit';
import { indexExists } from '../io/elasticsearch-index-exists';
import { checkBaselineKey, summarize, type BaselineStore, type StoredBaseline } from './store';

export const BASELINE_INDEX = 'plumbline-baselines';

/**
 * Baselines in Elasticsearch: index `plumbline-baselines`, one document per (model, version) with id
 * `<model>@<version>`; `model`, `version` are keywords, `storedAt` a date, and the profile is stored but not indexed
 * (`enabled: false`), so feature names never turn into mapping fields.
 */
export function createElasticsearchBaselineStore(
  options: ElasticsearchConnection & { index?: string; client?: Client },
): BaselineStore {
  const index = options.index ?? BASELINE_INDEX;
  const client = options.client ?? new Client(elasticsearchClientSettings(options, 'baselineStore'));
  let ready: Promise<void> | null = null;

  async function ensureIndex(): Promise<void> {
    ready ??= (async () => {
      const exists = await indexExists(client, index);
      if (exists) return;
      try {
        await client.indices.create({
          index,
          settings: { number_of_shards: 1, number_of_replicas: 0 },
          mappings: {
            dynamic: 'strict',
            properties: {
              model: { type: 'keyword' },
              version: { type: 'keyword' },
              storedAt: { type: 'date' },
              source: { type: 'keyword' },
              profile: { type: 'object', enabled: false },
            },
          },
        });
      } catch (err) {
        // Another writer created it between our check and create.
        if (!String((err as Error).message).includes('resource_already_exists_exception')) throw err;
      }
    })().catch((err: unknown) => {
      ready = null;
      throw err;
    });
    return ready;
  }

  return {
    async put(baseline) {
      checkBaselineKey('model', baseline.model);
      checkBaselineKey('version', baseline.version);
      await ensureIndex();
      const stored: StoredBaseline = { ...baseline, storedAt: new Date().toISOString() };
      await client.index({
        index,
        id: `${baseline.model}@${baseline.version}`,
        document: stored,
        refresh: 'wait_for',
      });
      return stored;
    },
    async get(model, version) {
      await ensureIndex();
      if (version !== undefined) {
        try {
          const r = await client.get<StoredBaseline>({
            index,
            id: `${checkBaselineKey('model', model)}@${checkBaselineKey('version', version)}`,
          });
          return r._source ?? null;
        } catch (err) {
          if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return null;
          throw err;
        }
      }
      const r = await client.search<StoredBaseline>({
        index,
        size: 1,
        query: { term: { model } },
        sort: [{ storedAt: 'desc' }],
      });
      return r.hits.hits[0]?._source ?? null;
    },
    async list(model) {
      await ensureIndex();
      const r = await client.search<StoredBaseline>({
        index,
        size: 1000,
        query: model === undefined ? { match_all: {} } : { term: { model } },
        sort: [{ model: 'asc' }, { storedAt: 'desc' }],
      });
      return r.hits.hits.flatMap((h) => (h._source ? [summarize(h._source)] : []));
    },
    async close() {
      if (!options.client) await client.close();
    },
  };
}
