/**
 * In-memory events for followed sources (Kafka, spool): keyed by event_id, so a redelivered or replayed event
 * counts once; evicted once older than the retention the window needs; bounded in size (oldest out first).
 * Each event carries an owner tag (a Kafka partition) so a revoked partition's events can be dropped at once.
 */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import type { TimeRange } from '../windows';
import type { RefoldableSink } from './follow';

interface Held<E> {
  event: E;
  at: number;
  tag: string;
}

export class EventBuffer {
  private readonly inference = new Map<string, Map<string, Held<InferenceEvent>>>();
  private readonly feedback = new Map<string, Held<FeedbackEvent>>();
  private size = 0;

  constructor(private readonly maxEvents: number) {}

  addInference(event: InferenceEvent, tag = ''): void {
    const byId = this.inference.get(event.model.name) ?? new Map<string, Held<InferenceEvent>>();
    this.inference.set(event.model.name, byId);
    if (!byId.has(event.event_id)) this.size += 1;
    byId.set(event.event_id, { event, at: Date.parse(event['@timestamp']), tag });
    if (this.size > this.maxEvents) this.evictOldest(this.size - Math.floor(this.maxEvents * 0.9));
  }

  addFeedback(event: FeedbackEvent, tag = ''): void {
    if (!this.feedback.has(event.event_id)) this.size += 1;
    const seen = this.feedback.get(event.event_id);
    const at = Date.parse(event['@timestamp']);
    if (!seen || at >= seen.at) this.feedback.set(event.event_id, { event, at, tag });
    if (this.size > this.maxEvents) this.evictOldest(this.size - Math.floor(this.maxEvents * 0.9));
  }

  /** Drops everything older than `beforeMs`. */
  evict(beforeMs: number): void {
    for (const byId of this.inference.values()) {
      for (const [id, h] of byId)
        if (h.at < beforeMs) {
          byId.delete(id);
          this.size -= 1;
        }
    }
    for (const [id, h] of this.feedback)
      if (h.at < beforeMs) {
        this.feedback.delete(id);
        this.size -= 1;
      }
  }

  /** Drops the events of tags no longer owned (partitions revoked in a rebalance). */
  retainTags(keep: (tag: string) => boolean): void {
    for (const byId of this.inference.values()) {
      for (const [id, h] of byId)
        if (!keep(h.tag)) {
          byId.delete(id);
          this.size -= 1;
        }
    }
    for (const [id, h] of this.feedback)
      if (!keep(h.tag)) {
        this.feedback.delete(id);
        this.size -= 1;
      }
  }

  window(
    model: string,
    version: string | null,
    range: TimeRange,
  ): { inference: InferenceEvent[]; feedback: FeedbackEvent[] } {
    const inference: InferenceEvent[] = [];
    for (const h of this.inference.get(model)?.values() ?? []) {
      if (h.at >= range.from && h.at < range.to && (version === null || h.event.model.version === version)) {
        inference.push(h.event);
      }
    }
    inference.sort((a, b) =>
      a['@timestamp'] < b['@timestamp'] ? -1 : a['@timestamp'] > b['@timestamp'] ? 1 : 0,
    );
    const feedback: FeedbackEvent[] = [];
    for (const h of this.feedback.values()) {
      if (h.at >= range.from && (h.event.model === null || h.event.model.name === model))
        feedback.push(h.event);
    }
    return { inference, feedback };
  }

  /** A sink that holds what a follower delivers (one-off range reads: a baseline captured from production). */
  sink(): RefoldableSink {
    return {
      bucketWidthMs: 60_000,
      inference: (event) => this.addInference(event),
      feedback: (event) => this.addFeedback(event),
      foldedRows: () => new Map(),
      refold: () => undefined,
    };
  }

  /** Events held now. */
  get held(): number {
    return this.size;
  }

  /** Over the cap: drops the oldest tenth at once, so a full buffer does not sort on every add. */
  private evictOldest(count: number): void {
    const all: { at: number; drop: () => void }[] = [];
    for (const byId of this.inference.values())
      for (const [id, h] of byId) all.push({ at: h.at, drop: () => byId.delete(id) });
    for (const [id, h] of this.feedback) all.push({ at: h.at, drop: () => this.feedback.delete(id) });
    all.sort((a, b) => a.at - b.at);
    for (const item of all.slice(0, count)) item.drop();
    this.size -= Math.min(count, all.length);
  }
}
