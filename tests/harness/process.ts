/**
 * Service process lifecycle: free loopback ports, start with a health-check deadline, stop the whole process
 * group (SIGTERM, then SIGKILL after a grace period), restart on the same port, pid files and stale cleanup.
 *
 * Every service runs in its own process group (detached) with stdout/stderr appended to one log file. A pid
 * file in test-artifacts/services/pids/ records the group and the process that owns it; whenever a service
 * starts, groups whose owner has died (a crashed or killed jest run) are killed first. Services owned by this
 * process are also killed by an exit hook, so an aborted test file leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { RUN_DIR_ENV, pidsDir, servicesDir } from './paths';

export interface ServiceHandle {
  name: string;
  url: string;
  port: number;
  logFile: string;
  logTail(lines?: number): string;
  stop(): Promise<void>;
  /** Process group of the running server (0 while stopped). */
  readonly pgid?: number;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; the listener is closed before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('could not obtain a free port'));
      });
    });
  });
}

/** What a server's start-up failure says when the free port it was given was taken before it bound it. */
const PORT_CLASH =
  /BindHttpException|BindTransportException|Failed to bind|address already in use|BindException|EADDRINUSE/i;

/**
 * Starts a server on ports from {@link freePort}, again on new ports (up to `attempts` starts) when it failed because
 * one of them was taken in between: the OS hands the same range out for outgoing connections, and a JVM takes
 * seconds to bind, so on a busy machine a port can go to another process in that time.
 */
export async function retryOnPortClash<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= attempts || !PORT_CLASH.test(String((err as Error)?.message ?? err))) throw err;
    }
  }
}

/** The last `lines` lines of a file ('' when it does not exist). */
export function tailFile(file: string, lines = 60): string {
  if (!existsSync(file)) return '';
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const length = Math.min(size, 256 * 1024);
    const buffer = Buffer.alloc(length);
    readFileSyncRange(fd, buffer, size - length);
    return buffer
      .toString('utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trimEnd();
  } finally {
    closeSync(fd);
  }
}

function readFileSyncRange(fd: number, buffer: Buffer, position: number): void {
  let offset = 0;
  while (offset < buffer.length) {
    const n = readSync(fd, buffer, offset, buffer.length - offset, position + offset);
    if (n === 0) break;
    offset += n;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pid files and stale cleanup.

interface PidRecord {
  name: string;
  /** Leader of the service's process group (its pid). */
  pgid: number;
  /** The process responsible for stopping it; when it is gone, the service is stale. */
  ownerPid: number;
  /** The owner's start time (from /proc), so a recycled pid is not mistaken for the owner. */
  ownerStart: string;
  logFile: string;
}

/** Start time of a process in clock ticks since boot, or '' when it is not running / not readable. */
export function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); fields after the parenthesised command name are space-separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? '';
  } catch {
    return '';
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while any process of the group `pgid` is alive (EPERM: alive, but not ours to signal). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

function pidFile(name: string, pgid: number): string {
  return join(pidsDir(), `${name}-${pgid}.json`);
}

function writePidRecord(record: PidRecord): void {
  mkdirSync(pidsDir(), { recursive: true });
  writeFileSync(pidFile(record.name, record.pgid), JSON.stringify(record));
}

function removePidRecord(name: string, pgid: number): void {
  rmSync(pidFile(name, pgid), { force: true });
}

function ownerAlive(record: PidRecord): boolean {
  return isAlive(record.ownerPid) && processStartTime(record.ownerPid) === record.ownerStart;
}

/** Kills every service group whose owner process is gone, and removes its pid file. Returns what it killed. */
export function cleanupStaleServices(): string[] {
  if (!existsSync(pidsDir())) return [];
  const killed: string[] = [];
  for (const entry of readdirSync(pidsDir())) {
    if (!entry.endsWith('.json')) continue;
    const file = join(pidsDir(), entry);
    let record: PidRecord;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
    } catch {
      continue; // being written right now
    }
    if (ownerAlive(record)) continue;
    if (groupAlive(record.pgid)) {
      killGroup(record.pgid, 'SIGKILL');
      killed.push(`${record.name} (pgid ${record.pgid})`);
    }
    rmSync(file, { force: true });
  }
  return killed;
}

