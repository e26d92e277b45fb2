/**
 * `node inference-sidecar/bench/dist/record-bytes-bench.js` (after `tsc -p inference-sidecar/bench`) — what it costs
 * the capture thread, GC included, to keep each event's encoded bytes while the event waits in the sink queues.
 *
 * A pipeline in miniature, no I/O: events made 8 at a time (a hand-off), one record per event handed to three
 * lanes (Elasticsearch, Kafka, the store), each lane cutting batches of 500; the oldest batches (the 12 beyond
 * HOLD × 3 held, the ones "in flight") have their event bytes read as the sinks read them. Three ways to keep the
 * bytes:
 * - `weakmap`: a plain `{ kind, event }` record; `eventBytes` caches in a WeakMap keyed by the event (every record
 *   until capture16e; still the path of records made outside the pipeline).
 * - `record`: the record made by `spoolRecord()`, which keeps them in private fields (what the pipeline does).
 * - `encoded`: the queues hold `{ kind, bytes, event_id, request_id, model, @timestamp }` instead of the event, so
 *   the event dies young (issue #16's "queues of encoded records"; not built in the pipeline).
 * Each variant runs in its own process with the capture thread's young generation (`--max-semi-space-size=4`),
 * variants alternating for ROUNDS rounds; CPU per event from process.cpuUsage (every thread: GC helpers included),
 * GC time from perf_hooks' gc entries. Not a test: it prints a table of medians and every round.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import type { InferenceEvent } from '@plumbline/schema';
import { eventBytes, spoolRecord, type SpoolRecord } from '@plumbline/spool';

const VARIANTS = ['weakmap', 'record', 'encoded'] as const;
type Variant = (typeof VARIANTS)[number];
const EVENTS = Number(process.env.BENCH_EVENTS ?? 800_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCH = 500;
const HOLD = 4;
const LANES = 3;

interface Encoded {
  kind: 'inference';
  bytes: Buffer;
  eventId: string;
  requestId: string;
  model: string;
  timestamp: string;
}

function makeEvent(i: number): InferenceEvent {
  return {
    schema_version: 1,
    event_id: `r-${i}:0`,
    request_id: `r-${i}`,
    row: 0,
    '@timestamp': '2026-12-01T00:00:00.000Z',
    model: { name: 'iris', version: null },
    role: 'primary',
    protocol: 'v2',
    parsed: true,
    features: { a: Math.random(), b: 2.7, c: 5.1, d: 1.9 },
    outputs: {
      label: 'virginica',
      confidence: 0.9,
      probabilities: { setosa: 0.05, versicolor: 0.05, virginica: 0.9 },
      value: null,
      invalid: null,
    },
    latency_ms: { total: 1.4, upstream: 1.1 },
    http_status: 200,
    error: null,
  };
}

function once(variant: Variant): number {
  const lanes: (SpoolRecord | Encoded)[][] = Array.from({ length: LANES }, () => []);
  const held: (SpoolRecord | Encoded)[][] = [];
  let written = 0;
  for (let i = 0; i < EVENTS;) {
    const handOff: (SpoolRecord | Encoded)[] = [];
    for (let k = 0; k < 8; k++, i++) {
      const event = makeEvent(i);
      if (variant === 'weakmap') handOff.push({ kind: 'inference', event });
      else if (variant === 'record') handOff.push(spoolRecord('inference', event));
      else {
        handOff.push({
          kind: 'inference',
          bytes: eventBytes(spoolRecord('inference', event)),
          eventId: event.event_id,
          requestId: event.request_id,
          model: event.model.name,
          timestamp: event['@timestamp'],
        });
      }
    }
    for (const lane of lanes) for (const r of handOff) lane.push(r);
    if (lanes[0].length < BATCH) continue;
    for (const lane of lanes) held.push(lane.splice(0, BATCH));
    while (held.length > HOLD * LANES) {
      for (const r of held.shift() ?? []) written += ('bytes' in r ? r.bytes : eventBytes(r)).length;
    }
  }
  return written;
}

function child(variant: Variant): void {
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  once(variant); // warm-up
  gcMs = 0;
  const before = process.cpuUsage();
  const started = performance.now();
  once(variant);
  const cpu = process.cpuUsage(before);
  const wallMs = performance.now() - started;
  // gc entries arrive asynchronously: report after they are in.
  setTimeout(() => {
    observer.disconnect();
    process.stdout.write(
      JSON.stringify({ cpuUsPerEvent: (cpu.user + cpu.system) / EVENTS, gcMs, wallMs }) + '\n',
    );
  }, 50);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function main(): void {
  const runs = new Map<Variant, { cpuUsPerEvent: number; gcMs: number }[]>(VARIANTS.map((v) => [v, []]));
  const loadBefore = loadavg()[0];
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of VARIANTS) {
      const out = spawnSync(process.execPath, ['--max-semi-space-size=4', __filename, variant], {
        encoding: 'utf8',
        env: process.env,
      });
      if (out.status !== 0) throw new Error(`${variant}: ${out.stderr}`);
      runs.get(variant)?.push(JSON.parse(out.stdout) as { cpuUsPerEvent: number; gcMs: number });
    }
  }
  console.log(
    `\nevent bytes kept while queued — ${EVENTS} events × ${ROUNDS} rounds per variant, ${LANES} lanes, batches of ` +
      `${BATCH}; 1-minute load ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)}\n`,
  );
  console.log('| variant | CPU µs/event (median) | every round | GC ms (median) | every round |');
  console.log('| --- | ---: | --- | ---: | --- |');
  for (const [variant, rs] of runs) {
    const cpu = rs.map((r) => r.cpuUsPerEvent);
    const gc = rs.map((r) => r.gcMs);
    console.log(
      `| ${variant} | ${median(cpu).toFixed(2)} | ${cpu.map((x) => x.toFixed(2)).join(' / ')} | ` +
        `${median(gc).toFixed(0)} | ${gc.map((x) => x.toFixed(0)).join(' / ')} |`,
    );
  }
}

const variant = process.argv[2] as Variant | undefined;
if (variant === undefined) main();
else if (VARIANTS.includes(variant)) child(variant);
else throw new Error(`unknown variant ${variant}: one of ${VARIANTS.join(', ')}`);
