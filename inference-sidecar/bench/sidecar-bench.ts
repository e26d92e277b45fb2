/**
 * `npm run bench:sidecar` — the model server direct vs through the sidecar with its sinks on, in one run.
 *
 *   load generator (this process) ──▶ embedded ONNX iris server (child)                    "direct"
 *   load generator (this process) ──▶ minimal node:http + undici proxy (child) ──▶ same server   "Node hop"
 *   load generator (this process) ──▶ sidecar (child) ──▶ the same model server              "sidecar"
 *                                       └─▶ Elasticsearch + Kafka (harness, on 127.0.0.1) + Prometheus metrics
 *   load generator (this process) ──▶ sidecar with shadow traffic (child) ──▶ the same model server  "shadow on"
 *                                       └─▶ a copy of every request ──▶ a second model server (child)
 *   load generator (this process) ──▶ sidecar with shadow traffic (child) ──▶ the same model server
 *                                       └─▶ a copy of every request ──▶ a trivial answerer (child)
 *
 *   load generator (this process) ──▶ nginx, no access log (child) ──▶ same server            "nginx"
 *   load generator (this process) ──▶ nginx, a log line per request with its body ──▶ same server  "nginx + body log"
 *
 * nginx is the price to beat (issue #16): Debian's nginx, installed by the bench with apt-get when missing
 * (nginx-reference.ts), one worker process, keep-alive to the model server; its CPU per request comes from /proc
 * like the Node children's, divided by the requests the bench sent it. Ratios are printed against direct and
 * against "nginx + body log", the fair comparison for a proxy that captures payloads.
 * The "Node hop" is a reference, not a competitor: the smallest proxy Node does well (reference-proxy-process.ts,
 * no capture), so the table separates what one extra process hop costs on this machine from what the sidecar adds.
 *
 * Phases (each mode in turn, same request: one V2 infer row, modes alternating for ROUNDS rounds so they see the
 * same background load):
 * - latency at a fixed 1,000 req/s: an open-loop generator sends one request every millisecond (undici Pool,
 *   16 connections) and times each from send to the last body byte at full precision. Not autocannon's
 *   `overallRate`: it paces each connection by its own timer, so 10 connections fire together — bursts of 10
 *   every 10 ms — and each serial stage adds the burst's queueing to every latency (≈ +1 ms per hop here).
 *   Before each latency phase the bench waits until the sidecar's sink queues are empty, so the Elasticsearch and
 *   Kafka writes of the previous saturation phase do not land in it.
 * - throughput at saturation: autocannon, 32 connections.
 * After the load the sidecar is stopped (it flushes every sink) and the events the sinks hold are counted against
 * the 2xx responses the sidecar served: lost must be 0.
 * CPU per request, hop and sidecar side by side: each child reports the requests it received and the CPU it used
 * since it listened, process-wide and per thread (thread-cpu.ts): its main thread (the sidecar's proxy thread),
 * the threads it started (the sidecar's capture thread, libuv's I/O pool) and V8's helper threads (GC).
 * BENCH_SIDECAR_NODE_ARGS / BENCH_HOP_NODE_ARGS pass node flags to the children, e.g. "--cpu-prof
 * --cpu-prof-dir=DIR" for one .cpuprofile per thread.
 * Shadow traffic: a second sidecar, configured like the first plus `shadow.url` = a second model server, runs the
 * fixed-rate phase in every round too, between two runs of the sidecar without shadow (A just before the shadow
 * sidecars' runs, B just after them; their order alternates from round to round), so the runs compared see the
 * same background. Pooled over the rounds, A and B are two identical sets of runs: the difference of their p50 /
 * p99 is the run's own noise, and the shadow's p50 / p99 minus A and B pooled must not exceed it (issue #14's
 * row; both p50 and p99 are reported with A, B and the noise). Both sidecars' CPU per request is read from /proc
 * over those fixed-rate runs only, and the copies are counted over them (the saturated warm-up drops copies at
 * `shadow.maxConcurrent` by design). The same rows for a third sidecar whose shadow is a trivial answerer
 * (trivial-answerer-process.ts: the model server's answer, sent back at once) split the change in two: that
 * sidecar's is the sidecar's own share (copies, answers, their events), the rest is the second model server's
 * inference on the same 2 cores. BENCH_SHADOW_NICE=19 adds a fourth: the second model server at that nice value, a
 * stand-in for a challenger on its own cores as in production (not the issue's row, which stays the one above).
 * BENCH_CAPTURE_THREAD_NICE sets every sidecar's `captureThreadNice` (default: the sidecar's, 0), to compare the
 * capture thread yielding to the proxy thread (e.g. 10) with it not yielding in two runs.
 * Not a test: it prints a table; targets are printed next to the measurements.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { Client } from '@elastic/elasticsearch';
import { openSpoolReader, SegmentLog } from '@plumbline/spool';
import { Kafka, logLevel } from 'kafkajs';
import { startElasticsearch, startKafka } from '@plumbline/harness';
import { parseConfig, SIDECAR_MEMORY_ENV } from '@plumbline/sidecar';
import type { MemoryReport } from './memory-report';
import { threadCpu, threadCpuSpent, type CpuReport, type ThreadCpu } from './thread-cpu';
import { ensureNginx, startNginx, type NginxHandle } from './nginx-reference';
import { createMemoryLimit, type MemoryLimit } from './memory-limit';
import { describeStalls, hostStalls } from './host-stalls';

const FIXED_RATE = 1000;
const FIXED_SECONDS = Number(process.env.BENCH_FIXED_SECONDS ?? 5);
const SATURATION_SECONDS = Number(process.env.BENCH_SATURATION_SECONDS ?? 5);
/** Direct and sidecar runs alternate for this many rounds, so both see the same background load. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** One unrecorded fixed-rate run per mode before the first round. */
const WARM_UP_FIXED_SECONDS = 2;
const SATURATION_CONNECTIONS = 32;
/** Every sidecar's captureThreadNice, when set; else the sidecar's default. */
const CAPTURE_THREAD_NICE =
  process.env.BENCH_CAPTURE_THREAD_NICE === undefined
    ? undefined
    : Number(process.env.BENCH_CAPTURE_THREAD_NICE);
/**
 * BENCH_SINK_SERVERS_NICE: the nice value Elasticsearch's and Kafka's processes run at (every thread of their
 * process groups). Unset: 0, like everything else. In production the sink servers are other machines; on these 2
 * shared cores their indexing competes with the primary path, so a run at 19 tells how much of the sidecar's p99 is
 * the sink servers' CPU and how much the sidecar's own (its sink clients still do all their work).
 */
const SINK_SERVERS_NICE =
  process.env.BENCH_SINK_SERVERS_NICE === undefined ? undefined : Number(process.env.BENCH_SINK_SERVERS_NICE);
/**
 * BENCH_SHADOW_NICE: when set, one more shadow sidecar whose challenger is a second model server at this nice value
 * (e.g. 19). In production the challenger runs on its own cores; on these 2 shared cores a niced one is the nearest
 * stand-in. Its rows are labelled as such; issue #14's row is the un-niced model server's.
 */
const SHADOW_NICE =
  process.env.BENCH_SHADOW_NICE === undefined ? undefined : Number(process.env.BENCH_SHADOW_NICE);
/**
 * The control row: the sidecar without shadow next to an unrelated process (cpu-burner-process.ts, CPU in 5 ms
 * slices) using about the CPU that shadow traffic adds, to read the shadow rows by: what that much CPU that is not
 * the sidecar's does to the primary's latency on these cores. By default ('auto') its CPU per request is what the
 * shadow to the trivial answerer added to the whole machine's CPU (/proc/stat) over the runs before it, against the
 * runs without shadow; BENCH_CONTROL_BURN_US=N sets N µs per request instead, 0 leaves the control out.
 */
