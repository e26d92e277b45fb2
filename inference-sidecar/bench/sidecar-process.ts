/**
 * Benchmark child: `plumbline sidecar` from a config given as JSON in argv[2]; prints {"url","adminUrl",
 * "helperThreads"} when listening; on SIGTERM stops (drains requests, flushes every sink) and prints a CpuReport:
 * the requests served and the CPU time spent serving them, process-wide and per thread (sink flushing after
 * SIGTERM excluded). On SIGUSR2 it prints a MemoryReport (memory-report.ts): resident memory and each isolate's heap.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Worker } from 'node:worker_threads';
import type { createSidecar as CreateSidecar, parseConfig as ParseConfig } from '@plumbline/sidecar';
import { reportMemoryOnSigusr2 } from './memory-report';
import { reportCpuOnSigterm, threadIds } from './thread-cpu';

/** Before anything else: the threads Node itself started (V8's helpers), as opposed to the sidecar's. */
const helperThreads = threadIds();

// BENCH_HEAP_SNAPSHOT_DIR: on SIGUSR2 also write a heap snapshot of every worker (the capture thread) there, to see
// what its heap holds. Worker objects are only reachable where they are made: collect them as they are.
const workers: Worker[] = [];
if (process.env.BENCH_HEAP_SNAPSHOT_DIR) {
  const threads = require('node:worker_threads') as { Worker: typeof Worker };
  const Base = threads.Worker;
  threads.Worker = class extends Base {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      workers.push(this);
    }
  };
  process.on('SIGUSR2', () => {
    workers.forEach((w, i) => {
      void w
        .getHeapSnapshot()
        .then((stream) =>
          pipeline(
            stream,
            createWriteStream(join(process.env.BENCH_HEAP_SNAPSHOT_DIR!, `worker-${i}.heapsnapshot`)),
          ),
        );
    });
  });
}

// The modules `plumbline sidecar` loads (src/main.ts → app.ts), not the package's index, which also loads what
// other commands use (the ONNX model server, the sink factories): the memory mode measures the process users run.
const dist = join(__dirname, '..', '..', 'dist');
const { createSidecar } = require(join(dist, 'app.js')) as { createSidecar: typeof CreateSidecar };
const { parseConfig } = require(join(dist, 'config.js')) as { parseConfig: typeof ParseConfig };

async function main(): Promise<void> {
  const config = parseConfig(JSON.parse(process.argv[2] ?? '{}'));
  // BENCH_CAPTURE_MODE=inline: capture on the proxy thread (one isolate), to measure what the capture thread costs.
  const captureMode = process.env.BENCH_CAPTURE_MODE === 'inline' ? 'inline' : 'thread';
  const sidecar = createSidecar(config, { captureMode });
  const running = await sidecar.listen();
  reportMemoryOnSigusr2();
  reportCpuOnSigterm(
    helperThreads,
    () => sidecar.requests(),
    () => running.stop(),
  );
  // helperThreads: so the bench can split this process's CPU by thread between phases (thread-cpu.ts, `pid`).
  const info = {
    url: running.url,
    adminUrl: running.adminUrl,
    helperThreads: [...(helperThreads ?? [])].join(','),
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
