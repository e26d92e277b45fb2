/**
 * Where one evaluation of the one-hour window's time goes, stage by stage, as CPU time (process.cpuUsage: on a
 * shared machine wall time holds the waits for a core), with the time the garbage collector took (PerformanceObserver
 * `gc` entries). Not a test and not `bench:exporter` (which times the whole evaluation): a profile to decide what to
 * work on, and the way to check that a change leaves reports alone.
 *
 *   node --expose-gc exporter/bench/run.js evaluation-stages.ts [rate=10000] [runs=12] [report.json]
 *
 * Builds the hour at `rate` events/s as bench:exporter does (hour-window.ts) and evaluates it twice (the second time
 * nothing changed), then slides the window a minute at a time as the service sees it (the next minute folded, the
 * ground truth that arrived, the oldest bucket evicted) and evaluates it: `runs` times after a forced GC each (CPU
 * and GC pauses), `runs` times back to back (the collection of the evaluations' garbage amortised), and `runs`
 * times stage by stage. Prints the least and the median of each. With a third argument, writes there every report
 * of the whole evaluations, in order (durationSeconds set to 0), to compare before and after a change byte for byte
 * (`cmp`). With EVALUATION_PROFILE=file.cpuprofile, each back-to-back evaluation is also profiled (V8's sampling
 * profiler, 0.1 ms) into file.cpuprofile.0, .1, … (the slides in between are not).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { dataQualityChecks } from '../src/data-quality';
import { evaluateWindow, windowMultivariateDrift } from '../src/service/evaluate-window';
import { windowFeatureSummaries } from '../src/windows';
import {
  checkoutSortedColumnBuffers,
  returnSortedColumnBuffers,
  sortedSampleColumns,
  windowDriftInputs,
} from '../src/windows/buckets';
import { MODEL } from './production-events';
import { buildHourWindow, evaluationInput } from './hour-window';

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

function record(times: Map<string, number[]>, name: string, ms: number): void {
  const list = times.get(name) ?? [];
  list.push(ms);
  times.set(name, list);
}

/** Runs `fn`, adds its CPU time to `times[name]`. */
function stage<T>(times: Map<string, number[]>, name: string, fn: () => T): T {
  const c = process.cpuUsage();
  const out = fn();
  record(times, name, cpuMs(c));
  return out;
}

/** The V8 CPU profiler over what runs until `stop` (a .cpuprofile, as `node --cpu-prof` writes). */
async function startProfiler(): Promise<{ stop: () => Promise<object> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      session.disconnect();
      return profile;
    },
  };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const rate = Number(process.argv[3] ?? 10_000);
  const runs = Number(process.argv[4] ?? 12);
  const reportPath = process.argv[5];
  const profilePath = process.env.EVALUATION_PROFILE;
  const load = loadavg()[0];
  const hour = await buildHourWindow(rate);
  const { store, baseline, config } = hour;
  const times = new Map<string, number[]>();
  const reports: unknown[] = [];
  const evaluate = () => {
    const report = evaluateWindow(evaluationInput(hour, store.window(MODEL, hour.range)));
    reports.push({ ...report, durationSeconds: 0 });
    return report;
  };
  const settle = async (): Promise<void> => {
    gc();
    // The collector's helper threads finish sweeping (their CPU time would count in the next evaluation's), and
    // the gc entries so far are delivered before the count is reset.
    await new Promise((r) => setTimeout(r, 300));
    gcMs = 0;
  };
  const delivered = () => new Promise((r) => setTimeout(r, 50)); // the gc entries so far are delivered
  // The hour as built, evaluated twice (nothing changed in between), then after each slide of the window.
  for (const name of ['first evaluation of the hour', 'the same window again']) {
    await settle();
    const c = process.cpuUsage();
    evaluate();
    record(times, name, cpuMs(c));
  }
  for (let i = 0; i < runs; i++) {
    hour.slide();
    await settle();
    const c = process.cpuUsage();
    evaluate();
    const whole = cpuMs(c);
    await delivered();
    record(times, 'after a slide: whole evaluation (store.window + evaluateWindow)', whole);
    record(times, '… of which GC pauses (wall)', gcMs);
  }
  // Back to back, no forced GC: the CPU per evaluation with the collection of its garbage amortised.
  await settle();
  let total = 0;
  for (let i = 0; i < runs; i++) {
    hour.slide();
    const profiler = profilePath ? await startProfiler() : null;
    const c = process.cpuUsage();
    evaluate();
    total += cpuMs(c);
    if (profiler) writeFileSync(`${profilePath}.${i}`, JSON.stringify(await profiler.stop()));
  }
  await delivered();
  record(times, `slide + evaluation, ${runs} back to back: evaluation (mean)`, total / runs);
  record(times, '… GC pauses of slides and evaluations (wall, mean)', gcMs / runs);
  for (let i = 0; i < runs; i++) {
    hour.slide();
    await settle();
    const w = stage(times, 'merge 60 buckets (store.window)', () => store.window(MODEL, hour.range));
    const buffers = checkoutSortedColumnBuffers(); // as evaluateWindow does
    const sorted = stage(times, 'sample columns sorted', () => sortedSampleColumns(w.state, buffers));
    stage(times, 'summaries', () => windowFeatureSummaries(w.state, w.schema, sorted));
    stage(times, 'data quality', () =>
      dataQualityChecks(w.state, w.schema, w.profile, hour.model.dataQuality),
    );
    const inputs = stage(times, 'drift inputs', () =>
      windowDriftInputs(w.state, w.schema, w.profile, sorted),
    );
    const truths = stage(times, 'label join: ground truth (w.truths)', () => w.truths!());
    const labels = truths.values.slice();
    labels.length = truths.rows;
    labels.fill(null as unknown as string, truths.values.length);
    stage(times, 'drift (evaluateInputs)', () =>
      baseline.detector.evaluateInputs(inputs, { [w.schema.labelColumn ?? 'label']: labels }),
    );
    stage(times, 'multivariate', () => windowMultivariateDrift(w));
    stage(times, 'label join: quality (w.quality)', () =>
      w.quality!({ confidenceThreshold: config.confidenceThreshold, maxClasses: config.maxClasses }),
    );
    returnSortedColumnBuffers(buffers);
  }
  hour.pool.close();
  const rows: string[] = ['| stage | least | median |', '| --- | --- | --- |'];
  for (const [name, list] of times)
    rows.push(`| ${name} | ${Math.min(...list).toFixed(1)} ms | ${median(list).toFixed(1)} ms |`);
  process.stdout.write(
    `${rows.join('\n')}\n\n${rate.toLocaleString('en')} events/s, ${runs} runs each, CPU time; load average ${load.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end; Node ${process.version}\n`,
  );
  if (reportPath) writeFileSync(reportPath, `${JSON.stringify(reports, null, 1)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
