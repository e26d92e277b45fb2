/**
 * The environment `plumbline sidecar` is run with in the examples (docker-compose.yml,
 * examples/kubernetes/iris-model.yaml) and in `npm run bench:sidecar`'s memory mode, which measures it: settings
 * only node's start-up or the C library read, so a deployment sets them, not the sidecar's code.
 * tests/contract/sidecar-memory-env.test.ts keeps the examples in step. What each one saves, and costs: README, Memory.
 */
export const SIDECAR_MEMORY_ENV = {
  /**
   * The proxy thread's young generation: 2 × 4 MB semi-spaces instead of V8's up to 2 × 16 MB. (The capture
   * thread's is set by its worker's resourceLimits, capture-thread/bridge.ts.)
   */
  NODE_OPTIONS: '--max-semi-space-size=4',
  /**
   * glibc's malloc arenas: at most 2, instead of one per thread up to 8 per core, each keeping the memory its thread
   * freed (the proxy thread, the capture thread, libuv's I/O pool and V8's helpers all allocate).
   */
  MALLOC_ARENA_MAX: '2',
} as const;