// ---------------------------------------------------------------------------------------------------------------
// Exit hooks: kill what this process owns even when a test file aborts.

const ownedGroups = new Map<number, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killOwned = () => {
    for (const [pgid, name] of ownedGroups) {
      killGroup(pgid, 'SIGKILL');
      removePidRecord(name, pgid);
    }
    ownedGroups.clear();
  };
  process.on('exit', killOwned);
  // A signal ends the process without 'exit': kill what we own, then let the signal do what it would have done.
  onTerminatingSignal(killOwned);
}

/**
 * Runs `action` (synchronous) when SIGINT, SIGTERM or SIGHUP arrives, then re-raises the signal if nobody else
 * listens for it, so the process still ends the way it would have.
 */
export function onTerminatingSignal(action: () => void): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      action();
      process.removeListener(signal, handler);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, handler);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Which services a test file used, so the failure reporter can print their log tails.

/** The jest test file running in this process, if any. */
function currentTestPath(): string | undefined {
  const expectGlobal = (globalThis as { expect?: { getState?: () => { testPath?: string } } }).expect;
  try {
    return expectGlobal?.getState?.().testPath ?? undefined;
  } catch {
    return undefined;
  }
}

/** Records that the current test file uses the service whose log is `logFile` (read by jest-log-reporter.js). */
export function recordServiceUse(name: string, logFile: string): void {
  const testPath = currentTestPath();
  const runDir = process.env[RUN_DIR_ENV];
  if (!testPath || !runDir) return;
  const dir = join(runDir, 'used');
  mkdirSync(dir, { recursive: true });
  const key = Buffer.from(testPath).toString('base64url');
  appendFileSync(join(dir, `${key}.jsonl`), `${JSON.stringify({ name, logFile, testPath })}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Starting and stopping.

export interface ProcessSpec {
  /** Short service name: 'elasticsearch', 'kafka', ... (used in pid files and messages). */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  /** Resolves true once the service answers. Called repeatedly until `startTimeoutMs`. */
  healthy: () => Promise<boolean>;
  startTimeoutMs: number;
  /** SIGTERM → SIGKILL grace period. */
  stopGraceMs: number;
  /**
   * Who stops it: 'self' = this process (exit hook kills it), a pid = that process (e.g. the jest parent for
   * shared services), 'none' = a human with `npm run services -- stop` (never considered stale).
   */
  owner: 'self' | number | 'none';
}

export interface RunningProcess {
  pgid: number;
  stop(): Promise<void>;
  exited(): boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until every process in the group has exited, up to `ms`. Returns whether it did. */
async function waitGroupGone(pgid: number, child: ChildProcess | undefined, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid) && (!child || child.exitCode !== null || child.signalCode !== null)) return true;
    await sleep(50);
  }
  return !groupAlive(pgid);
}

/** Stops a process group: SIGTERM, wait `graceMs`, SIGKILL, wait until gone. */
export async function stopGroup(pgid: number, graceMs: number, child?: ChildProcess): Promise<void> {
  if (!groupAlive(pgid)) return;
  killGroup(pgid, 'SIGTERM');
  if (await waitGroupGone(pgid, child, graceMs)) return;
  killGroup(pgid, 'SIGKILL');
  if (!(await waitGroupGone(pgid, child, 10_000))) throw new Error(`process group ${pgid} survived SIGKILL`);
}

/**
 * Starts a service process and waits until `healthy()` says yes. On timeout or early exit, kills it and throws
 * an error that includes the tail of its log.
 */
export async function startProcess(spec: ProcessSpec): Promise<RunningProcess> {
  const killed = cleanupStaleServices();
  if (killed.length) process.stderr.write(`harness: killed stale services: ${killed.join(', ')}\n`);
  mkdirSync(join(spec.logFile, '..'), { recursive: true });
  appendFileSync(
    spec.logFile,
    `\n=== ${new Date().toISOString()} starting ${spec.command} ${spec.args.join(' ')}\n`,
  );
  const out = openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', out, out],
      detached: true,
    });
  } finally {
    closeSync(out);
  }
  const spawned = await new Promise<number>((resolveSpawn, reject) => {
    child.once('spawn', () => resolveSpawn(child.pid!));
    child.once('error', (err) =>
      reject(new Error(`cannot start ${spec.name} (${spec.command}): ${err.message}`, { cause: err })),
    );
  });
  const pgid = spawned;
  child.unref();
  const ownerPid = spec.owner === 'self' ? process.pid : spec.owner === 'none' ? 0 : spec.owner;
  if (spec.owner !== 'none') {
    writePidRecord({
      name: spec.name,
      pgid,
      ownerPid,
      ownerStart: processStartTime(ownerPid),
      logFile: spec.logFile,
    });
  }
  if (spec.owner === 'self') {
    ownedGroups.set(pgid, spec.name);
    installExitHook();
  }
  let stopped = false;
  const running: RunningProcess = {
    pgid,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopGroup(pgid, spec.stopGraceMs, child);
      ownedGroups.delete(pgid);
      removePidRecord(spec.name, pgid);
    },
  };

  const deadline = Date.now() + spec.startTimeoutMs;
  for (;;) {
    if (running.exited()) {
      await running.stop();
      throw new Error(
        `${spec.name} exited during start-up (code ${child.exitCode ?? child.signalCode}); log ${spec.logFile}:\n${tailFile(spec.logFile)}`,
      );
    }
    let ok = false;
    try {
      ok = await spec.healthy();
    } catch {
      ok = false;
    }
    if (ok) return running;
    if (Date.now() > deadline) {
      await running.stop();
      throw new Error(
        `${spec.name} was not healthy within ${spec.startTimeoutMs / 1000} s; log ${spec.logFile}:\n${tailFile(spec.logFile)}`,
      );
    }
    await sleep(250);
  }
}

/** A fresh directory for one service instance under test-artifacts/services/<group>/. */
export function instanceDir(group: string, name: string): string {
  const dir = join(
    servicesDir(),
    group,
    `${name}-${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`,
  );
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Options every start* function takes besides its own. */
export interface ServiceOptions {
  /** Start-up deadline (each service documents its default). */
  startTimeoutMs?: number;
  /** @internal who stops it (see ProcessSpec.owner). @default 'self' */
  owner?: 'self' | number | 'none';
  /** @internal directory group under test-artifacts/services. @default 'dedicated' */
  group?: string;
}

/** A service startService started: stop it, and start it again on the same port(s) with its data kept. */
export interface RestartableService extends ServiceHandle {
  /** Process group of the running server (0 while stopped). @internal */
  readonly pgid: number;
  /** Starts it again on the same port(s) with the same data (after `stop()`). */
  restart(): Promise<void>;
}

/**
 * What every start* function ends with: starts the service's process in its instance directory `dir` (its log is
 * `<name>.log` there), owned as `options.owner` says, and returns the handle; its use is recorded so a failing
 * suite prints its log tail.
 */
export async function startService(s: {
  name: string;
  url: string;
  port: number;
  dir: string;
  options: ServiceOptions;
  /** The process; `startTimeoutMs` is the service's default, options.startTimeoutMs overrides it. */
  process: Omit<ProcessSpec, 'name' | 'cwd' | 'logFile' | 'owner'>;
}): Promise<RestartableService> {
  const logFile = join(s.dir, `${s.name}.log`);
  const start = () =>
    startProcess({
      ...s.process,
      name: s.name,
      cwd: s.dir,
      logFile,
      owner: s.options.owner ?? 'self',
      startTimeoutMs: s.options.startTimeoutMs ?? s.process.startTimeoutMs,
    });
  let proc: RunningProcess | undefined = await start();
  recordServiceUse(s.name, logFile);
  return {
    name: s.name,
    url: s.url,
    port: s.port,
    logFile,
    get pgid() {
      return proc?.pgid ?? 0;
    },
    logTail: (lines?: number) => tailFile(logFile, lines),
    async stop() {
      const p = proc;
      proc = undefined;
      await p?.stop();
    },
    async restart() {
      if (proc) await proc.stop();
      proc = await start();
    },
  };
}
