/**
 * Benchmark child: `plumbline sidecar` from a config given as JSON in argv[2]; prints {"url","adminUrl",
 * "helperThreads"} when listening; on SIGTERM stops (drains requests, flushes every sink) and prints a CpuReport:
 * the requests served and the CPU time spent serving them, process-wide and per thread (sink flushing after
 * SIGTERM excluded).
 */
import { createSidecar, parseConfig } from '@plumbline/sidecar';
import { reportCpuOnSigterm, threadIds } from './thread-cpu';

/** Before anything else: the threads Node itself started (V8's helpers), as opposed to the sidecar's. */
const helperThreads = threadIds();

async function main(): Promise<void> {
  const config = parseConfig(JSON.parse(process.argv[2] ?? '{}'));
  const sidecar = createSidecar(config);
  const running = await sidecar.listen();
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
