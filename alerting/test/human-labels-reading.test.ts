import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrometheusTriggerReadings } from '../src/bridge/prometheus-quality';
import { TriggerSpecSchema } from '../src/bridge/triggers';

// The humanLabels trigger reads the sidecars' count of human labels (reviews through the review API and labels
// posted to POST /feedback with source "human" alike), not only the review API's actions. The query is checked
// here; the counter itself by inference-sidecar/test/admin/human-labels-are-counted.test.ts.
describe('humanLabels readings', () => {
  let server: Server;
  let url: string;
  const queries: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      queries.push(new URL(req.url!, 'http://x').searchParams.get('query')!);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ value: [0, '41.6'] }] },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sums plumbline_sidecar_human_labels_total since the last retrain (all of it before the first)', async () => {
    const NOW = Date.UTC(2026, 0, 2);
    const read = createPrometheusTriggerReadings(url, 1000, () => NOW);
    const spec = TriggerSpecSchema.parse({ kind: 'humanLabels', count: 40 });
    expect(await read('iris', spec, NOW - 3_600_000)).toEqual({ humanLabels: 42 });
    expect(await read('iris', spec, null)).toEqual({ humanLabels: 42 });
    expect(queries).toEqual([
      'sum(increase(plumbline_sidecar_human_labels_total{model="iris"}[3600s]))',
      'sum(plumbline_sidecar_human_labels_total{model="iris"})',
    ]);
  });
});
