/**
 * The environment `plumbline sidecar` is run with in the examples (docker-compose.yml,
 * examples/kubernetes/iris-model.yaml) and in `npm run bench:sidecar`'s memory mode, which measures it: settings
 * only node's start-up reads, so a deployment sets them, not the sidecar's code. Measured and left out:
 * MALLOC_ARENA_MAX=2 (malloc held about as much: ~48 MB against ~51), UV_THREADPOOL_SIZE,
 * --v8-pool-size, --optimize-for-size (GC CPU ×6).
 * tests/contract/sidecar-memory-env.test.ts keeps the examples in step. What each one saves, and costs: README, Memory.
 */
export const SIDECAR_MEMORY_ENV = {
  /**
   * The proxy thread's young generation: 2 × 4 MB semi-spaces instead of V8's up to 2 × 16 MB. (The capture
   * thread's is set by its worker's resourceLimits, capture-thread/bridge.ts.)
   */
  NODE_OPTIONS: '--max-semi-space-size=4',
} as const;
