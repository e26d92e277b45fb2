/**
 * An in-process follower (for embedding and tests): events pushed in are validated like any source's and handed to
 * the sink at once (before `start`, they wait for it). Its position is the count of events delivered.
 */
import type { EventFollower, RefoldableSink } from './follow';
import type { SourceCounters } from './source';
import { acceptFeedback, acceptInference } from './validate-entry';

export interface MemorySource extends EventFollower {
  push(kind: 'inference' | 'feedback', raw: unknown): void;
}

export function createMemorySource(counters: SourceCounters): MemorySource {
  let sink: RefoldableSink | null = null;
  const waiting: { kind: 'inference' | 'feedback'; raw: unknown }[] = [];
  let delivered = 0;
  function deliver(kind: 'inference' | 'feedback', raw: unknown): void {
    counters.consumed(kind, 1);
    delivered += 1;
    if (kind === 'inference') {
      const e = acceptInference(raw, counters);
      if (e) sink!.inference(e);
    } else {
      const f = acceptFeedback(raw, counters);
      if (f) sink!.feedback(f);
    }
  }
  return {
    kind: 'memory',
    push(kind, raw) {
      if (sink) deliver(kind, raw);
      else waiting.push({ kind, raw });
    },
    async start(target) {
      sink = target;
      for (const w of waiting.splice(0)) deliver(w.kind, w.raw);
    },
    async sync() {},
    position: () => ({ kind: 'memory', delivered }),
    owns: () => true,
    async close() {},
  };
}
