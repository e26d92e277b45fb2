/**
 * The embedded store: follows the sidecar's local spool (`openSpoolReader(dir)` from @plumbline/spool) into
 * an EventBuffer. Read-only: the spool stays the sidecar's; any number of exporters may follow it.
 * On start it reads what is there (the catch-up), then keeps following in the background.
 */
import { openSpoolReader, type SpoolPosition } from '@plumbline/spool';
import { EventBuffer } from './event-buffer';
import { acceptFeedback, acceptInference } from './validate-entry';
import type { EventSource, SourceCounters, WindowEvents, WindowQuery } from './source';
import { SourceError } from './source';

export interface SpoolSourceOptions {
  dir: string;
  counters: SourceCounters;
  /** How far back events are kept (the window plus one step). */
  retentionMs: number;
  maxBufferedEvents?: number;
  pollMs?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}

export function createSpoolSource(options: SpoolSourceOptions): EventSource {
  const reader = openSpoolReader(options.dir);
  const buffer = new EventBuffer(options.maxBufferedEvents ?? 500_000);
  const now = options.now ?? Date.now;
  const abort = new AbortController();
  let following: Promise<void> | null = null;
  let lastInvalid = 0;

  function take(entry: { kind: 'inference' | 'feedback'; event: unknown }): void {
    if (entry.kind === 'inference') {
      const e = acceptInference(entry.event, options.counters);
      if (e) buffer.addInference(e);
    } else {
      const f = acceptFeedback(entry.event, options.counters);
      if (f) buffer.addFeedback(f);
    }
    options.counters.consumed(entry.kind, 1);
  }

  function countReaderInvalid(): void {
    const delta = reader.stats.invalid - lastInvalid;
    lastInvalid = reader.stats.invalid;
    for (let i = 0; i < delta; i += 1)
      options.counters.invalid('inference', 'spool record failed the event schema');
  }

  return {
    kind: 'spool',
    async start() {
      let position: SpoolPosition | undefined;
      try {
        for await (const entry of reader.entries()) {
          take(entry);
          position = entry.position;
        }
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
            take(entry);
        } catch (err) {
          if (!abort.signal.aborted) options.onError?.(err);
        }
      })();
    },
    async read(query: WindowQuery): Promise<WindowEvents> {
      countReaderInvalid();
      buffer.evict(Math.min(query.range.from, now() - options.retentionMs));
      const { inference, feedback } = buffer.window(query.model, query.version, query.range);
      return { inference, feedback, total: inference.length, truncated: false };
    },
    owns: () => true,
    async close() {
      abort.abort();
      await following;
    },
  };
}