const CONTROL_BURN_US: number | 'auto' =
  process.env.BENCH_CONTROL_BURN_US === undefined ? 'auto' : Number(process.env.BENCH_CONTROL_BURN_US);
const INDEX = `plumbline-bench-inference-${Date.now()}`;
const TOPIC = `plumbline.bench.inference.${Date.now()}`;
const BODY = JSON.stringify({
  inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [5.8, 2.7, 5.1, 1.9] }],
});

interface Run {
  latenciesMs: number[];
  requests: number;
  ok: number;
  errors: number;
  seconds: number;
}

function startChild(
  script: string,
  args: string[] = [],
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
  nice?: number,
  memoryLimit?: MemoryLimit,
): Promise<{ child: ChildProcess; info: Record<string, string> }> {
  const argv = [...nodeArgs, join(__dirname, script), ...args];
  const options: SpawnOptions = { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } };
  // `nice` execs node in its own place (same pid): every thread node starts inherits the nice value.
  let command =
    nice === undefined
      ? [process.execPath, ...argv]
      : ['nice', '-n', String(nice), process.execPath, ...argv];
  // A memory limit: a shell joins the cgroup, then execs the rest (same pid), so node starts inside it.
  if (memoryLimit !== undefined)
    command = ['sh', '-c', 'echo $$ > "$0" && exec "$@"', memoryLimit.procsFile, ...command];
  const child = spawn(command[0], command.slice(1), options);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve({ child, info: JSON.parse(line) as Record<string, string> }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function stopChild(child: ChildProcess, until?: string): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    if (until) createInterface({ input: child.stdout! }).on('line', () => undefined);
    child.kill('SIGTERM');
  });
}

