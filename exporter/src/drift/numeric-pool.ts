import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { startWorker } from '@plumbline/service-kit';
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
 * A pool is an object (`createNumericPool(options)`) passed in the builder's and the detector's options; without
 * one they use `defaultNumericPool()`, created on first use. The workers start on the first large job and stay
 * (unref'd: they never keep the process alive), so a service evaluating window after window pays the start-up once;
 * `close()` stops them. Workers start through service-kit's `startWorker` (the compiled numeric-worker.js, or its
 * TypeScript source under jest and the benches). Where no worker can run — one core, a worker that failed — every
 * task runs in the calling thread, the same code.
 */

export interface NumericPoolOptions {
  /**
   * Worker threads besides the calling one; 0 runs every task in the calling thread.
   * @default min(os.availableParallelism() − 1, 3)
   */
  readonly threads?: number;
  /** Jobs with fewer values in all (about: the caller's estimate) run in the calling thread. @default 100000 */
  readonly minValues?: number;
  /**
   * Whether the calling thread takes tasks too while it waits in `finish()`. Off, every task a worker can take is
   * left to the workers (the tests use it to run the worker path for sure). @default true
   */
  readonly callerTakesTasks?: boolean;
}

export interface NumericJob<T extends NumericTask> {
  /** Adds a task; a worker may start on it at once (so the caller can prepare the next one meanwhile). */
  add(task: T): void;
  /**
   * Runs the tasks no worker has taken (the last added first), waits for the rest; results in task order. When it
   * throws (a worker stalled or failed), the pool forgets its scratch, which a stalled worker may still write into.
   */
  finish(): NumericTaskResult<T>[];
}

export interface NumericPool {
  /**
   * Starts a job of at most `maxTasks` tasks, handed over one by one with `add()`, over about `expectedValues`
   * values in all (below `minValues`, or with fewer than two tasks, it runs in this thread). A task whose big arrays
   * are not all on SharedArrayBuffers runs in this thread during `finish()`.
   */
  startJob<T extends NumericTask>(maxTasks: number, expectedValues: number): NumericJob<T>;
  /**
   * A Float64Array of `length` on shared memory (so the workers can read it), reused by the next call: valid until
   * then. For a job's input that nothing keeps after the job, e.g. a window's numbers in DriftDetector.evaluate:
   * fresh memory costs a page fault per 4 KiB on first touch (~18 ms per 32 MB), which a service evaluating window
   * after window of the same size would pay every time. It holds as much as the largest request so far.
   */
  scratch(length: number): Float64Array;
  /**
   * Starts the workers now instead of on the first large job (e.g. at service start-up); resolves with how many are
   * running: 0 when none can run (one core, `threads` 0, the compiled worker missing, a worker that failed).
   */
  start(): Promise<number>;
  /** Stops the workers; a later large job starts them again. */
  close(): void;
  /** How many tasks this pool's workers have run (the rest ran in the calling thread). */
  stats(): { readonly tasksInWorkers: number };
}

const DEFAULT_MIN_VALUES = 100_000;
/** How long finish() waits without any task finishing before it gives up on the workers. */
const STALL_MS = 60_000;

