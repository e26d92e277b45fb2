/**
 * Fault tests through the whole sidecar: the built `plumbline sidecar` in a child process in front of a real
 * HTTP model server, writing to the harness' real Elasticsearch. Run `npm run build` first (`npm test` does).
 */
import { Client } from '@elastic/elasticsearch';
import { startElasticsearch, type ElasticsearchHandle } from '@plumbline/harness';
import { openSpoolReader } from '@plumbline/spool';
import { tempDir, waitFor } from './helpers';
import { countDocs, distinctRequestIds } from './int-helpers';
import {
  assertCliBuilt,
  infer,
  scrape,
  startSidecarProcess,
  startV2Upstream,
  type SidecarProcess,
} from './sidecar-process';

jest.setTimeout(300_000);

const INDEX = 'plumbline-inference';

describe('the sidecar under faults (child process, real Elasticsearch)', () => {
  let es: ElasticsearchHandle;
  let client: Client;
  let upstream: Awaited<ReturnType<typeof startV2Upstream>>;
  let tmp: ReturnType<typeof tempDir>;
  const running: SidecarProcess[] = [];

  beforeAll(async () => {
    assertCliBuilt();
    es = await startElasticsearch();
    client = new Client({ node: es.url });
    upstream = await startV2Upstream();
  }, 300_000);
  afterAll(async () => {
    for (const s of running) s.child.kill('SIGKILL');
    await upstream?.close();
    await client?.close();
    await es?.stop();
  });
  beforeEach(async () => {
    tmp = tempDir('plumbline-sidecar-faults-');
    await client.indices.delete({ index: INDEX, ignore_unavailable: true });
  });
  afterEach(() => tmp.cleanup());

  const config = () => ({
    upstream: upstream.url,
    sinks: { elasticsearch: { url: es.url }, spoolDir: tmp.dir, batchSize: 100, flushIntervalMs: 100 },
  });

  async function start(): Promise<SidecarProcess> {
    const s = await startSidecarProcess(config(), tmp.dir);
    running.push(s);
    return s;
  }

  /** Sends requests `from`..`to`-1, `concurrency` at a time; returns their statuses. */
  async function load(url: string, from: number, to: number, progress = { sent: 0 }): Promise<number[]> {
    const statuses: number[] = [];
    let next = from;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < to) {
          progress.sent++;
          statuses.push(await infer(url, next++));
        }
      }),
    );
    return statuses;
  }

  it('Elasticsearch stopped during load: no client request fails, and afterwards documents == requests, none twice', async () => {
    const sidecar = await start();
    const statuses = await load(sidecar.url, 0, 200);
    await waitFor(async () => (await countDocs(client, INDEX)) > 0, 'first documents', 60_000);
    await es.stop();
    statuses.push(...(await load(sidecar.url, 200, 500)));
    await waitFor(
      async () => (await scrape(sidecar.adminUrl, 'plumbline_sidecar_events_spooled_total')) > 0,
      'events spooled while Elasticsearch is down',
    );
    const restarted = es.restart();
    statuses.push(...(await load(sidecar.url, 500, 600)));
    await restarted;
    statuses.push(...(await load(sidecar.url, 600, 700)));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await waitFor(
      async () => (await countDocs(client, INDEX)) >= 700,
      'every request in Elasticsearch',
      180_000,
    );
    expect(await countDocs(client, INDEX)).toBe(700);
    expect(await distinctRequestIds(client, INDEX)).toBe(700);
    const spooled = await scrape(sidecar.adminUrl, 'plumbline_sidecar_events_spooled_total');
    await waitFor(
      async () => (await scrape(sidecar.adminUrl, 'plumbline_sidecar_events_replayed_total')) === spooled,
      'replay counted',
    );
    expect(await scrape(sidecar.adminUrl, 'plumbline_sidecar_events_dropped_total')).toBe(0);
    sidecar.child.kill('SIGTERM');
    expect(await sidecar.exited).toBe(0);
  });

  it('sidecar SIGKILLed mid-load: the restarted sidecar replays its spool, nothing spooled is lost, nothing is duplicated', async () => {
    await es.stop();
    const first = await start();
    // Phase 1 while Elasticsearch is down: every event ends up durably in the spool.
    const phase1 = await load(first.url, 0, 300);
    expect(phase1.filter((s) => s !== 200)).toEqual([]);
    await waitFor(
      async () => (await scrape(first.adminUrl, 'plumbline_sidecar_events_spooled_total')) === 300,
      'phase 1 spooled',
      60_000,
    );
    // Phase 2: SIGKILL while requests are in flight.
    const progress = { sent: 0 };
    const phase2 = load(first.url, 300, 600, progress);
    await waitFor(() => progress.sent >= 80, 'load under way');
    first.child.kill('SIGKILL');
    await first.exited;
    await phase2;

    // What the spool holds after the kill (torn tail, if any, is skipped by the reader).
    const spooledIds = new Set<string>();
    for await (const e of openSpoolReader(tmp.dir, { stream: 'sinks/elasticsearch' }).entries()) {
      spooledIds.add(e.event.request_id);
    }
    for (let i = 0; i < 300; i++) expect(spooledIds.has(`load-${i}`)).toBe(true);

    await es.restart();
    const second = await start();
    await waitFor(
      async () => (await countDocs(client, INDEX)) >= spooledIds.size,
      'spool replayed after restart',
      180_000,
    );
    await waitFor(
      async () => (await scrape(second.adminUrl, 'plumbline_sidecar_spool_bytes')) === 0,
      'spool drained',
    );
    const docs = await countDocs(client, INDEX);
    expect(docs).toBe(spooledIds.size);
    expect(await distinctRequestIds(client, INDEX)).toBe(docs);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
