/**
 * Every reason the sidecar counts in plumbline_sidecar_events_dropped_total is in the metric catalog's text and,
 * except sampling (not a loss, left out of the alert), has a row in the alert's runbook telling on-call what
 * happened to those events and what to do. The runbook had no row for `expired` until it was checked here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DROP_REASONS } from '../src/pipeline/metrics';

const docs = join(__dirname, '..', '..', 'docs');
const reasons = Object.values(DROP_REASONS);

test('the metric catalog names every drop reason', () => {
  const row = readFileSync(join(docs, 'metrics.md'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('| `plumbline_sidecar_events_dropped_total` |'));
  expect(row).toBeDefined();
  expect(reasons.filter((r) => !new RegExp(`\\b${r}\\b`).test(row!))).toEqual([]);
});

test('the events-dropped runbook has a row for every reason its alert fires on', () => {
  const runbook = readFileSync(join(docs, 'runbooks', 'events-dropped.md'), 'utf8');
  const rows = [...runbook.matchAll(/^\| `([a-z_]+)`/gm)].map((m) => m[1]);
  expect(reasons.filter((r) => r !== DROP_REASONS.sampledOut && !rows.includes(r))).toEqual([]);
  expect(rows.filter((r) => !(reasons as readonly string[]).includes(r))).toEqual([]);
});
