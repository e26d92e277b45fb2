/**
 * Benchmark child: CPU use with nothing to do with the sidecar — argv[2] µs of CPU per second, spent in slices
 * every 5 ms (spinning on the clock), sleeping in between. The bench runs the sidecar without shadow next to it
 * (the control row) at about the CPU that shadow traffic adds, so the shadow rows can be read against what that
 * much unrelated CPU on the same cores does to the primary's latency. Prints {"pid"}; runs until SIGTERM.
 */
const TICK_MS = 5;
const spinNs = BigInt(Math.round(Number(process.argv[2] ?? 0) * TICK_MS)); // µs/s × ms = ns per slice

setInterval(() => {
  const end = process.hrtime.bigint() + spinNs;
  while (process.hrtime.bigint() < end);
}, TICK_MS);
process.stdout.write(`${JSON.stringify({ pid: process.pid })}\n`);
process.once('SIGTERM', () => process.exit(0));
