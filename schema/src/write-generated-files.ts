/**
 * What every generator of committed artefacts does last (`@plumbline/schema/write-generated-files`, Node only; not
 * in the main entry, which the browser plugin also imports): the alerting rules, the dashboards and their
 * provisioning, docs/metrics.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes each file of `files` (path relative to `root` → content), creating folders as needed; returns the paths
 * written, in the map's order.
 */
export function writeGeneratedFiles(root: string, files: ReadonlyMap<string, string>): string[] {
  const written: string[] = [];
  for (const [rel, content] of files) {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    written.push(file);
  }
  return written;
}

/** A generator's output on the command line: `wrote <path>` per file, relative to the working directory. */
export function reportWritten(files: readonly string[]): void {
  for (const file of files) process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
