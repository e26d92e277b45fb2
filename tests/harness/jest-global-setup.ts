/**
 * Root jest globalSetup: kills services left by a jest run that died, prunes old instance directories, and makes
 * this run's directory (shared-service state, which suites used which service, the secrets tests made and a copy
 * of this process' output for the end-of-run secret scan). Starts nothing: shared services
 * start on first use. If the run is ended by a signal (Ctrl-C), its shared services are killed on the way out.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_DIR_ENV, RUN_OWNER_ENV, RUN_STARTED_ENV, servicesDir } from './paths';
import { cleanupStaleServices, onTerminatingSignal } from './process';
import { teeProcessOutput } from './secret-scan';
import { killSharedServicesSync } from './shared';

/** Instance directories (logs, data) older than this are removed at the next run. */
const KEEP_MS = 12 * 3600 * 1000;

function pruneOldInstances(): void {
  for (const group of ['dedicated', 'shared', 'harness-selftest']) {
    const dir = join(servicesDir(), group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      try {
        if (Date.now() - statSync(path).mtimeMs > KEEP_MS) rmSync(path, { recursive: true, force: true });
      } catch {
        // removed concurrently
      }
    }
  }
}

export default function globalSetup(): void {
  process.env[RUN_STARTED_ENV] = String(Date.now());
  const killed = cleanupStaleServices();
  if (killed.length) process.stderr.write(`harness: killed stale services: ${killed.join(', ')}\n`);
  pruneOldInstances();
  const dir = join(servicesDir(), 'shared', `run-${Date.now().toString(36)}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  // Workers are forked after globalSetup and inherit these.
  process.env[RUN_DIR_ENV] = dir;
  process.env[RUN_OWNER_ENV] = String(process.pid);
  // The secret scan of the globalTeardown reads what this process prints (reporters, console, piped workers).
  teeProcessOutput(dir, 'jest');
  onTerminatingSignal(() => killSharedServicesSync(dir));
}
