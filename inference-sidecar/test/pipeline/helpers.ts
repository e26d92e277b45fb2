/** Test helpers for the pipeline: valid events and a scriptable fake sink (unit tests of pure logic only). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Registry } from 'prom-client';
import type { FeedbackEvent } from '@plumbline/schema';
import type { Sink, SinkRecord, SinkResult } from '../../src/sinks/sink';
import { retryable, SUCCESS } from '../../src/sinks/sink';

export { makeEvent, makeEvents } from '@plumbline/schema/testing';

export function makeFeedback(i: number): FeedbackEvent {
  return {
    schema_version: 1,
    event_id: `req-${i}:0:feedback`,
    request_id: `req-${i}`,
    row: 0,
    '@timestamp': new Date(Date.UTC(2026, 0, 1)).toISOString(),
    model: { name: 'iris', version: '1' },
    ground_truth: 'setosa',
    source: 'api',
  };
}

export type Behaviour = 'up' | 'down' | ((records: readonly SinkRecord[]) => SinkResult);

/** A sink whose answer the test sets: 'up' stores, 'down' says retryable, or a function decides per batch. */
export class FakeSink implements Sink {
  readonly written: SinkRecord[] = [];
  readonly calls: number[] = [];
  behaviour: Behaviour = 'up';
  /** Resolves writes only when the test calls release() (a slow sink). */
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  closed = false;

  constructor(readonly name = 'fake') {}

  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = null;
  }

  async write(records: readonly SinkRecord[]): Promise<SinkResult> {
    this.calls.push(records.length);
    if (this.gate) await this.gate;
    if (this.behaviour === 'down') return retryable(records, new Error('connect ECONNREFUSED'));
    if (this.behaviour === 'up') {
      for (const r of records) this.written.push(r); // not push(...records): RangeError past ~125,000
      return SUCCESS;
    }
    const result = this.behaviour(records);
    const failed = new Set([...result.retry, ...result.rejected.map((r) => r.record)]);
    for (const r of records) if (!failed.has(r)) this.written.push(r);
    return result;
  }

  ids(): string[] {
    return this.written.map((r) => r.event.event_id);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export function tempDir(prefix = 'plumbline-spool-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Polls until `check` is true (no fixed sleeps); fails with `what` after timeoutMs. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
