/**
 * Root jest globalTeardown: stops the run's shared services (Elasticsearch, Kafka) if any suite started them, then
 * runs the secret scan (secret-scan.ts): a secret a test recorded with testSecret() that appears in the run's
 * output or a service log fails the run, named by its label, file and line.
 */
import { RUN_DIR_ENV, RUN_STARTED_ENV, servicesDir } from './paths';
import { describeHits, scanRun } from './secret-scan';
import { stopSharedServices } from './shared';

export default async function globalTeardown(): Promise<void> {
  const dir = process.env[RUN_DIR_ENV];
  if (!dir) return;
  await stopSharedServices(dir);
  const since = Number(process.env[RUN_STARTED_ENV]) || 0;
  const { secrets, files, hits } = scanRun(dir, servicesDir(), since);
  if (hits.length > 0) {
    throw new Error(
      `secret scan: ${hits.length} log line(s) hold a secret a test made (of ${secrets} secrets, ${files} files):\n` +
        describeHits(hits),
    );
  }
  if (secrets > 0) process.stderr.write(`secret scan: ${secrets} secrets, ${files} files, no hit\n`);
}
