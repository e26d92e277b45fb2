import * as path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `entry` that sits next to the calling module (`callerFile`: pass
 * `__filename`). From a build, that is `<dir>/<entry>.js`. From the TypeScript sources (jest runs them through
 * @swc/jest) a worker thread cannot load .ts by itself: it starts through the repository's
 * scripts/source-worker.js, which compiles the sources as jest does, so the thread runs the code under test and
 * never a stale or missing dist/. That path exists in a checkout with its devDependencies only, never in a build.
 */
export function startWorker(callerFile: string, entry: string, options: WorkerOptions = {}): Worker {
  const dir = path.dirname(callerFile);
  if (!callerFile.endsWith('.ts')) return new Worker(path.join(dir, `${entry}.js`), options);
  const sourceWorker = path.resolve(__dirname, '..', '..', 'scripts', 'source-worker.js');
  const { sourceWorkerScript } = require(sourceWorker) as { sourceWorkerScript(file: string): string };
  return new Worker(sourceWorkerScript(path.join(dir, `${entry}.ts`)), { ...options, eval: true });
}
