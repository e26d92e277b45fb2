/** An in-memory EventPipeline for proxy/capture tests: keeps what was submitted, and when. */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import type { EventPipeline } from '../../src/capture/capture';

export interface MemoryPipeline extends EventPipeline {
  events: InferenceEvent[];
  feedback: FeedbackEvent[];
  /** Resolves once at least n events were submitted. */
  waitForEvents(n: number, timeoutMs?: number): Promise<InferenceEvent[]>;
}

export function memoryPipeline(): MemoryPipeline {
  const events: InferenceEvent[] = [];
  const feedback: FeedbackEvent[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  function wake(): void {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (events.length >= waiters[i].n) {
        waiters[i].resolve();
        waiters.splice(i, 1);
      }
    }
  }
  return {
    events,
    feedback,
    submit(batch) {
      for (const e of batch) events.push(e); // not push(...batch): RangeError past ~125,000
      wake();
    },
    submitFeedback(batch) {
      for (const e of batch) feedback.push(e);
    },
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
    waitForEvents(n, timeoutMs = 5000) {
      if (events.length >= n) return Promise.resolve(events);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${events.length} of ${n} events after ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve(events);
          },
        });
      });
    },
  };
}
