import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { Float64Sorter } from '../stats/sort-float64';
import { runNumericTask, type NumericTask, type NumericTaskResult } from './numeric-tasks';

/**
 * A small persistent pool of drift worker threads for the numeric column work of buildReferenceProfile and
 * DriftDetector.evaluate, which stay synchronous: the caller posts a job (its tasks' big arrays are views of
 * SharedArrayBuffers, so nothing large is copied), does other work, then `finish()` takes tasks from the same
 * shared counter as the workers until none is left and waits (Atomics.wait) for those the workers took; their
 * results come back through a MessagePort read with receiveMessageOnPort. A task computes the same thing in any
 * thread (numeric-tasks.ts, plain JavaScript arithmetic), so results do not depend on who ran it.
 *
 * The workers start on the first large job and stay (unref'd: they never keep the process alive), so a service
 * evaluating window after window pays the start-up once. Where no worker can run — one core, the compiled worker
 * missing (under ts sources it is loaded from exporter/dist: `npm run build`), a worker that failed — every task
 * runs in the calling thread, the same code.
 */

export interface DriftThreadOptions {
  /** Worker threads besides the calling one. @default min(os.availableParallelism() − 1, 3) */
  readonly threads?: number;
  /** Jobs with fewer values in all (about: the caller's estimate) run in the calling thread. @default 100000 */
  readonly minValues?: number;
  /**
   * Whether the calling thread takes tasks too while it waits in `finish()`. Off, every task a worker can take is
   * left to the workers (the tests use it to run the worker path for sure). @default true
   */
  readonly callerTakesTasks?: boolean;
}

const DEFAULT_MIN_VALUES = 100_000;
/** How long finish() waits without any task finishing before it gives up on the workers. */
const STALL_MS = 60_000;

interface Pool {
  readonly workers: Worker[];
  readonly results: MessagePort[];
  /** Resolves with how many workers came online (a worker that failed first counts 0). */
  readonly ready: Promise<number>;
  broken: boolean;
}

let threads = Math.max(0, Math.min(availableParallelism() - 1, 3));
let minValues = DEFAULT_MIN_VALUES;
let callerTakesTasks = true;
let pool: Pool | null = null;
let nextJobId = 1;
let tasksInWorkers = 0;
// This thread's sort scratch and the evaluation scratch (jobScratch), kept from job to job: fresh memory costs a
// page fault per 4 KiB on first touch (~18 ms per 32 MB), which a service evaluating window after window of the
// same size would pay every time. They hold as much as the largest column / window seen (workers: the same).
const sorter = new Float64Sorter();
let scratch: Float64Array | null = null;

/** Sets the pool size and the size below which jobs stay in this thread; a changed size restarts the pool. */
export function configureDriftThreads(options: DriftThreadOptions): void {
  if (options.threads !== undefined && options.threads !== threads) {
    if (!(Number.isInteger(options.threads) && options.threads >= 0))
      throw new RangeError(`threads must be an integer ≥ 0, got ${options.threads}`);
    closeDriftThreads();
    threads = options.threads;
  }
  if (options.minValues !== undefined) minValues = options.minValues;
  if (options.callerTakesTasks !== undefined) callerTakesTasks = options.callerTakesTasks;
}

/**
 * Starts the workers now instead of on the first large job (e.g. at service start-up); resolves with how many are
 * running: 0 when none can run (one core, `threads` 0, the compiled worker missing, a worker that failed).
 */
export async function startDriftThreads(): Promise<number> {
  const p = getPool();
  if (!p) return 0;
  const online = await p.ready;
  return p.broken ? 0 : online;
}

/** Stops the workers (they restart on the next large job). */
export function closeDriftThreads(): void {
  if (!pool) return;
  for (const w of pool.workers) void w.terminate();
  for (const port of pool.results) port.close();
  pool = null;
}

/** How many tasks the workers have run since the process started (the rest ran in the calling thread). */
export function driftThreadStats(): { readonly tasksInWorkers: number } {
  return { tasksInWorkers };
}

/**
 * A Float64Array of `length` on shared memory (so the drift workers can read it), reused by the next call: valid
 * until then. For a job's input that nothing keeps after the job, e.g. a window's numbers in DriftDetector.evaluate.
 */
export function jobScratch(length: number): Float64Array {
  if (scratch === null || scratch.length < length)
    scratch = new Float64Array(new SharedArrayBuffer(length * 8));
  return scratch.subarray(0, length);
}

/** Forgets the scratch (after a failed job, whose tasks a stalled worker may still be writing into). */
export function dropJobScratch(): void {
  scratch = null;
}

/** The compiled worker: next to this file in dist, or dist's copy when this runs from the ts sources. */
function workerFile(): string | null {
  const compiled = __filename.endsWith('.ts')
    ? path.resolve(__dirname, '..', '..', 'dist', 'drift', 'numeric-worker.js')
    : path.join(__dirname, 'numeric-worker.js');
  return existsSync(compiled) ? compiled : null;
}

