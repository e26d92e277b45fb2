/**
 * The spool as a one-off range read (`plumbline exporter --capture-baseline`, the default embedded store): the spool
 * follower (spool-follower.ts) delivering into an in-memory EventBuffer, read back per range. The service itself
 * folds what the follower delivers into its window store instead.
 */
import { EventBuffer } from './event-buffer';
import { createSpoolFollower } from './spool-follower';
import type { EventSource, SourceCounters, WindowEvents, WindowQuery } from './source';

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
  const buffer = new EventBuffer(options.maxBufferedEvents ?? 500_000);
  const now = options.now ?? Date.now;
  const follower = createSpoolFollower(options);
  return {
    kind: 'spool',
    start: () => follower.start(buffer.sink(), null),
    async read(query: WindowQuery): Promise<WindowEvents> {
      await follower.sync();
      buffer.evict(Math.min(query.range.from, now() - options.retentionMs));
      const { inference, feedback } = buffer.window(query.model, query.version, query.range);
      return { inference, feedback, total: inference.length, truncated: false };
    },
    owns: () => true,
    close: () => follower.close(),
  };
}
