import { Registry } from 'prom-client';
import { createPipeline, type EventPipeline, type PipelineOptions } from '@plumbline/sidecar';
import { openSpoolReader } from '@plumbline/spool';
import { rejected, sinkResult } from './reject';
import { FakeSink, makeEvents, metricValue, tempDir, waitFor } from './helpers';

const M = {
  spooled: 'plumbline_sidecar_events_spooled_total',
  replayed: 'plumbline_sidecar_events_replayed_total',
  written: 'plumbline_sidecar_sink_events_written_total',
  dropped: 'plumbline_sidecar_events_dropped_total',
  depth: 'plumbline_sidecar_sink_queue_depth',
  bytes: 'plumbline_sidecar_spool_bytes',
};

describe('spooling: a sink that goes down loses nothing', () => {
  let tmp: ReturnType<typeof tempDir>;
  let open: EventPipeline[] = [];
  const track = (p: EventPipeline) => (open.push(p), p);
  beforeEach(() => (tmp = tempDir()));
  afterEach(async () => {
    await Promise.all(open.map((p) => p.close()));
    open = [];
    tmp.cleanup();
  });

  function pipelineFor(sink: FakeSink, registry: Registry, extra: Partial<PipelineOptions> = {}) {
    return track(
      createPipeline({
        sinks: [sink],
        registry,
        spool: { dir: tmp.dir, fsync: 'never' },
        queue: { batchSize: 10, flushIntervalMs: 5 },
        retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 },
        replay: { replayInitialDelayMs: 5, replayMaxDelayMs: 20 },
        ...extra,
      }),
    );
  }

  it('spools while the sink is down and replays everything in order, once, when it returns', async () => {
    const sink = new FakeSink();
    const registry = new Registry();
    const pipeline = pipelineFor(sink, registry);
    await pipeline.ready;
    pipeline.submit(makeEvents(20, 0));
    await pipeline.flush();
    sink.behaviour = 'down';
    pipeline.submit(makeEvents(35, 20));
    await pipeline.flush();
    // New events while the backlog exists go behind it, never around it.
    pipeline.submit(makeEvents(15, 55));
    await pipeline.flush();
    expect(await metricValue(registry, M.spooled, { sink: 'fake' })).toBe(50);
    expect(pipeline.stats()).toEqual([{ name: 'fake', queued: 0, spooled: 50 }]);
    expect(await metricValue(registry, M.bytes)).toBeGreaterThan(0);
    sink.behaviour = 'up';
    await waitFor(() => sink.written.length === 70, 'replay');
    expect(sink.ids()).toEqual(makeEvents(70).map((e) => e.event_id));
    // The sink has the records before the replay acknowledges them and counts them.
    await waitFor(
      async () => (await metricValue(registry, M.replayed, { sink: 'fake' })) === 50,
      'replay counted',
    );
    expect(await metricValue(registry, M.written, { sink: 'fake' })).toBe(70);
    await waitFor(async () => (await metricValue(registry, M.bytes)) === 0, 'spool emptied');
    expect(await metricValue(registry, M.dropped)).toBe(0);
    await pipeline.close();
  });

  it('a backlog left by a previous run (closed while the sink was down) is replayed on the next start', async () => {
    const down = new FakeSink();
    down.behaviour = 'down';
    const first = pipelineFor(down, new Registry());
    first.submit(makeEvents(40));
    await first.close();
    expect(down.written).toHaveLength(0);

    const up = new FakeSink();
    const registry = new Registry();
    const second = pipelineFor(up, registry);
    await second.ready;
    await waitFor(async () => (await metricValue(registry, M.replayed, { sink: 'fake' })) === 40, 'replay');
    expect(up.ids()).toEqual(makeEvents(40).map((e) => e.event_id));
    await second.close();
  });

  it('records the sink refuses for good are counted, kept in the dead-letter stream and never retried', async () => {
    const sink = new FakeSink();
    sink.behaviour = (records) => rejected(records, (r) => r.event.event_id.startsWith('req-3'));
    const registry = new Registry();
    const pipeline = pipelineFor(sink, registry);
    pipeline.submit(makeEvents(40));
    await pipeline.flush();
    const refusedIds = makeEvents(40)
      .filter((e) => e.event_id.startsWith('req-3'))
      .map((e) => e.event_id);
    expect(sink.written).toHaveLength(40 - refusedIds.length);
    expect(await metricValue(registry, M.dropped, { sink: 'fake', reason: 'rejected' })).toBe(
      refusedIds.length,
    );
    expect(await metricValue(registry, M.spooled)).toBe(0);
    const dead: string[] = [];
    for await (const entry of openSpoolReader(tmp.dir, { stream: 'dead-letter/fake' }).entries()) {
      dead.push(entry.event.event_id);
    }
    expect(dead).toEqual(refusedIds);
    expect(sink.calls.reduce((a, b) => a + b, 0)).toBe(40);
    await pipeline.close();
  });

  it('a partly throttled batch: only the throttled records are spooled and replayed', async () => {
    let throttle = true;
    const odd = (id: string) => Number(id.split(/[-:]/)[1]) % 2 === 1;
    const sink = new FakeSink();
    sink.behaviour = (records) =>
      sinkResult(throttle ? records.filter((r) => odd(r.event.event_id)) : [], []);
    const registry = new Registry();
    const pipeline = track(pipelineFor(sink, registry, { queue: { batchSize: 20, flushIntervalMs: 5 } }));
    pipeline.submit(makeEvents(20));
    await pipeline.flush();
    expect(await metricValue(registry, M.spooled, { sink: 'fake' })).toBe(10);
    expect(sink.ids().every((id) => !odd(id))).toBe(true);
    throttle = false;
    await waitFor(() => sink.written.length === 20, 'replay of throttled records');
    expect(new Set(sink.ids())).toEqual(new Set(makeEvents(20).map((e) => e.event_id)));
  });

  it('a slow sink: memory stays bounded (the queue spills to disk) and every event arrives exactly once', async () => {
    const sink = new FakeSink();
    sink.hold();
    const registry = new Registry();
    const pipeline = pipelineFor(sink, registry, {
      queue: { batchSize: 10, flushIntervalMs: 5, maxEvents: 50 },
    });
    await pipeline.ready;
    let maxDepth = 0;
    for (let i = 0; i < 30; i++) {
      pipeline.submit(makeEvents(10, i * 10));
      maxDepth = Math.max(maxDepth, pipeline.stats()[0].queued);
    }
    expect(maxDepth).toBeLessThanOrEqual(50);
    await waitFor(
      async () => (await metricValue(registry, M.spooled, { sink: 'fake' })) > 200,
      'spill to disk',
    );
    sink.release();
    await waitFor(() => sink.written.length === 300, 'everything delivered');
    expect(new Set(sink.ids()).size).toBe(300);
    await pipeline.close();
  });

  it('a full spool drops the oldest segment by policy and counts it: delivered + dropped = submitted', async () => {
    const sink = new FakeSink();
    sink.behaviour = 'down';
    const registry = new Registry();
    const pipeline = pipelineFor(sink, registry, {
      spool: { dir: tmp.dir, fsync: 'never', maxBytes: 64 * 1024, segmentBytes: 8 * 1024 },
    });
    const total = 600;
    for (let i = 0; i < total; i += 20) pipeline.submit(makeEvents(20, i));
    await pipeline.flush();
    const dropped = await metricValue(registry, M.dropped, { sink: 'fake', reason: 'spool_full' });
    expect(dropped).toBeGreaterThan(0);
    expect(await metricValue(registry, M.bytes)).toBeLessThanOrEqual(64 * 1024);
    sink.behaviour = 'up';
    await waitFor(() => sink.written.length + dropped === total, 'replay of what was kept');
    // The newest events are the ones kept.
    expect(sink.ids()).toEqual(
      makeEvents(total)
        .map((e) => e.event_id)
        .slice(dropped),
    );
    await pipeline.close();
  });

  it('without a spool, a down sink keeps at most queue.maxEvents in memory and counts the rest as queue_full', async () => {
    const sink = new FakeSink();
    sink.behaviour = 'down';
    const registry = new Registry();
    const pipeline = track(
      createPipeline({
        sinks: [sink],
        registry,
        queue: { batchSize: 10, flushIntervalMs: 5, maxEvents: 30 },
        retry: { maxAttempts: 1 },
      }),
    );
    pipeline.submit(makeEvents(100));
    await pipeline.flush();
    const dropped = await metricValue(registry, M.dropped, { sink: 'fake', reason: 'queue_full' });
    expect(dropped).toBe(70);
    expect(pipeline.stats()[0].queued).toBe(30);
    sink.behaviour = 'up';
    await waitFor(() => sink.written.length === 30, 'held events delivered');
    await pipeline.close();
  });
});