function getPool(): Pool | null {
  if (pool && !pool.broken) return pool;
  if (pool || threads === 0) return null; // a broken pool stays off
  const file = workerFile();
  if (!file) return null;
  const workers: Worker[] = [];
  const results: MessagePort[] = [];
  const started: Promise<number>[] = [];
  for (let i = 0; i < threads; i++) {
    // One channel per worker (a MessagePort has one owner); this thread reads the near ends synchronously.
    const { port1, port2 } = new MessageChannel();
    port1.unref();
    const w = new Worker(file, { workerData: { results: port2 }, transferList: [port2] });
    w.unref();
    workers.push(w);
    results.push(port1);
    started.push(
      new Promise<number>((resolve) => {
        w.once('online', () => resolve(1));
        w.once('exit', () => resolve(0));
      }),
    );
  }
  const p: Pool = {
    workers,
    results,
    ready: Promise.all(started).then((up) => up.reduce((a, b) => a + b, 0)),
    broken: false,
  };
  for (const w of workers) {
    w.on('error', () => (p.broken = true));
    w.on('exit', () => (p.broken = true));
  }
  pool = p;
  return p;
}

function isShared(a: Float64Array): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

function bigArrays(t: NumericTask): Float64Array[] {
  return t.kind === 'profile' ? [t.values] : [t.current, t.referenceSorted];
}

/** What the pool posts to a worker: one task of a job, with the job's shared control words. */
export interface TaskMessage {
  readonly job: number;
  readonly index: number;
  /** [tasks done, then one claim word per task: 0 free, 1 taken by a worker, 2 taken by the calling thread]. */
  readonly control: Int32Array;
  readonly task: NumericTask;
}

interface ResultMessage<T extends NumericTask> {
  readonly job: number;
  readonly index: number;
  readonly result?: NumericTaskResult<T>;
  readonly error?: string;
}

export interface NumericJob<T extends NumericTask> {
  /** Adds a task; a worker may start on it at once (so the caller can prepare the next one meanwhile). */
  add(task: T): void;
  /** Runs the tasks no worker has taken (the last added first), waits for the rest; results in task order. */
  finish(): NumericTaskResult<T>[];
}

/**
 * Starts a job of at most `maxTasks` tasks, handed over one by one with `add()`, over about `expectedValues`
 * values in all (below `minValues`, or with fewer than two tasks, it runs in this thread). A task whose big arrays
 * are not all on SharedArrayBuffers runs in this thread during `finish()`.
 */
export function startNumericJob<T extends NumericTask>(
  maxTasks: number,
  expectedValues: number,
): NumericJob<T> {
  const control = new Int32Array(new SharedArrayBuffer(4 * (1 + maxTasks)));
  const tasks: T[] = [];
  const posted: boolean[] = [];
  const p = maxTasks >= 2 && expectedValues >= minValues ? getPool() : null;
  const job = nextJobId++;
  return {
    add(task) {
      if (tasks.length >= maxTasks) throw new RangeError(`numeric job: more than ${maxTasks} tasks`);
      const message: TaskMessage = { job, index: tasks.length, control, task };
      tasks.push(task);
      posted.push(p !== null && bigArrays(task).every(isShared));
      if (posted[message.index]) for (const w of p!.workers) w.postMessage(message);
    },
    finish() {
      const n = tasks.length;
      const results = new Array<NumericTaskResult<T> | undefined>(n);
      /** Runs here every task no thread has taken (the last added first); returns how many. */
      const runUnclaimed = (leavePostedToWorkers: boolean): number => {
        let ran = 0;
        for (let k = n - 1; k >= 0; k--) {
          if (leavePostedToWorkers && posted[k]) continue;
          if (Atomics.compareExchange(control, 1 + k, 0, 2) !== 0) continue; // a thread has it
          results[k] = runNumericTask(tasks[k], sorter) as NumericTaskResult<T>;
          Atomics.add(control, 0, 1);
          ran++;
        }
        return ran;
      };
      runUnclaimed(p !== null && !callerTakesTasks);
      if (p) {
        let done = Atomics.load(control, 0);
        let since = Date.now();
        while (done < n) {
          // A dead worker (p.broken) leaves the tasks it did not take to this thread.
          Atomics.wait(control, 0, done, 1000);
          const now = Atomics.load(control, 0);
          if (now !== done) since = Date.now();
          else if (p.broken && runUnclaimed(false) > 0) since = Date.now();
          else if (Date.now() - since > STALL_MS) {
            p.broken = true;
            throw new Error(`drift worker thread stalled: ${n - now} of ${n} column tasks unfinished`);
          }
          done = now;
        }
        for (const port of p.results) {
          for (;;) {
            const m = receiveMessageOnPort(port) as { message: ResultMessage<T> } | undefined;
            if (!m) break;
            const { index, result, error } = m.message;
            if (m.message.job !== job) continue;
            if (error !== undefined) throw new Error(`drift worker thread: ${error}`);
            results[index] = result;
            tasksInWorkers++;
          }
        }
      }
      return results.map((r, k) => {
        if (r === undefined) throw new Error(`drift worker thread: no result for column task ${k}`);
        return r;
      });
    },
  };
}
