/** Test helpers for the spool: a temporary directory and valid inference events. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { InferenceEvent } from '@plumbline/schema';

export function tempDir(prefix = 'plumbline-spool-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function makeEvent(i: number): InferenceEvent {
  return {
    schema_version: 1,
    event_id: `req-${i}:0`,
    request_id: `req-${i}`,
    row: 0,
    '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i % 1000)).toISOString(),
    model: { name: 'iris', version: '1' },
    protocol: 'v2',
    parsed: true,
    features: { sepal_length: 5 + (i % 10) / 10, species_hint: 'a' },
    outputs: {
      label: 'setosa',
      value: null,
      probabilities: { setosa: 0.9, versicolor: 0.1 },
      confidence: 0.9,
      invalid: null,
    },
    latency_ms: { total: 1.5, upstream: 1.2 },
    http_status: 200,
    error: null,
  };
}

export function makeEvents(n: number, start = 0): InferenceEvent[] {
  return Array.from({ length: n }, (_, i) => makeEvent(start + i));
}
