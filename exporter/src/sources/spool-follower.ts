/**
 * The embedded store followed into the window store: the sidecar's local spool (`openSpoolReader(dir)` from
 * @plumbline/spool), read-only — the spool stays the sidecar's; any number of exporters may follow it. Every record is
 * read once: `start` reads from the checkpoint's position (else the oldest segment) up to the end, then follows in
 * the background. The position is the spool's own (segment, offset) just after the last record handed to the sink.
 */
import { openSpoolReader, type SpoolPosition } from '@plumbline/spool';
import type { EventFollower, RefoldableSink, SourcePosition } from './follow';
import { SourceError, type SourceCounters } from './source';
import { acceptFeedback, acceptInference } from './validate-entry';

export interface SpoolFollowerOptions {
  dir: string;
  counters: SourceCounters;
  pollMs?: number;
  onError?: (err: unknown) => void;
}

function fromPosition(p: SourcePosition | null): SpoolPosition | undefined {
  if (!p) return undefined;
  const { seq, offset } = p as Partial<SpoolPosition>;
  if (p.kind !== 'spool' || !Number.isInteger(seq) || !Number.isInteger(offset))
    throw new RangeError(`not a spool position: ${JSON.stringify(p)}`);
  return { seq: seq!, offset: offset! };
}

export function createSpoolFollower(options: SpoolFollowerOptions): EventFollower {
  const reader = openSpoolReader(options.dir);
  const abort = new AbortController();
  let following: Promise<void> | null = null;
  let position: SpoolPosition = { seq: 0, offset: 0 };
  let lastInvalid = 0;

  function countReaderInvalid(): void {
    const delta = reader.stats.invalid - lastInvalid;
    lastInvalid = reader.stats.invalid;
    for (let i = 0; i < delta; i += 1)
      options.counters.invalid('inference', 'spool record failed the event schema');
  }

  function take(
    sink: RefoldableSink,
    entry: { kind: 'inference' | 'feedback'; event: unknown; position: SpoolPosition },
  ): void {
    options.counters.consumed(entry.kind, 1);
    if (entry.kind === 'inference') {
      const e = acceptInference(entry.event, options.counters);
      if (e) sink.inference(e);
    } else {
      const f = acceptFeedback(entry.event, options.counters);
      if (f) sink.feedback(f);
    }
    position = entry.position;
  }

  return {
    kind: 'spool',
    async start(sink, from) {
      const resume = fromPosition(from);
      if (resume) position = resume;
      try {
        for await (const entry of reader.entries({ from: resume })) take(sink, entry);
      } catch (err) {
        throw new SourceError(
          'EXPORTER_ERR_SOURCE_UNAVAILABLE',
          `cannot read the spool at ${options.dir}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      countReaderInvalid();
      following = (async () => {
        try {
          for await (const entry of reader.follow({
            from: position,
            pollMs: options.pollMs ?? 250,
            signal: abort.signal,
          }))
            take(sink, entry);
        } catch (err) {
          if (!abort.signal.aborted) options.onError?.(err);
        }
      })();
    },
    async sync() {
      countReaderInvalid();
    },
    position: (): SourcePosition => ({ kind: 'spool', seq: position.seq, offset: position.offset }),
    owns: () => true,
    async close() {
      abort.abort();
      await following;
    },
  };
}
