// The embedded store as the pipeline writes it, read back by @plumbline/spool's reader (the reader's handling of
// torn and invalid records is tested in spool/test/spool-reader.test.ts).
import { Registry } from 'prom-client';
import { createPipeline } from '@plumbline/sidecar';
import { openSpoolReader, type SpoolEntry } from '@plumbline/spool';
import { makeEvents, makeFeedback, metricValue, tempDir } from './helpers';

async function collect(iterable: AsyncIterable<SpoolEntry>): Promise<SpoolEntry[]> {
  const out: SpoolEntry[] = [];
  for await (const entry of iterable) out.push(entry);
  return out;
}

describe('the embedded store and openSpoolReader', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('with only a spool dir, the pipeline keeps every event in the store, and readers see them all, typed', async () => {
    const registry = new Registry();
    const pipeline = createPipeline({ spool: { dir: tmp.dir }, registry, queue: { batchSize: 16 } });
    pipeline.submit(makeEvents(40));
    pipeline.submitFeedback([makeFeedback(3)]);
    await pipeline.close();
    const entries = await collect(openSpoolReader(tmp.dir).entries());
    expect(entries.filter((e) => e.kind === 'inference').map((e) => e.event.event_id)).toEqual(
      makeEvents(40).map((e) => e.event_id),
    );
    const feedback = entries.filter((e) => e.kind === 'feedback');
    expect(feedback.map((e) => e.event.event_id)).toEqual(['req-3:0:feedback']);
    expect(
      await metricValue(registry, 'plumbline_sidecar_sink_events_written_total', { sink: 'store' }),
    ).toBe(41);
    // Reading takes nothing away: a second reader sees the same.
    expect(await collect(openSpoolReader(tmp.dir).entries())).toHaveLength(41);
  });

  it('resumes after a saved position and follows new records as they are written', async () => {
    const pipeline = createPipeline({ spool: { dir: tmp.dir }, queue: { batchSize: 5, flushIntervalMs: 5 } });
    pipeline.submit(makeEvents(10));
    await pipeline.flush();
    const reader = openSpoolReader(tmp.dir);
    const first = await collect(reader.entries());
    expect(first).toHaveLength(10);
    const saved = first[6].position;
    expect((await collect(reader.entries({ from: saved }))).map((e) => e.event.event_id)).toEqual(
      makeEvents(3, 7).map((e) => e.event_id),
    );

    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const entry of reader.follow({
        from: first[9].position,
        pollMs: 10,
        signal: controller.signal,
      })) {
        seen.push(entry.event.event_id);
        if (seen.length === 5) controller.abort();
      }
    })();
    pipeline.submit(makeEvents(5, 100));
    await following;
    expect(seen).toEqual(makeEvents(5, 100).map((e) => e.event_id));
    await pipeline.close();
  });

  it('a store bounded by size rotates the oldest segment out; a reader resumes at the oldest one left', async () => {
    const pipeline = createPipeline({
      spool: { dir: tmp.dir, segmentBytes: 4096, fsync: 'never' },
      store: { maxBytes: 16 * 1024 },
      queue: { batchSize: 5, flushIntervalMs: 5 },
    });
    pipeline.submit(makeEvents(5));
    await pipeline.flush();
    const reader = openSpoolReader(tmp.dir);
    const early = await collect(reader.entries());
    for (let i = 1; i < 40; i++) pipeline.submit(makeEvents(5, i * 5));
    await pipeline.close();
    const rest = await collect(reader.entries({ from: early[2].position }));
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.length).toBeLessThan(200);
    expect(rest[rest.length - 1].event.event_id).toBe('req-199:0');
    expect(reader.stats.rotatedPastPosition).toBe(1);
  });
});