async function load(
  url: string,
  options: { rate?: number; connections: number; seconds: number },
): Promise<Run> {
  const latenciesMs: number[] = [];
  let ok = 0;
  let errors = 0;
  const started = process.hrtime.bigint();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/v2/models/iris/infer`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BODY,
        connections: options.connections,
        overallRate: options.rate,
        duration: options.seconds,
        timeout: 10,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      latenciesMs.push(responseTime);
      if (status >= 200 && status < 300) ok++;
      else errors++;
    });
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    latenciesMs,
    requests: latenciesMs.length,
    ok,
    errors: errors + result.errors + result.timeouts,
    seconds,
  };
}

/** Open loop at a fixed rate: request i is sent at t0 + i/rate (timer granularity ~1 ms), each timed alone. */
async function paced(url: string, rate: number, seconds: number): Promise<Run> {
  const pool = new Pool(url, { connections: 16 });
  const latenciesMs: number[] = [];
  let ok = 0;
  let errors = 0;
  const total = Math.round(rate * seconds);
  const intervalNs = 1e9 / rate;
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    let sent = 0;
    let settled = 0;
    const settle = (): void => {
      if (++settled === total) resolve();
    };
    const fire = (): void => {
      const t = process.hrtime.bigint();
      pool
        .request({
          path: '/v2/models/iris/infer',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: BODY,
        })
        .then(async (res) => {
          await res.body.dump();
          latenciesMs.push(Number(process.hrtime.bigint() - t) / 1e6);
          if (res.statusCode >= 200 && res.statusCode < 300) ok++;
          else errors++;
        })
        .catch(() => errors++)
        .finally(settle);
    };
    const tick = (): void => {
      const elapsed = Number(process.hrtime.bigint() - started);
      while (sent < total && sent * intervalNs <= elapsed) {
        fire();
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  await pool.close();
  const seconds_ = Number(process.hrtime.bigint() - started) / 1e9;
  return { latenciesMs, requests: latenciesMs.length, ok, errors, seconds: seconds_ };
}

/** Waits until every sink queue of the sidecar is empty (its previous load is written), at most 60 s. */
async function sinksIdle(adminUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const text = await (await fetch(`${adminUrl}/metrics`)).text();
    if (sumSeries(text, 'plumbline_sidecar_sink_queue_depth') === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

function summarise(run: Run): { p50: number; p99: number; rps: number } {
  const sorted = [...run.latenciesMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), rps: run.ok / run.seconds };
}

/** Renices every thread of the sink servers' process groups (`renice -g`); the note for the table's header. */
function reniceSinkServers(pgids: (number | undefined)[]): string {
  const groups = pgids.filter((g): g is number => g !== undefined && g > 0);
  const result = spawnSync('renice', ['-n', String(SINK_SERVERS_NICE), '-g', ...groups.map(String)], {
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`renice of the sink servers failed: ${result.stderr || result.error?.message}`);
  return ` (sink servers at nice ${SINK_SERVERS_NICE}: BENCH_SINK_SERVERS_NICE)`;
}

async function withSinks(): Promise<{
  esUrl?: string;
  brokers?: string[];
  stop(): Promise<void>;
  note: string;
}> {
  if (process.env.BENCH_NO_SINKS)
    return { stop: async () => undefined, note: 'spool only (BENCH_NO_SINKS set)' };
  try {
    // The harness (@plumbline/harness, built by the bench script) starts real services on 127.0.0.1.
    const [es, kafka] = await Promise.all([startElasticsearch(), startKafka()]);
    const niced = SINK_SERVERS_NICE === undefined ? '' : reniceSinkServers([es.pgid, kafka.pgid]);
    return {
      esUrl: es.url,
      brokers: kafka.brokers,
      stop: async () => {
        await Promise.all([es.stop(), kafka.stop()]);
      },
      note: `Elasticsearch ${es.url} + Kafka ${kafka.brokers.join(',')} + Prometheus /metrics${niced}`,
    };
  } catch (err) {
    process.stderr.write(
      `bench: Elasticsearch/Kafka unavailable (${String(err)}); running with the spool sink only\n`,
    );
    return { stop: async () => undefined, note: 'spool only (harness services unavailable)' };
  }
}

async function countSinks(
  esUrl: string | undefined,
  brokers: string[] | undefined,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  if (esUrl) {
    const es = new Client({ node: esUrl });
    await es.indices.refresh({ index: INDEX });
    counts.elasticsearch = (await es.count({ index: INDEX })).count;
    await es.close();
  }
  if (brokers) {
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    counts.kafka = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
    await admin.disconnect();
  }
  return counts;
}

/**
 * Events each sink's spool still holds after the sidecar stopped (`<spoolDir>/sinks/<sink>`, past its replay
 * cursor): what the sink could not take in time, on disk and replayed at the next start — delayed, not lost.
 */
async function heldInSpool(spoolDir: string, sinkNames: string[]): Promise<Record<string, number>> {
  const held: Record<string, number> = {};
  for (const sink of sinkNames) {
    const log = await SegmentLog.open({
      dir: join(spoolDir, 'sinks', sink),
      maxBytes: Number.MAX_SAFE_INTEGER,
    });
    held[sink] = log.backlog;
    await log.close();
  }
  return held;
}

/** A row: events a sink holds (+ what its spool holds for replay) against those captured. */
function sinkRow(sink: string, stored: number, held: number, captured: number): string[] {
  const lost = captured - stored - held;
  return [
    `events in ${sink}`,
    `${stored}${held > 0 ? ` + ${held} in its spool for replay` : ''} (lost ${lost})`,
    'lost 0',
    lost === 0 ? 'yes' : 'NO',
  ];
}

const ms = (x: number): string => x.toFixed(3);

/** Sum of every series of a counter in Prometheus text. */
function sumSeries(text: string, name: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm')))
    sum += Number(m[1]);
  return sum;
}

/** CPU a child's threads spent in some phases, and the requests those phases sent it. */
interface PhaseCpu {
  requests: number;
  threads: ThreadCpu | null;
  /** The whole machine's CPU over the same runs (every process, /proc/stat), µs. */
  machineUs?: number;
}

/** The machine's CPU µs per request of a phase; NaN before it has any. */
function machinePerRequest(phase: PhaseCpu): number {
  return phase.machineUs === undefined || phase.requests === 0 ? NaN : phase.machineUs / phase.requests;
}

/** USER_HZ: /proc/stat counts in it; 100 on every Linux platform Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time the whole machine has spent (every core, every process: all but idle and iowait), µs; Linux. */
function machineCpuUs(): number {
  const fields = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return ((user + nice + system + irq + softirq + (steal ?? 0)) * 1e6) / CLOCK_TICKS_PER_SECOND;
}

/** A started child's threads' CPU so far, read from /proc (thread-cpu.ts); null without /proc. */
function childThreads(child: { child: ChildProcess; info: Record<string, string> }): ThreadCpu | null {
  const helpers = child.info.helperThreads;
  if (helpers === undefined || child.child.pid === undefined) return null;
  return threadCpu(new Set(helpers.split(',').filter(Boolean)), child.child.pid);
}

/** `into` plus `spent` (null stays null: one missing reading spoils the sum). */
function addThreads(into: ThreadCpu | null, spent: ThreadCpu | null): ThreadCpu | null {
  if (into === null || spent === null) return null;
  const add = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): NodeJS.CpuUsage => ({
    user: a.user + b.user,
    system: a.system + b.system,
  });
  return {
    main: add(into.main, spent.main),
    helpers: add(into.helpers, spent.helpers),
    started: add(into.started, spent.started),
  };
}

/** Pools the responses of several runs of one mode. */
function pool(runs: Run[]): Run {
  return {
    latenciesMs: runs.flatMap((r) => r.latenciesMs),
    requests: runs.reduce((n, r) => n + r.requests, 0),
    ok: runs.reduce((n, r) => n + r.ok, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    seconds: runs.reduce((n, r) => n + r.seconds, 0),
  };
}

/**
 * Stops a proxy child (the sidecar flushes every sink first) and returns its CpuReport: requests served and the
 * CPU time used serving them, in µs, process-wide and per thread.
 */
function stopWithReport(child: ChildProcess): Promise<CpuReport | null> {
  return new Promise((resolve) => {
    let report: CpuReport | null = null;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as Partial<CpuReport>;
      if (msg.stopped) report = msg as CpuReport;
    });
    child.once('exit', () => resolve(report));
    child.kill('SIGTERM');
  });
}

/** CPU one column used: a Node child's CpuReport, nginx's /proc figures, or nothing (the model server). */
type ColumnCpu =
  | { kind: 'node'; report: CpuReport | null }
  | { kind: 'nginx'; cpu: NodeJS.CpuUsage; requests: number }
  | null;

/** µs per request of one CPU figure, user / sys, or 'n/a'. */
function perRequest(cpu: NodeJS.CpuUsage | undefined, requests: number): string {
  if (cpu === undefined || requests === 0) return 'n/a';
  return `${(cpu.user / requests).toFixed(1)} / ${(cpu.system / requests).toFixed(1)}`;
}

/** Total (user + sys) µs per request of a column's process, or NaN. */
function totalPerRequest(column: ColumnCpu): number {
  if (column === null) return NaN;
  if (column.kind === 'nginx')
    return column.requests === 0 ? NaN : (column.cpu.user + column.cpu.system) / column.requests;
  const r = column.report;
  return r === null || r.requests === 0 ? NaN : (r.cpu.user + r.cpu.system) / r.requests;
}

/**
 * Table rows of CPU per request for every column: process-wide, its ratio to "nginx + body log", and the Node
 * children's threads (nginx: the worker does everything, so its rows are the process-wide figure only).
 */
function cpuRows(columns: ColumnCpu[], nginxLogIndex: number): string[][] {
  const cell = (column: ColumnCpu, pick: (r: CpuReport) => NodeJS.CpuUsage | undefined): string => {
    if (column === null) return '';
    if (column.kind === 'nginx') return pick === processWide ? perRequest(column.cpu, column.requests) : '';
    const r = column.report;
    return r === null ? 'n/a' : perRequest(pick(r), r.requests);
  };
  const processWide = (r: CpuReport): NodeJS.CpuUsage => r.cpu;
  const row = (label: string, pick: (r: CpuReport) => NodeJS.CpuUsage | undefined): string[] => [
    label,
    ...columns.map((c) => cell(c, pick)),
    '',
    '',
  ];
  const reference = totalPerRequest(columns[nginxLogIndex]);
  return [
    row('CPU per request (µs): user / sys', processWide),
    [
      'CPU per request ÷ nginx + body log',
      ...columns.map((c) => {
        const x = totalPerRequest(c) / reference;
        return Number.isFinite(x) ? `${x.toFixed(2)}×` : '';
      }),
      '',
      '',
    ],
    row('  main (proxy) thread', (r) => r.threads?.main),
    [
      '  main (proxy) thread ÷ nginx + body log (issue #16 target ≤ 2×)',
      ...columns.map((c) => {
        if (c === null || c.kind !== 'node' || c.report === null || c.report.threads === null) return '';
        const main = c.report.threads.main;
        const x = (main.user + main.system) / c.report.requests / reference;
        return Number.isFinite(x) ? `${x.toFixed(2)}×` : '';
      }),
      '',
      '',
    ],
    row('  capture thread + libuv I/O pool', (r) => r.threads?.started),
    row('  V8 helper threads (GC, compiler)', (r) => r.threads?.helpers),
  ];
}

/**
 * p50 and p99 of `runs` against the sidecar without shadow in the runs around them (A before, B after, pooled
 * per set): the value, the change against A and B pooled, and |A − B|, the run's own noise. `judged`: the change
 * must be within the noise (issue #14's rows); else the rows are a reference (the control).
 */
function changeRows(
  title: string,
  without: { a: Run[]; b: Run[] },
  runs: Run[],
  judged: boolean,
  cpu: { off: PhaseCpu; on: PhaseCpu },
): string[][] {
  const perRequest = (phase: PhaseCpu): string => {
    const us = machinePerRequest(phase);
    return Number.isNaN(us) ? 'n/a' : us.toFixed(0);
  };
  const latency = (
    [
      ['p50', (r: { p50: number }) => r.p50],
      ['p99', (r: { p99: number }) => r.p99],
    ] as const
  ).map(([name, pick]) => {
    const a = pick(summarise(pool(without.a)));
    const b = pick(summarise(pool(without.b)));
    const noise = Math.abs(a - b);
    const off = pick(summarise(pool([...without.a, ...without.b])));
    const value = pick(summarise(pool(runs)));
    const change = value - off;
    return [
      `${name} @ ${FIXED_RATE} req/s, ${title} (ms)`,
      `${ms(value)} (off: ${ms(off)}; ${change >= 0 ? '+' : ''}${ms(change)}; off before / after: ${ms(a)} / ${ms(b)}, noise ${ms(noise)})`,
      judged ? '≤ noise' : '(reference)',
      judged ? (change <= noise ? 'yes' : 'NO') : '',
    ];
  });
  // What the runs cost the whole machine (load generator, sidecar, model servers, sinks, the control's process)
  // until the sidecar's sinks were idle again: the load the p50 / p99 above were measured under.
  return [
    ...latency,
    [
      `  machine CPU µs per request at ${FIXED_RATE} req/s (every process): ${title.replace(/ \(.*$/, '')}; off`,
      `${perRequest(cpu.on)}; ${perRequest(cpu.off)}`,
      '',
      '',
    ],
  ];
}

/**
 * Table rows of the shadow comparison: the sidecar's p50 / p99 at the fixed rate without shadow in the runs just
 * before (A) and just after (B) the shadow sidecars' in each round, pooled per set (|A − B| is the run's noise),
 * with shadow traffic on pooled, the change against A and B pooled, and whether it is within the noise.
 * Plus how the shadow copies of those fixed-rate runs ended (warm-up excluded: `metricsBefore` is read after it),
 * and CPU per request of both sidecars over the same fixed-rate runs (like with like: the sidecar's own report
 * also covers its saturation runs, where batching makes a request cheaper). Rows are [measure, value, target,
 * met]; the caller puts the value in the sidecar's column.
 */
function shadowRows(
  label: string,
  without: { a: Run[]; b: Run[] },
  withShadow: Run[],
  metricsBefore: string,
  metricsAfter: string,
  cpu: { off: PhaseCpu; on: PhaseCpu },
): string[][] {
  const rows = changeRows(`shadow on ${label}`, without, withShadow, true, cpu);
  const outcome = (o: string): number => {
    const series = `plumbline_sidecar_shadow_requests_total\\{[^}]*outcome="${o}"[^}]*\\}`;
    return sumSeries(metricsAfter, series) - sumSeries(metricsBefore, series);
  };
  rows.push([
    `  shadow copies of the ${FIXED_RATE} req/s runs: sent / error / timeout / dropped`,
    ['sent', 'error', 'timeout', 'dropped'].map((o) => String(outcome(o))).join(' / '),
    'dropped 0',
    outcome('dropped') === 0 ? 'yes' : 'NO',
  ]);
  // Where the copies cost CPU: the proxy thread should do what it does without shadow, the capture thread more.
  const per = (phase: PhaseCpu, pick: (t: ThreadCpu) => NodeJS.CpuUsage): string => {
    if (phase.threads === null || phase.requests === 0) return 'n/a';
    const c = pick(phase.threads);
    return `${(c.user / phase.requests).toFixed(1)} / ${(c.system / phase.requests).toFixed(1)}`;
  };
  for (const [label, pick] of [
    ['proxy thread', (t: ThreadCpu) => t.main],
    ['capture thread + libuv I/O', (t: ThreadCpu) => t.started],
  ] as const) {
    rows.push([
      `  CPU µs per request at ${FIXED_RATE} req/s, ${label}: shadow on; off (user / sys)`,
      `${per(cpu.on, pick)}; ${per(cpu.off, pick)}`,
      '',
      '',
    ]);
  }
  return rows;
}

/** The sidecar's config in every bench mode: the model server, its model, sinks on (the spool always). */
function benchConfig(modelUrl: string, sinks: { esUrl?: string; brokers?: string[] }, spoolDir: string) {
  return {
    upstream: modelUrl,
    port: 0,
    adminPort: 0,
    logLevel: 'warn',
    ...(CAPTURE_THREAD_NICE === undefined ? {} : { captureThreadNice: CAPTURE_THREAD_NICE }),
    models: {
      iris: {
        features: ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm'],
        classes: ['setosa', 'versicolor', 'virginica'],
      },
    },
    sinks: {
      ...(sinks.esUrl
        ? {
            elasticsearch: {
              url: sinks.esUrl,
              inferenceIndex: INDEX,
              feedbackIndex: `${INDEX.replace('inference', 'feedback')}`,
            },
          }
        : {}),
      ...(sinks.brokers
        ? { kafka: { brokers: sinks.brokers, inferenceTopic: TOPIC, feedbackTopic: `${TOPIC}.feedback` } }
        : {}),
      spoolDir,
      spoolFsync: 'batch',
    },
  };
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0].toFixed(2);
  // The host's own stalls before any load, one thread and then every core busy (host-stalls.ts): the p99 rows'
  // floor on this machine.
  const stalls = [await hostStalls(1, 3), await hostStalls(cpus().length, 3)];
  const sinks = await withSinks();
  const model = await startChild('model-server-process.js');
  const modelUrl = model.info.url;
  const spoolDir = mkdtempSync(join(tmpdir(), 'plumbline-bench-spool-'));
  const config = benchConfig(modelUrl, sinks, spoolDir);
  // BENCH_SIDECAR_NODE_ARGS / BENCH_HOP_NODE_ARGS: node flags for the sidecar / hop child only.
  const nodeArgs = (name: string): string[] => (process.env[name] ?? '').split(' ').filter(Boolean);
  const sidecar = await startChild(
    'sidecar-process.js',
    [JSON.stringify(config)],
    nodeArgs('BENCH_SIDECAR_NODE_ARGS'),
  );
  const sidecarUrl = sidecar.info.url;
  const hop = await startChild('reference-proxy-process.js', [modelUrl], nodeArgs('BENCH_HOP_NODE_ARGS'));
  const hopUrl = hop.info.url;
  // The same sidecar with shadow traffic on: every request is also copied to a challenger. Each has its own
  // index, topic and spool, so the sink counts below stay the first sidecar's. Challengers: a second model server
  // (issue #14's row); a trivial answerer sending the model server's own answer back at once (the sidecar's share
  // of the change); with BENCH_SHADOW_NICE a second model server at that nice value (stand-in for its own cores).
  const challenger = await startChild('model-server-process.js');
  const modelAnswer = await fetch(`${modelUrl}/v2/models/iris/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
  }).then((r) => r.text());
  const trivial = await startChild('trivial-answerer-process.js', [modelAnswer]);
  const nicedChallenger =
    SHADOW_NICE === undefined
      ? undefined
      : await startChild('model-server-process.js', [], [], {}, SHADOW_NICE);
  const shadowConfigFor = (url: string, suffix: string) => ({
    ...config,
    shadow: { url },
    sinks: {
      ...config.sinks,
      ...(config.sinks.elasticsearch
        ? {
            elasticsearch: {
              ...config.sinks.elasticsearch,
              inferenceIndex: `${INDEX}-${suffix}`,
              feedbackIndex: `${INDEX.replace('inference', 'feedback')}-${suffix}`,
            },
          }
        : {}),
      ...(config.sinks.kafka
        ? {
            kafka: {
              ...config.sinks.kafka,
              inferenceTopic: `${TOPIC}.${suffix}`,
              feedbackTopic: `${TOPIC}.${suffix}.feedback`,
            },
          }
        : {}),
      spoolDir: mkdtempSync(join(tmpdir(), `plumbline-bench-${suffix}-spool-`)),
    },
  });
  // The same sidecar on the node data plane (dataPlane: node; raw is the default): its own index, topic and spool.
  const nodeConfig = {
    ...config,
    dataPlane: 'node',
    sinks: {
      ...config.sinks,
      ...(config.sinks.elasticsearch
        ? {
            elasticsearch: {
              ...config.sinks.elasticsearch,
              inferenceIndex: `${INDEX}-node`,
              feedbackIndex: `${INDEX.replace('inference', 'feedback')}-node`,
            },
          }
        : {}),
      ...(config.sinks.kafka
        ? {
            kafka: {
              ...config.sinks.kafka,
              inferenceTopic: `${TOPIC}.node`,
              feedbackTopic: `${TOPIC}.node.feedback`,
            },
          }
        : {}),
      spoolDir: mkdtempSync(join(tmpdir(), 'plumbline-bench-node-spool-')),
    },
  };
  const nodeSidecar = await startChild(
    'sidecar-process.js',
    [JSON.stringify(nodeConfig)],
    nodeArgs('BENCH_SIDECAR_NODE_ARGS'),
  );
  /** One shadow sidecar: its challenger, its fixed-rate runs, their CPU and its metrics before them. */
  interface ShadowSetup {
    label: string;
    sidecar: Awaited<ReturnType<typeof startChild>>;
    runs: Run[];
    cpu: PhaseCpu;
    metricsBefore: string;
  }
  const shadowSetups: ShadowSetup[] = [];
  for (const [label, url, suffix] of [
    ['→ a second model server', challenger.info.url, 'shadow'],
    ["→ a trivial answerer (the sidecar's own share)", trivial.info.url, 'shadow-trivial'],
    ...(nicedChallenger === undefined
      ? []
      : [
          [
            `→ a second model server at nice ${SHADOW_NICE} (stand-in for its own cores)`,
            nicedChallenger.info.url,
            'shadow-niced',
          ],
        ]),
  ] as const) {
    const child = await startChild(
      'sidecar-process.js',
      [JSON.stringify(shadowConfigFor(url, suffix))],
      nodeArgs('BENCH_SIDECAR_NODE_ARGS'),
    );
    shadowSetups.push({
      label,
      sidecar: child,
      runs: [],
      cpu: { requests: 0, threads: null },
      metricsBefore: '',
    });
  }
  const nginxVersion = ensureNginx();
  const nginx: NginxHandle = await startNginx('no-log', modelUrl, { logBody: false });
  const nginxLog: NginxHandle = await startNginx('body-log', modelUrl, { logBody: true });
  let servedBySidecar = 0;
  try {
    // Warm up every path (JIT, keep-alive pools, ES/Kafka connections).
    await load(modelUrl, { connections: 8, seconds: 3 });
    await load(hopUrl, { connections: 8, seconds: 3 });
    servedBySidecar += (await load(sidecarUrl, { connections: 8, seconds: 3 })).ok;
    for (const setup of shadowSetups) await load(setup.sidecar.info.url, { connections: 8, seconds: 3 });
    await load(nodeSidecar.info.url, { connections: 8, seconds: 3 });
    await load(nginx.url, { connections: 8, seconds: 3 });
    await load(nginxLog.url, { connections: 8, seconds: 3 });
    // Then one unrecorded fixed-rate run each: the first recorded round would otherwise be the first paced one
    // (GC state after the saturated warm-up, new connections), which widened the rounds' spread — the noise the
    // shadow rows are judged against — by itself (p50 2.6 ms in round 1 vs 0.6 in rounds 2 and 3 of one run).
    for (const url of [modelUrl, hopUrl, nodeSidecar.info.url, nginx.url, nginxLog.url])
      await paced(url, FIXED_RATE, WARM_UP_FIXED_SECONDS);
    servedBySidecar += (await paced(sidecarUrl, FIXED_RATE, WARM_UP_FIXED_SECONDS)).ok;
    for (const setup of shadowSetups) await paced(setup.sidecar.info.url, FIXED_RATE, WARM_UP_FIXED_SECONDS);
    // nginx's CPU is counted from here; the Node children's since they listened (warm-up included, requests too).
    const nginxCpuStart = { nginx: nginx.cpu(), nginxLog: nginxLog.cpu() };

    const modes = {
      direct: modelUrl,
      hop: hopUrl,
      nginx: nginx.url,
      nginxLog: nginxLog.url,
      sidecar: sidecarUrl,
      sidecarNode: nodeSidecar.info.url,
    };
    type Mode = keyof typeof modes;
    const MODES = Object.keys(modes) as Mode[];
    const fixed = Object.fromEntries(MODES.map((m) => [m, [] as Run[]])) as Record<Mode, Run[]>;
    const saturated = Object.fromEntries(MODES.map((m) => [m, [] as Run[]])) as Record<Mode, Run[]>;
    // The shadow sidecars' copies and CPU over the fixed-rate runs only (their warm-up is saturated: copies past
    // shadow.maxConcurrent are dropped there by design), against the sidecar's over its own fixed-rate runs.
    const none = (): ThreadCpu => ({
      main: { user: 0, system: 0 },
      helpers: { user: 0, system: 0 },
      started: { user: 0, system: 0 },
    });
    for (const setup of shadowSetups) {
      setup.metricsBefore = await (await fetch(`${setup.sidecar.info.adminUrl}/metrics`)).text();
      setup.cpu.threads = none();
    }
    const fixedOffCpu: PhaseCpu = { requests: 0, threads: none() };
    // The sidecar without shadow around the shadow sidecars' runs: A just before them, B just after (issue #14).
    const shadowOff = { a: [] as Run[], b: [] as Run[], cpu: { requests: 0, threads: none() } as PhaseCpu };
    const control: Run[] = [];
    const controlCpu: PhaseCpu = { requests: 0, threads: none() };
    const controlBurnUs: number[] = [];
    // The control's CPU follows the trivial answerer's (its row is the sidecar's own share of the shadow's cost).
    const trivialSetup = shadowSetups[1];
    // The proxy thread against nginx + body log phase by phase: a request at the fixed rate costs more than one at
    // saturation (less batching per wake-up), and the sidecar serves fewer saturated requests than nginx, so the
    // whole-run ratio weighs the sidecar's dearer requests more.
    const saturatedCpu: PhaseCpu = { requests: 0, threads: none() };
    const nginxLogPhases = {
      fixed: { cpu: { user: 0, system: 0 }, requests: 0 },
      saturated: { cpu: { user: 0, system: 0 }, requests: 0 },
    };
    const nginxLogRun = async (
      phase: { cpu: NodeJS.CpuUsage; requests: number },
      run: () => Promise<Run>,
    ): Promise<Run> => {
      const before = nginxLog.cpu();
      const result = await run();
      const after = nginxLog.cpu();
      phase.cpu.user += after.user - before.user;
      phase.cpu.system += after.system - before.system;
      phase.requests += result.requests;
      return result;
    };
    const shadowsIdle = async (): Promise<void> => {
      for (const setup of shadowSetups) await sinksIdle(setup.sidecar.info.adminUrl);
    };
    /** A fixed-rate run of a sidecar, its CPU counted until its sinks are idle again (what the run cost it). */
    const measuredPaced = async (child: typeof sidecar, phase: PhaseCpu): Promise<Run> => {
      const before = childThreads(child);
      const machineBefore = machineCpuUs();
      const run = await paced(child.info.url, FIXED_RATE, FIXED_SECONDS);
      await new Promise((resolve) => setTimeout(resolve, 100)); // the last exchanges reach the capture thread
      await sinksIdle(child.info.adminUrl);
      phase.requests += run.requests;
      phase.threads = addThreads(phase.threads, threadCpuSpent(before, childThreads(child)));
      phase.machineUs = (phase.machineUs ?? 0) + machineCpuUs() - machineBefore;
      return run;
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) {
        // Both sidecars' sinks idle: the shadow sidecar's writes (twice the events) never land in another run.
        await sinksIdle(sidecar.info.adminUrl);
        await shadowsIdle();
        await sinksIdle(nodeSidecar.info.adminUrl);
        fixed[mode].push(
          mode === 'sidecar'
            ? await measuredPaced(sidecar, fixedOffCpu)
            : mode === 'nginxLog'
              ? await nginxLogRun(nginxLogPhases.fixed, () => paced(modes[mode], FIXED_RATE, FIXED_SECONDS))
              : await paced(modes[mode], FIXED_RATE, FIXED_SECONDS),
        );
      }
      // The shadow comparison: A, the shadow sidecars and the control (in turn, the order reversed every other
      // round), B.
      const allIdle = async (): Promise<void> => {
        await sinksIdle(sidecar.info.adminUrl);
        await shadowsIdle();
      };
      const arms: (() => Promise<void>)[] = shadowSetups.map((setup) => async () => {
        setup.runs.push(await measuredPaced(setup.sidecar, setup.cpu));
      });
      if (CONTROL_BURN_US !== 0)
        arms.push(async () => {
          // The sidecar without shadow, next to unrelated CPU use of about the shadow's amount.
          const burnUs =
            CONTROL_BURN_US === 'auto'
              ? Math.max(0, machinePerRequest(trivialSetup.cpu) - machinePerRequest(shadowOff.cpu)) || 0
              : CONTROL_BURN_US;
          controlBurnUs.push(burnUs);
          const burner = await startChild('cpu-burner-process.js', [String(burnUs * FIXED_RATE)]);
          control.push(await measuredPaced(sidecar, controlCpu));
          await stopChild(burner.child);
        });
      await allIdle();
      shadowOff.a.push(await measuredPaced(sidecar, shadowOff.cpu));
      for (const arm of round % 2 === 0 ? arms : [...arms].reverse()) {
        await allIdle();
        await arm();
      }
      await allIdle();
      shadowOff.b.push(await measuredPaced(sidecar, shadowOff.cpu));
      for (const mode of MODES) {
        const saturate = (): Promise<Run> =>
          load(modes[mode], { connections: SATURATION_CONNECTIONS, seconds: SATURATION_SECONDS });
        if (mode === 'nginxLog') saturated[mode].push(await nginxLogRun(nginxLogPhases.saturated, saturate));
        else if (mode === 'sidecar') {
          const before = childThreads(sidecar);
          const run = await saturate();
          saturatedCpu.requests += run.requests;
          saturatedCpu.threads = addThreads(
            saturatedCpu.threads,
            threadCpuSpent(before, childThreads(sidecar)),
          );
          saturated[mode].push(run);
        } else saturated[mode].push(await saturate());
      }
    }
    servedBySidecar += [
      ...fixed.sidecar,
      ...saturated.sidecar,
      ...shadowOff.a,
      ...shadowOff.b,
      ...control,
    ].reduce((n, r) => n + r.ok, 0);
    // Exchanges still on their way to the capture thread (≤ 5 ms) and its sink queues settle first.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sinksIdle(sidecar.info.adminUrl);
    const metricsText = await (await fetch(`${sidecar.info.adminUrl}/metrics`)).text();
    const shadowMetricsAfter: string[] = [];
    for (const setup of shadowSetups)
      shadowMetricsAfter.push(await (await fetch(`${setup.sidecar.info.adminUrl}/metrics`)).text());
    // The shadow sidecars first: their final flush must not compete with the first sidecar's, whose events count.
    for (const setup of shadowSetups) await stopWithReport(setup.sidecar.child);
    const nginxSpent = (handle: NginxHandle, start: NodeJS.CpuUsage, mode: Mode): ColumnCpu => {
      const end = handle.cpu();
      const requests = [...fixed[mode], ...saturated[mode]].reduce((n, r) => n + r.requests, 0);
      return {
        kind: 'nginx',
        cpu: { user: end.user - start.user, system: end.system - start.system },
        requests,
      };
    };
    const nginxCpu = nginxSpent(nginx, nginxCpuStart.nginx, 'nginx');
    const nginxLogCpu = nginxSpent(nginxLog, nginxCpuStart.nginxLog, 'nginxLog');
    const nginxLogLines = nginxLog.logLines();
    const nodePlaneCpu = await stopWithReport(nodeSidecar.child);
    const [hopCpu, sidecarCpu] = await Promise.all([
      stopWithReport(hop.child),
      stopWithReport(sidecar.child),
    ]);
    const counts = await countSinks(sinks.esUrl, sinks.brokers);
    if (!sinks.esUrl && !sinks.brokers) {
      // No Elasticsearch or Kafka: the spool is the embedded store the exporter reads.
      let stored = 0;
      for await (const entry of openSpoolReader(spoolDir).entries()) if (entry.kind === 'inference') stored++;
      counts['spool store'] = stored;
    }

    const stats = Object.fromEntries(
      MODES.map((m) => [m, { fixed: summarise(pool(fixed[m])), saturated: summarise(pool(saturated[m])) }]),
    ) as Record<Mode, { fixed: ReturnType<typeof summarise>; saturated: ReturnType<typeof summarise> }>;
    const d = stats.direct.fixed;
    const errors = (mode: Mode): number =>
      [...fixed[mode], ...saturated[mode]].reduce((n, r) => n + r.errors, 0);
    const overheadSeries = /plumbline_sidecar_overhead_seconds_sum\{[^}]*\} ([0-9.e+-]+)/.exec(metricsText);
    const overheadCount = /plumbline_sidecar_overhead_seconds_count\{[^}]*\} ([0-9.e+-]+)/.exec(metricsText);
    const plus = (x: number): string => `${x >= 0 ? '+' : ''}${ms(x)}`;
    const labels: Record<Mode, string> = {
      direct: 'direct',
      hop: 'Node hop (ref.)',
      nginx: 'nginx, no log (ref.)',
      nginxLog: 'nginx + body log (ref.)',
      sidecar: 'via sidecar',
      sidecarNode: 'sidecar, dataPlane: node',
    };
    /** A row with one cell per mode. */
    const perMode = (label: string, cell: (m: Mode) => string, target = '', met = ''): string[] => [
      label,
      ...MODES.map(cell),
      target,
      met,
    ];
    /** A row with a value in the sidecar's column only. */
    const sidecarOnly = ([label, value, target, met]: string[]): string[] =>
      perMode(label, (m) => (m === 'sidecar' ? value : ''), target, met);
    const added = (m: Mode, pick: (x: ReturnType<typeof summarise>) => number): number =>
      pick(stats[m].fixed) - pick(d);
    const vsNginx = (m: Mode, pick: (x: ReturnType<typeof summarise>) => number): string =>
      m === 'direct' || m === 'nginxLog'
        ? ''
        : `; ${plus(added(m, pick) - added('nginxLog', pick))} vs nginx+log`;
    const latencyRow = (name: 'p50' | 'p99', target: number): string[] => {
      const pick = (x: ReturnType<typeof summarise>): number => x[name];
      return perMode(
        `${name} @ ${FIXED_RATE} req/s (ms): value (added vs direct; vs nginx+log's added)`,
        (m) =>
          m === 'direct'
            ? ms(pick(stats[m].fixed))
            : `${ms(pick(stats[m].fixed))} (${plus(added(m, pick))}${vsNginx(m, pick)})`,
        `sidecar ≤ nginx+log's added +${ms(target)}`,
        added('sidecar', pick) - added('nginxLog', pick) <= target ? 'yes' : 'NO',
      );
    };
    /** Median over rounds of (mode's saturated rate / `base`'s in the same round). */
    const satRatio = (mode: Mode, base: Mode = 'direct'): number => {
      const ratios = saturated[mode]
        .map((r, i) => summarise(r).rps / summarise(saturated[base][i]).rps)
        .sort((a, b) => a - b);
      return ratios[Math.floor(ratios.length / 2)];
    };
    const rows: string[][] = [
      ['measure', ...MODES.map((m) => labels[m]), 'target', 'met'],
      // Issue #16: the sidecar's added latency at most nginx + body log's added, + 0.1 ms (p50) / + 0.5 ms (p99).
      latencyRow('p50', 0.1),
      latencyRow('p99', 0.5),
      perMode('achieved rate (req/s)', (m) => stats[m].fixed.rps.toFixed(0), `${FIXED_RATE}`),
      perMode(`saturation, ${SATURATION_CONNECTIONS} conns (req/s)`, (m) =>
        stats[m].saturated.rps.toFixed(0),
      ),
      perMode(
        `  ÷ direct / ÷ nginx+log (median of ${ROUNDS} rounds)`,
        (m) => (m === 'direct' ? '' : `${satRatio(m).toFixed(3)} / ${satRatio(m, 'nginxLog').toFixed(3)}`),
        'sidecar ≥ 0.850 of direct',
        satRatio('sidecar') >= 0.85 ? 'yes' : 'NO',
      ),
      perMode(
        'saturation p50 / p99 (ms)',
        (m) => `${ms(stats[m].saturated.p50)} / ${ms(stats[m].saturated.p99)}`,
      ),
      perMode(
        'client errors (non-2xx, timeouts)',
        (m) => String(errors(m)),
        '0',
        errors('sidecar') === 0 ? 'yes' : 'NO',
      ),
      perMode('access log lines (nginx + body log)', (m) => (m === 'nginxLog' ? String(nginxLogLines) : '')),
    ];
    // Every event the sidecar captured must be in every sink. Captured ≥ served 2xx: requests in flight when a
    // load run ends complete at the sidecar (and are captured) after the load generator stopped listening.
    const captured = sumSeries(metricsText, 'plumbline_sidecar_events_total');
    rows.push(
      sidecarOnly([
        'events captured / client-seen 2xx',
        `${captured} / ${servedBySidecar}`,
        '≥',
        captured >= servedBySidecar ? 'yes' : 'NO',
      ]),
    );
    const held = await heldInSpool(
      spoolDir,
      Object.keys(counts).filter((k) => k !== 'spool store'),
    );
    for (const [sink, n] of Object.entries(counts))
      rows.push(sidecarOnly(sinkRow(sink, n, held[sink] ?? 0, captured)));
    // Events a slow sink spooled and replayed while the sidecar ran (what is still held is in the rows above).
    rows.push(
      sidecarOnly([
        'events spooled / replayed before the stop (every sink)',
        `${sumSeries(metricsText, 'plumbline_sidecar_events_spooled_total')} / ${sumSeries(metricsText, 'plumbline_sidecar_events_replayed_total')}`,
        '',
        '',
      ]),
    );
    shadowSetups.forEach((setup, i) =>
      rows.push(
        ...shadowRows(setup.label, shadowOff, setup.runs, setup.metricsBefore, shadowMetricsAfter[i], {
          off: shadowOff.cpu,
          on: setup.cpu,
        }).map(sidecarOnly),
      ),
    );
    if (control.length > 0)
      rows.push(
        ...changeRows(
          `no shadow, an unrelated process using ${(controlBurnUs.reduce((a, b) => a + b, 0) / controlBurnUs.length).toFixed(0)} µs of CPU per request (control${CONTROL_BURN_US === 'auto' ? ": the trivial answerer's machine-wide extra" : ''})`,
          shadowOff,
          control,
          false,
          { off: shadowOff.cpu, on: controlCpu },
        ).map(sidecarOnly),
      );
    const columnCpu: Record<Mode, ColumnCpu> = {
      direct: null,
      hop: { kind: 'node', report: hopCpu },
      nginx: nginxCpu,
      nginxLog: nginxLogCpu,
      sidecar: { kind: 'node', report: sidecarCpu },
      sidecarNode: { kind: 'node', report: nodePlaneCpu },
    };
    rows.push(
      ...cpuRows(
        MODES.map((m) => columnCpu[m]),
        MODES.indexOf('nginxLog'),
      ),
    );
    const phaseRatio = (phase: PhaseCpu, nginxPhase: { cpu: NodeJS.CpuUsage; requests: number }): string => {
      if (phase.threads === null || phase.requests === 0 || nginxPhase.requests === 0) return 'n/a';
      const main = (phase.threads.main.user + phase.threads.main.system) / phase.requests;
      const ref = (nginxPhase.cpu.user + nginxPhase.cpu.system) / nginxPhase.requests;
      return `${(main / ref).toFixed(2)}× (${main.toFixed(1)} vs ${ref.toFixed(1)} µs)`;
    };
    rows.push(
      sidecarOnly([
        '  main (proxy) thread ÷ nginx + body log, phase by phase: at 1000 req/s; saturated',
        `${phaseRatio(fixedOffCpu, nginxLogPhases.fixed)}; ${phaseRatio(saturatedCpu, nginxLogPhases.saturated)}`,
        '≤ 2×',
        '',
      ]),
    );
    if (overheadSeries && overheadCount) {
      const mean = (Number(overheadSeries[1]) / Number(overheadCount[1])) * 1000;
      rows.push(sidecarOnly(['sidecar-measured overhead, mean (ms)', ms(mean), '', '']));
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const line = (r: string[]): string => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
    process.stdout.write(
      `\nplumbline sidecar benchmark — sinks: ${sinks.note}; reference: ${nginxVersion}, 1 worker\n` +
        `${ROUNDS} alternating rounds per mode: ${FIXED_SECONDS} s at ${FIXED_RATE} req/s, ${SATURATION_SECONDS} s saturated; ` +
        `${cpus().length} cores shared by load generator, model server, proxies and sinks; ` +
        `load average before/after: ${loadBefore} / ${loadavg()[0].toFixed(2)}; ` +
        `captureThreadNice: ${CAPTURE_THREAD_NICE ?? `${parseConfig({ upstream: modelUrl }).captureThreadNice} (default)`}\n` +
        `host stalls before the load (a thread runnable and not run): ${stalls.map(describeStalls).join('; ')}\n\n`,
    );
    process.stdout.write(`${line(rows[0])}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
    for (const r of rows.slice(1)) process.stdout.write(`${line(r)}\n`);
    process.stdout.write('\n');
  } finally {
    await nginx.stop();
    await nginxLog.stop();
    await stopChild(hop.child);
    await stopChild(sidecar.child);
    for (const setup of shadowSetups) await stopChild(setup.sidecar.child);
    await stopChild(nodeSidecar.child);
    await stopChild(challenger.child);
    await stopChild(trivial.child);
    if (nicedChallenger !== undefined) await stopChild(nicedChallenger.child);
    await stopChild(model.child);
    await sinks.stop();
  }
}

/** BENCH_MEMORY_SECONDS: the memory mode's load duration (issue #16: 3 minutes), at BENCH_MEMORY_RATE req/s. */
const MEMORY_SECONDS = Number(process.env.BENCH_MEMORY_SECONDS ?? 0);
const MEMORY_RATE = Number(process.env.BENCH_MEMORY_RATE ?? 1500);
const MEMORY_SAMPLE_SECONDS = 30;
/** BENCH_MEMORY_LIMIT_MB: the sidecar runs in a memory cgroup with this limit (a pod's limits.memory). */
const MEMORY_LIMIT_MB = Number(process.env.BENCH_MEMORY_LIMIT_MB ?? 0);
const MB = 1024 * 1024;

/** Resident bytes of a process now (VmRSS), or NaN. */
function rssOf(pid: number | undefined): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m === null ? NaN : Number(m[1]) * 1024;
  } catch {
    return NaN;
  }
}

/** Asks a sidecar child for its MemoryReport (SIGUSR2, one JSON line back). */
function askMemory(child: ChildProcess): Promise<MemoryReport> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as Partial<MemoryReport>;
      if (msg.memory) {
        lines.close();
        resolve(msg as MemoryReport);
      }
    });
    child.kill('SIGUSR2');
  });
}

/**
 * `BENCH_MEMORY_SECONDS=180 npm run bench:sidecar`: the sidecar alone (default data plane; BENCH_SIDECAR_NODE_ARGS
 * apply; the examples' environment, SIDECAR_MEMORY_ENV, unless BENCH_SIDECAR_ENV says otherwise;
 * BENCH_CAPTURE_MODE=inline runs capture on the proxy thread, one isolate), sinks on, at BENCH_MEMORY_RATE (1,500) req/s open loop for that long; its resident memory every 30 s,
 * then where it is: each isolate's heap (proxy thread, capture thread) committed / used / young generation,
 * off-heap buffers, and the rest of the anonymous memory (malloc: libuv, OpenSSL, zlib, V8's own tables) and the
 * mapped files (the node binary, shared libraries). Issue #16 target: ≤ 100 MB after 3 minutes, no event lost.
 * BENCH_MEMORY_LIMIT_MB=N runs the sidecar in a memory cgroup limited to N MB, as a pod's `limits.memory` does (Node
 * sizes V8's heap limit from it): the header then gives the group's peak usage and OOM kills, and a sidecar the OOM
 * killer ended is reported as such.
 */
async function memoryMain(): Promise<void> {
  const loadBefore = loadavg()[0].toFixed(2);
  const sinks = await withSinks();
  const model = await startChild('model-server-process.js');
  const spoolDir = mkdtempSync(join(tmpdir(), 'plumbline-bench-spool-'));
  const config = benchConfig(model.info.url, sinks, spoolDir);
  const nodeArgs = (process.env.BENCH_SIDECAR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // BENCH_SIDECAR_ENV (a JSON object, '{}' for none): the sidecar's environment on top of the bench's; by default
  // the one the examples run it with (SIDECAR_MEMORY_ENV: NODE_OPTIONS, MALLOC_ARENA_MAX).
  const env = JSON.parse(process.env.BENCH_SIDECAR_ENV ?? JSON.stringify(SIDECAR_MEMORY_ENV)) as Record<
    string,
    string
  >;
  const limit =
    MEMORY_LIMIT_MB > 0
      ? createMemoryLimit(MEMORY_LIMIT_MB * MB, `plumbline-bench-${process.pid}`)
      : undefined;
  const sidecar = await startChild(
    'sidecar-process.js',
    [JSON.stringify(config)],
    nodeArgs,
    env,
    undefined,
    limit,
  );
  const ended = (): boolean => sidecar.child.exitCode !== null || sidecar.child.signalCode !== null;
  const mb = (x: number): string => (x / MB).toFixed(1);
  try {
    const startRss = rssOf(sidecar.child.pid);
    let served = (await load(sidecar.info.url, { connections: 8, seconds: 3 })).ok;
    const samples: Array<[number, number]> = [[0, startRss]];
    const runs: Run[] = [];
    for (let t = 0; t < MEMORY_SECONDS && !ended(); t += MEMORY_SAMPLE_SECONDS) {
      const seconds = Math.min(MEMORY_SAMPLE_SECONDS, MEMORY_SECONDS - t);
      runs.push(await paced(sidecar.info.url, MEMORY_RATE, seconds));
      samples.push([t + seconds, rssOf(sidecar.child.pid)]);
    }
    const limitNote =
      limit === undefined
        ? ''
        : `; memory limit ${MEMORY_LIMIT_MB} MB (cgroup): peak usage ${mb(limit.peakBytes())} MB, OOM kills ${limit.oomKills()}`;
    if (ended()) {
      // Killed (by the OOM killer, under a limit): what it reached, and no memory report to ask for.
      process.stdout.write(
        `\nplumbline sidecar memory — the sidecar ENDED during the load (${sidecar.child.signalCode ?? `exit ${sidecar.child.exitCode}`})` +
          `${limitNote}; resident memory every 30 s: ${samples.map(([t, rss]) => `${t}s ${mb(rss)}`).join(', ')}\n`,
      );
      return;
    }
    const mem = await askMemory(sidecar.child);
    const all = pool(runs);
    served += all.ok;
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sinksIdle(sidecar.info.adminUrl);
    const metricsText = await (await fetch(`${sidecar.info.adminUrl}/metrics`)).text();
    const cpu = await stopWithReport(sidecar.child);
    const counts = await countSinks(sinks.esUrl, sinks.brokers);
    if (!sinks.esUrl && !sinks.brokers) {
      // No Elasticsearch or Kafka: the spool is the embedded store (else it only holds what a sink could not take).
      let stored = 0;
      for await (const entry of openSpoolReader(spoolDir).entries()) if (entry.kind === 'inference') stored++;
      counts['spool store'] = stored;
    }
    const captured = sumSeries(metricsText, 'plumbline_sidecar_events_total');
    const held = await heldInSpool(
      spoolDir,
      Object.keys(counts).filter((k) => k !== 'spool store'),
    );

    const heaps = [mem.main, ...mem.workers];
    const heapCommitted = heaps.reduce((n, h) => n + h.committed, 0);
    const external = heaps.reduce((n, h) => n + h.external, 0);
    const rows: string[][] = [
      ['measure', 'value', 'target', 'met'],
      ['resident memory (MB) every 30 s', samples.map(([t, rss]) => `${t}s ${mb(rss)}`).join(', '), '', ''],
      [
        `resident memory after ${MEMORY_SECONDS} s (MB); peak`,
        `${mb(mem.rss)}; peak ${mb(mem.peakRss)}`,
        '≤ 100',
        mem.rss <= 100 * MB ? 'yes' : 'NO',
      ],
      ['  anonymous / file-backed (MB)', `${mb(mem.rssAnon)} / ${mb(mem.rssFile)}`, '', ''],
      ...heaps.map((h, i) => [
        `  ${i === 0 ? 'proxy thread' : i === 1 ? 'capture thread' : `worker ${i}`} heap: committed (young) / used (MB)`,
        `${mb(h.committed)} (${mb(h.young)}) / ${mb(h.used)}`,
        '',
        '',
      ]),
      ['  off-heap buffers V8 accounts for (MB)', mb(external), '', ''],
      [
        '  other anonymous: malloc, libuv, OpenSSL, V8 tables (MB)',
        mb(mem.rssAnon - heapCommitted - external),
        '',
        '',
      ],
      [
        'achieved rate (req/s); client errors',
        `${(all.ok / all.seconds).toFixed(0)}; ${all.errors}`,
        `${MEMORY_RATE}; 0`,
        all.errors === 0 ? 'yes' : 'NO',
      ],
      [
        'CPU per request (µs): process; proxy thread; capture + I/O; V8 helpers (GC)',
        cpu === null || cpu.threads === null
          ? 'n/a'
          : [cpu.cpu, cpu.threads.main, cpu.threads.started, cpu.threads.helpers]
              .map((c) => ((c.user + c.system) / cpu.requests).toFixed(1))
              .join('; '),
        '',
        '',
      ],
      [
        'events captured / client-seen 2xx',
        `${captured} / ${served}`,
        '≥',
        captured >= served ? 'yes' : 'NO',
      ],
      ...Object.entries(counts).map(([sink, n]) => sinkRow(sink, n, held[sink] ?? 0, captured)),
    ];
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const line = (r: string[]): string => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
    process.stdout.write(
      `\nplumbline sidecar memory — sinks: ${sinks.note}; ${MEMORY_SECONDS} s at ${MEMORY_RATE} req/s; ` +
        `dataPlane ${(config as { dataPlane?: string }).dataPlane ?? 'default'}; node args: ${nodeArgs.join(' ') || 'none'}; ` +
        `env: ${
          Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ') || 'none'
        }; ` +
        `capture: ${process.env.BENCH_CAPTURE_MODE === 'inline' ? 'inline (proxy thread)' : 'thread'}${limitNote}; ` +
        `load average before/after: ${loadBefore} / ${loadavg()[0].toFixed(2)}\n\n`,
    );
    process.stdout.write(`${line(rows[0])}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
    for (const r of rows.slice(1)) process.stdout.write(`${line(r)}\n`);
    process.stdout.write('\n');
  } finally {
    await stopChild(sidecar.child);
    await stopChild(model.child);
    await sinks.stop();
    limit?.remove();
  }
}

(MEMORY_SECONDS > 0 ? memoryMain() : main()).catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