interface Workers {
  readonly workers: Worker[];
  readonly results: MessagePort[];
  /** Resolves with how many workers came online (a worker that failed first counts 0). */
  readonly ready: Promise<number>;
  broken: boolean;
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

function startWorkers(count: number): Workers {
  const workers: Worker[] = [];
  const results: MessagePort[] = [];
  const started: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    // One channel per worker (a MessagePort has one owner); this thread reads the near ends synchronously.
    const { port1, port2 } = new MessageChannel();
    port1.unref();
    const w = startWorker(__filename, 'numeric-worker', {
      workerData: { results: port2 },
      transferList: [port2],
    });
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
  const p: Workers = {
    workers,
    results,
    ready: Promise.all(started).then((up) => up.reduce((a, b) => a + b, 0)),
    broken: false,
  };
  for (const w of workers) {
    w.on('error', () => (p.broken = true));
    w.on('exit', () => (p.broken = true));
  }
  return p;
}

function isShared(a: Float64Array): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

function bigArrays(t: NumericTask): readonly Float64Array[] {
  switch (t.kind) {
    case 'profile':
      return [t.values];
    case 'compare':
      return [t.current, t.referenceSorted];
    case 'multivariate-fit':
    case 'multivariate-drift':
      return t.columns;
  }
}

/**
 * A pool of `threads` drift worker threads (started on its first large job) plus the calling thread.
 *
 * @example const pool = createNumericPool({ threads: 2 }); createDriftDetector(profile, { pool }); … pool.close()
 */
export function createNumericPool(options: NumericPoolOptions = {}): NumericPool {
  const threads = options.threads ?? Math.max(0, Math.min(availableParallelism() - 1, 3));
  if (!(Number.isInteger(threads) && threads >= 0))
    throw new RangeError(`threads must be an integer ≥ 0, got ${threads}`);
  const minValues = options.minValues ?? DEFAULT_MIN_VALUES;
  const callerTakesTasks = options.callerTakesTasks ?? true;
  let running: Workers | null = null;
  let nextJobId = 1;
  let tasksInWorkers = 0;
  // This thread's sort scratch and the evaluation scratch, kept from job to job (workers keep theirs too).
  const sorter = new Float64Sorter();
  let scratch: Float64Array | null = null;

  function workers(): Workers | null {
    if (running && !running.broken) return running;
    if (running || threads === 0) return null; // broken workers stay off until close()
    running = startWorkers(threads);
    return running;
  }

  function startJob<T extends NumericTask>(maxTasks: number, expectedValues: number): NumericJob<T> {
    const control = new Int32Array(new SharedArrayBuffer(4 * (1 + maxTasks)));
    const tasks: T[] = [];
    const posted: boolean[] = [];
    const p = maxTasks >= 2 && expectedValues >= minValues ? workers() : null;
    const job = nextJobId++;

    /** Runs here every task no thread has taken (the last added first); returns how many. */
    function runUnclaimed(
      results: (NumericTaskResult<T> | undefined)[],
      leavePostedToWorkers: boolean,
    ): number {
      let ran = 0;
      for (let k = tasks.length - 1; k >= 0; k--) {
        if (leavePostedToWorkers && posted[k]) continue;
        if (Atomics.compareExchange(control, 1 + k, 0, 2) !== 0) continue; // a thread has it
        results[k] = runNumericTask(tasks[k], sorter) as NumericTaskResult<T>;
        Atomics.add(control, 0, 1);
        ran++;
      }
      return ran;
    }

    function collect(): NumericTaskResult<T>[] {
      const n = tasks.length;
      const results = new Array<NumericTaskResult<T> | undefined>(n);
      runUnclaimed(results, p !== null && !callerTakesTasks);
      if (p) {
        let done = Atomics.load(control, 0);
        let since = Date.now();
        while (done < n) {
          // A dead worker (p.broken) leaves the tasks it did not take to this thread.
          Atomics.wait(control, 0, done, 1000);
          const now = Atomics.load(control, 0);
          if (now !== done) since = Date.now();
          else if (p.broken && runUnclaimed(results, false) > 0) since = Date.now();
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
    }

    return {
      add(task) {
        if (tasks.length >= maxTasks) throw new RangeError(`numeric job: more than ${maxTasks} tasks`);
        const message: TaskMessage = { job, index: tasks.length, control, task };
        tasks.push(task);
        posted.push(p !== null && bigArrays(task).every(isShared));
        if (posted[message.index]) for (const w of p!.workers) w.postMessage(message);
      },
      finish() {
        try {
          return collect();
        } catch (err) {
          scratch = null;
          throw err;
        }
      },
    };
  }

  return {
    startJob,
    scratch(length) {
      if (scratch === null || scratch.length < length)
        scratch = new Float64Array(new SharedArrayBuffer(length * 8));
      return scratch.subarray(0, length);
    },
    async start() {
      const p = workers();
      if (!p) return 0;
      const online = await p.ready;
      return p.broken ? 0 : online;
    },
    close() {
      if (!running) return;
      for (const w of running.workers) void w.terminate();
      for (const port of running.results) port.close();
      running = null;
    },
    stats: () => ({ tasksInWorkers }),
  };
}

let defaultPool: NumericPool | null = null;

/**
 * The pool the builders and detectors use when their options pass none, created on first use with the defaults.
 * Its workers are unref'd, so a one-shot command that never closes it still exits.
 */
export function defaultNumericPool(): NumericPool {
  defaultPool ??= createNumericPool();
  return defaultPool;
}
