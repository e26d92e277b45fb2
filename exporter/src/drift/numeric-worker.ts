/**
 * The drift worker thread (see numeric-pool.ts): for each task posted, claims it unless the calling thread already
 * has, runs it, posts the result to the pool's port, then counts it done. Loaded from exporter/dist.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { Float64Sorter } from '../stats/sort-float64';
import type { TaskMessage } from './numeric-pool';
import { runNumericTask } from './numeric-tasks';

const results = (workerData as { results: MessagePort }).results;
// Kept from job to job, as in the calling thread (numeric-pool.ts): no fresh scratch memory per window.
const sorter = new Float64Sorter();

parentPort?.on('message', (m: TaskMessage) => {
  if (Atomics.compareExchange(m.control, 1 + m.index, 0, 1) !== 0) return; // taken by the calling thread
  try {
    results.postMessage({ job: m.job, index: m.index, result: runNumericTask(m.task, sorter) });
  } catch (err) {
    results.postMessage({ job: m.job, index: m.index, error: String(err) });
  }
  Atomics.add(m.control, 0, 1);
  Atomics.notify(m.control, 0);
});
