/** Small helpers the end-to-end suites share: polling, the model server as a child process, PromQL. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** An instant PromQL query (the harness's): the e2e suites import it from here. */
export { promQuery } from '@plumbline/harness';

export const ROOT = path.join(__dirname, '..', '..');

/** Polls `probe` until it returns a value (not undefined); throws with `what` (and the last error) on timeout. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface ModelServerProcess {
  url: string;
  stop(): Promise<void>;
}

/**
 * The model server as users run it: the built CLI in a child process (onnxruntime-node's typed-array checks fail
 * inside jest's sandboxed globals, so it cannot run in the test process).
 */
export async function serveModel(): Promise<ModelServerProcess> {
  if (!existsSync(path.join(ROOT, 'cli', 'dist', 'main.js'))) {
    throw new Error('the CLI is not built: run `npm run build` before this test');
  }
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'plumbline.js'), 'serve-model', '--port', '0'],
    { cwd: ROOT },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = / on (http:\/\/\S+) /.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`serve-model exited with ${code}:\n${out}`)));
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A dashboard query with its Grafana variables filled in for one model. */
export function concrete(expr: string, model: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$model', model)
    .replaceAll('$version', '.*')
    .replaceAll('$feature', '.*');
}
