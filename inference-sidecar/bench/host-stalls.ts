/**
 * How long this machine takes the CPU away from a running thread, measured before the bench's load: threads that do
 * nothing but read the clock, one alone and then one per core at once, and the gaps between two readings longer
 * than 1 ms. A gap is time the thread was runnable and not run: nothing of the bench runs yet, so it is the
 * machine's (other processes, or the host descheduling a VM's vCPU for other tenants). A latency at 1,000 req/s cannot be shorter than the stall it
 * waits through, so when every core is busy at once the p99 rows are set by these stalls as much as by the code
 * measured; the bench prints them in its header to read the p99 rows by.
 */
import { Worker } from 'node:worker_threads';

export interface HostStalls {
  threads: number;
  seconds: number;
  /** Gaps longer than 1 ms, summed over the threads. */
  over1ms: number;
  /** The longest gap of any thread (ms). */
  longestMs: number;
}

// A worker's whole job: read the clock for `ms` and send back every gap longer than 1 ms.
const SPIN = `
const { parentPort, workerData } = require('node:worker_threads');
const end = process.hrtime.bigint() + BigInt(workerData * 1e6);
let last = process.hrtime.bigint();
const gaps = [];
for (;;) {
  const now = process.hrtime.bigint();
  if (now - last > 1000000n) gaps.push(Number(now - last) / 1e6);
  if (now > end) break;
  last = now;
}
parentPort.postMessage(gaps);
`;

function spin(ms: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SPIN, { eval: true, workerData: ms });
    worker.once('message', (gaps: number[]) => {
      resolve(gaps);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** `threads` threads spinning together for `seconds`. */
export async function hostStalls(threads: number, seconds: number): Promise<HostStalls> {
  const gaps = (await Promise.all(Array.from({ length: threads }, () => spin(seconds * 1000)))).flat();
  return { threads, seconds, over1ms: gaps.length, longestMs: gaps.length === 0 ? 0 : Math.max(...gaps) };
}

export function describeStalls(s: HostStalls): string {
  return `${s.threads} busy thread${s.threads === 1 ? '' : 's'}: longest gap ${s.longestMs.toFixed(1)} ms, ${s.over1ms} gaps > 1 ms in ${s.seconds} s`;
}
