import { sharedElasticsearch } from '@plumbline/harness';
import { buildReferenceProfile } from '../drift/in-memory-profile-builder';
import { createDriftDetector } from '../drift/detector';
import { createElasticsearchBaselineStore } from './elasticsearch-store';

jest.setTimeout(180_000);

describe('Elasticsearch baseline store (real Elasticsearch from the harness)', () => {
  test('put / get by version / latest / list, and the stored profile drives a detector', async () => {
    const { url } = await sharedElasticsearch();
    const index = `plumbline-baselines-test-${process.pid}-${Date.now()}`;
    const store = createElasticsearchBaselineStore({ url, index });
    try {
      const profile = buildReferenceProfile({
        x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        c: ['a', 'b', 'a', 'a', 'b', 'a', 'b', 'a', 'a', 'b'],
      });
      await store.put({ model: 'churn', version: '1.0.0', source: 'train.csv', profile });
      await new Promise((r) => setTimeout(r, 5));
      await store.put({ model: 'churn', version: '1.1.0', source: 'train2.csv', profile });
      await store.put({ model: 'other', version: '1', source: 'o.csv', profile });
      const v1 = await store.get('churn', '1.0.0');
      expect(v1!.source).toBe('train.csv');
      expect(v1!.profile).toEqual(JSON.parse(JSON.stringify(profile)));
      expect((await store.get('churn'))!.version).toBe('1.1.0');
      expect(await store.get('churn', '9')).toBeNull();
      expect((await store.list('churn')).map((b) => b.version)).toEqual(['1.1.0', '1.0.0']);
      expect((await store.list()).length).toBe(3);
      const report = createDriftDetector(v1!.profile).evaluate({
        x: [1, 2, 3, 4, 5],
        c: ['a', 'b', 'a', 'b', 'a'],
      });
      expect(report.features.map((f) => f.drift)).toEqual([false, false]);
    } finally {
      await store.close?.();
      await fetch(`${url}/${index}`, { method: 'DELETE' });
    }
  });
});
