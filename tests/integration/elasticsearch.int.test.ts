/**
 * Elasticsearch from the harness is real and usable: a document indexed through the official client is found by
 * a search, on both the shared and a dedicated instance; a dedicated instance restarts on the same port with its
 * data, and stopping it leaves no process behind.
 */
import { Client } from '@elastic/elasticsearch';
import {
  groupAlive,
  sharedElasticsearch,
  startElasticsearch,
  type ElasticsearchHandle,
} from '@plumbline/harness';

describe('shared Elasticsearch', () => {
  it('indexes a document and finds it by a full-text search', async () => {
    const { url } = await sharedElasticsearch();
    const client = new Client({ node: url });
    const index = `harness-es-${Date.now().toString(36)}`;
    try {
      await client.index({
        index,
        id: 'evt-1',
        document: { model: 'iris', message: 'drift detected on petal_length', value: 4.2 },
        refresh: 'wait_for',
      });
      const result = await client.search<{ model: string; value: number }>({
        index,
        query: { match: { message: 'petal_length' } },
      });
      expect(result.hits.hits.map((h) => h._id)).toEqual(['evt-1']);
      expect(result.hits.hits[0]?._source).toMatchObject({ model: 'iris', value: 4.2 });
    } finally {
      await client.indices.delete({ index, ignore_unavailable: true });
      await client.close();
    }
  });

  it('is the same instance on every call', async () => {
    const a = await sharedElasticsearch();
    const b = await sharedElasticsearch();
    expect(b.url).toBe(a.url);
  });
});

describe('dedicated Elasticsearch', () => {
  let es: ElasticsearchHandle;
  beforeAll(async () => {
    es = await startElasticsearch();
  });
  afterAll(async () => {
    await es?.stop();
  });

  it('restarts on the same port with its data, and stop() leaves no process', async () => {
    const client = new Client({ node: es.url });
    await client.index({ index: 'survives', id: 'a', document: { n: 1 }, refresh: 'wait_for' });
    const before = { url: es.url, pgid: es.pgid };

    await es.stop();
    expect(groupAlive(before.pgid)).toBe(false);
    await expect(client.info()).rejects.toThrow();

    await es.restart();
    expect(es.url).toBe(before.url);
    const doc = await client.get<{ n: number }>({ index: 'survives', id: 'a' });
    expect(doc._source).toEqual({ n: 1 });
    await client.close();
  });
});
