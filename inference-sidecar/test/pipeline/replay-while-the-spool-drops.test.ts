/**
 * Regression: a batch the replay loop had read and was still writing could lose its segment to a full spool
 * (an append dropping the oldest segment for room). The spool counted those records as dropped{spool_full} at
 * once, and when the sink then took the batch they were also delivered and counted as replayed: counted twice,
 * so `delivered + dropped` overshot what was submitted. Seen as the flaky "full spool" test against a real
 * Elasticsearch (the first spooled batch landed in the index and in the drop count).
 *
 * Now a record of the batch in flight is counted by what the sink answers: taken → replayed only; the whole batch
 * given back → dropped{spool_full}, once, then.
 */
import { Registry } from 'prom-client';
import { createPipeline, type EventPipeline } from '@plumbline/sidecar';
import { FakeSink, makeEvents, metricValue, tempDir, waitFor } from './helpers';

const DROPPED = 'plumbline_sidecar_events_dropped_total';
const REPLAYED = 'plumbline_sidecar_events_replayed_total';

describe('a segment dropped for room while the replay loop is writing it', () => {
  let tmp: ReturnType<typeof tempDir>;
  let open: EventPipeline[] = [];
  beforeEach(() => (tmp = tempDir()));
  afterEach(async () => {
    await Promise.all(open.map((p) => p.close()));
    open = [];
    tmp.cleanup();
  });

  // Batches of 5 events (~2.2 KB) each fill a 1 KiB segment of their own; 8 KiB holds three of them.
  const pipelineFor = (sink: FakeSink, registry: Registry) => {
    const pipeline = createPipeline({
      sinks: [sink],
      registry,
      spool: { dir: tmp.dir, fsync: 'never', maxBytes: 8 * 1024, segmentBytes: 1024 },
      queue: { batchSize: 5, flushIntervalMs: 5 },
      retry: { maxAttempts: 1 },
      replay: { replayInitialDelayMs: 5, replayMaxDelayMs: 20 },
    });
    open.push(pipeline);
    return pipeline;
  };

  /**
   * Leaves a backlog of `first` events on disk (a run that closed while its sink was down), reopens the spool with
   * a sink that holds every write, waits until the replay loop's first batch is in flight, then submits `more`
   * events in batches: they go behind the backlog and push the batch in flight out of the spool.
   */
  async function batchInFlightWhileItsSegmentIsDropped(first: number, more: number) {
    const down = new FakeSink();
    down.behaviour = 'down';
    const earlier = pipelineFor(down, new Registry());
    for (let i = 0; i < first; i += 5) {
      earlier.submit(makeEvents(5, i));
      await earlier.flush();
    }
    await earlier.close();

    const sink = new FakeSink();
    sink.hold();
    const registry = new Registry();
    const pipeline = pipelineFor(sink, registry);
    await pipeline.ready;
    await waitFor(() => sink.calls.length === 1, 'the replay loop writing its first batch');
    const inFlight = makeEvents(5).map((e) => e.event_id);
    for (let i = first; i < first + more; i += 5) {
      pipeline.submit(makeEvents(5, i));
      await pipeline.flush();
    }
    return { sink, registry, pipeline, inFlight };
  }

  const drained = (pipeline: EventPipeline) => async () => pipeline.stats()[0].spooled === 0;

  it('the sink takes the batch: its records are replayed, not also counted as dropped', async () => {
    const total = 40;
    const { sink, registry, pipeline, inFlight } = await batchInFlightWhileItsSegmentIsDropped(10, 30);
    const droppedWhileHeld = await metricValue(registry, DROPPED, { reason: 'spool_full' });
    expect(droppedWhileHeld).toBeGreaterThan(0);

    sink.release();
    await waitFor(drained(pipeline), 'the spool drained');
    await pipeline.flush();

    const dropped = await metricValue(registry, DROPPED, { reason: 'spool_full' });
    expect(sink.ids().slice(0, 5)).toEqual(inFlight);
    expect(new Set(sink.ids()).size).toBe(sink.written.length);
    expect(sink.written.length + dropped).toBe(total);
    // The replay loop counts a batch once the sink's write has returned, a moment after the spool shows it gone (it
    // read 15 of 20 once in CI): wait for the count, which must then equal what the sink took.
    await waitFor(
      async () => (await metricValue(registry, REPLAYED)) >= sink.written.length,
      'the replayed count',
    );
    expect(await metricValue(registry, REPLAYED)).toBe(sink.written.length);
    // The newest events were kept.
    expect(sink.ids().slice(-5)).toEqual(makeEvents(5, total - 5).map((e) => e.event_id));
  });

  it('the sink gives the batch back: its dropped records are counted once, when the sink answers', async () => {
    const total = 40;
    const { sink, registry, pipeline, inFlight } = await batchInFlightWhileItsSegmentIsDropped(10, 30);
    const droppedWhileHeld = await metricValue(registry, DROPPED, { reason: 'spool_full' });
    sink.behaviour = 'down';
    sink.release();
    await waitFor(
      async () => (await metricValue(registry, DROPPED, { reason: 'spool_full' })) === droppedWhileHeld + 5,
      'the batch given back counted as dropped',
    );
    await waitFor(() => sink.calls.length >= 2, 'the replay loop trying again');
    sink.behaviour = 'up';
    await waitFor(drained(pipeline), 'the spool drained');
    await pipeline.flush();

    const dropped = await metricValue(registry, DROPPED, { reason: 'spool_full' });
    expect(sink.ids()).not.toContain(inFlight[0]);
    expect(new Set(sink.ids()).size).toBe(sink.written.length);
    expect(sink.written.length + dropped).toBe(total);
    expect(sink.ids().slice(-5)).toEqual(makeEvents(5, total - 5).map((e) => e.event_id));
  });
});
