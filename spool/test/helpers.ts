/** Test helpers for the spool: a temporary directory, and the shared valid inference events. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export function tempDir(prefix = 'plumbline-spool-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export { makeEvent, makeEvents } from '@plumbline/schema/testing';
