/**
 * Where a bench child's resident memory is (Linux): the process's RSS from /proc/self/status, split into anonymous
 * memory (heaps, buffers, malloc) and file-backed pages (the node binary, shared libraries), and each V8 isolate's
 * heap — the main thread's (the proxy) and every worker's (the sidecar's capture thread) — from Node's diagnostic
 * report (process.report), the one API that sees a worker's heap from outside it in Node 20.
 * Committed heap is what an isolate holds from the OS (≈ resident); `young` is its new space (the semi-spaces
 * a scavenge copies between), `external` the off-heap memory V8 knows of (Buffers, ArrayBuffers).
 */
import { readFileSync } from 'node:fs';

export interface IsolateMemory {
  /** Bytes the isolate's heap holds from the OS. */
  committed: number;
  /** Bytes of live and not yet collected objects. */
  used: number;
  /** Committed bytes of the new space (young generation). */
  young: number;
  /** Off-heap bytes the isolate accounts for (Buffers, ArrayBuffers). */
  external: number;
}

/** What a bench child prints on SIGUSR2. */
export interface MemoryReport {
  memory: true;
  /** Bytes, /proc/self/status. */
  rss: number;
  rssAnon: number;
  rssFile: number;
  /** Peak RSS (VmHWM). */
  peakRss: number;
  main: IsolateMemory;
  workers: IsolateMemory[];
}

interface ReportHeap {
  totalCommittedMemory: number;
  usedMemory: number;
  externalMemory: number;
  heapSpaces: Record<string, { committedMemory: number } | undefined>;
}

function isolate(heap: ReportHeap): IsolateMemory {
  return {
    committed: heap.totalCommittedMemory,
    used: heap.usedMemory,
    young: heap.heapSpaces.new_space?.committedMemory ?? 0,
    external: heap.externalMemory,
  };
}

/** Bytes of a `VmRSS:   1234 kB` line, or 0. */
function statusBytes(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m === null ? 0 : Number(m[1]) * 1024;
}

export function memoryReport(): MemoryReport {
  const report = process.report.getReport() as unknown as {
    javascriptHeap: ReportHeap;
    workers: Array<{ javascriptHeap: ReportHeap }>;
  };
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'latin1');
  } catch {
    // not Linux: RSS from Node, no split
  }
  return {
    memory: true,
    rss: status === '' ? process.memoryUsage.rss() : statusBytes(status, 'VmRSS'),
    rssAnon: statusBytes(status, 'RssAnon'),
    rssFile: statusBytes(status, 'RssFile'),
    peakRss: statusBytes(status, 'VmHWM'),
    main: isolate(report.javascriptHeap),
    workers: report.workers.map((w) => isolate(w.javascriptHeap)),
  };
}

/** On SIGUSR2, prints a MemoryReport as one JSON line on stdout. */
export function reportMemoryOnSigusr2(): void {
  process.on('SIGUSR2', () => process.stdout.write(`${JSON.stringify(memoryReport())}\n`));
}
