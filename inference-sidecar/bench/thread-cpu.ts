/**
 * CPU time per OS thread of this process, from /proc/self/task/<tid>/stat (Linux). process.cpuUsage() is one
 * number for the whole process; this splits it three ways, so the bench can compare the sidecar's proxy thread
 * with the reference hop's main thread and see where the rest goes:
 * - main: the main thread (tid = pid), the sidecar's proxy thread;
 * - helpers: the threads that already existed when the process called `threadIds()` at start-up, before the
 *   sidecar was created: V8's platform threads (concurrent/parallel GC, compiler) serving every isolate;
 * - started: threads started later: the sidecar's capture thread (a worker) and libuv's I/O pool (fs, fsync).
 * Clock-tick resolution (10 ms); elsewhere than Linux the functions return null.
 * The bench reads its children's threads the same way (`pid`), to split CPU by phase: a child's own report covers
 * everything since it listened.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadCpu {
  /** µs, like process.cpuUsage(). */
  main: NodeJS.CpuUsage;
  helpers: NodeJS.CpuUsage;
  started: NodeJS.CpuUsage;
}

/** What the sidecar and the reference hop children print when they stop. */
export interface CpuReport {
  stopped: true;
  /** Requests the child's server received since it listened. */
  requests: number;
  cpu: NodeJS.CpuUsage;
  threads: ThreadCpu | null;
}

/** USER_HZ: 100 on every Linux Node supports (sysconf(_SC_CLK_TCK)). */
const TICK_US = 10_000;

/** The ids of this process's threads now (or process `pid`'s), or null without /proc. */
export function threadIds(pid: number | 'self' = 'self'): Set<string> | null {
  try {
    return new Set(readdirSync(`/proc/${pid}/task`));
  } catch {
    return null;
  }
}

/** utime and stime (fields 14 and 15 of stat; the name in parentheses may hold spaces) in µs. */
function taskCpu(pid: number | 'self', tid: string): NodeJS.CpuUsage | null {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) * TICK_US, system: Number(fields[12]) * TICK_US };
  } catch {
    return null; // the thread ended between readdir and read
  }
}

/** CPU used so far by this process (or process `pid`), split by `helpers` (the ids threadIds() returned at start-up). */
export function threadCpu(helpers: Set<string> | null, pid?: number): ThreadCpu | null {
  const tids = threadIds(pid ?? 'self');
  const mainTid = pid ?? process.pid;
  if (tids === null || helpers === null) return null;
  const out: ThreadCpu = {
    main: { user: 0, system: 0 },
    helpers: { user: 0, system: 0 },
    started: { user: 0, system: 0 },
  };
  for (const tid of tids) {
    const cpu = taskCpu(pid ?? 'self', tid);
    if (cpu === null) continue;
    const into = Number(tid) === mainTid ? out.main : helpers.has(tid) ? out.helpers : out.started;
    into.user += cpu.user;
    into.system += cpu.system;
  }
  return out;
}

/** `end` minus `start` (threads that ended in between are missing from `started`). */
export function threadCpuSpent(start: ThreadCpu | null, end: ThreadCpu | null): ThreadCpu | null {
  if (start === null || end === null) return null;
  const minus = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): NodeJS.CpuUsage => ({
    user: a.user - b.user,
    system: a.system - b.system,
  });
  return {
    main: minus(end.main, start.main),
    helpers: minus(end.helpers, start.helpers),
    started: minus(end.started, start.started),
  };
}

/**
 * For a bench child whose server now listens: counts CPU from here and, on SIGTERM, takes its CpuReport at once
 * (the shutdown's own work, such as flushing sinks, is not counted), runs `stop`, prints the report and exits.
 */
export function reportCpuOnSigterm(
  helpers: Set<string> | null,
  requests: () => number,
  stop: () => Promise<unknown>,
): void {
  const startCpu = process.cpuUsage();
  const startThreads = threadCpu(helpers);
  process.once('SIGTERM', () => {
    const report: CpuReport = {
      stopped: true,
      requests: requests(),
      cpu: process.cpuUsage(startCpu),
      threads: threadCpuSpent(startThreads, threadCpu(helpers)),
    };
    void stop().then(() => {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      process.exit(0);
    });
  });
}
