/**
 * A memory limit for one bench child, as a pod's `resources.limits.memory` sets one: a memory cgroup of its own
 * (v2 `memory.max`, or v1 `memory.limit_in_bytes`), which the child joins before node starts, so Node and V8 see the
 * limit the way they do in a container (Node 20 sizes V8's heap limit from it). Needs a writable cgroup hierarchy
 * (root on a machine that has one); otherwise `createMemoryLimit` says why.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MemoryLimit {
  readonly bytes: number;
  /** The file a process writes its pid to, to join the group. */
  readonly procsFile: string;
  /** The group's peak usage so far (its page cache included, as the kernel counts it against the limit). */
  peakBytes(): number;
  /** Processes the OOM killer ended in the group. */
  oomKills(): number;
  /** Removes the group (its processes must have exited; the kernel refuses otherwise). */
  remove(): void;
}

const V2_ROOT = '/sys/fs/cgroup';
const V1_ROOT = '/sys/fs/cgroup/memory';

function readNumber(file: string): number {
  return Number(readFileSync(file, 'latin1').trim());
}

function oomKillCount(file: string): number {
  const m = /^oom_kill (\d+)$/m.exec(readFileSync(file, 'latin1'));
  return m === null ? 0 : Number(m[1]);
}

export function createMemoryLimit(bytes: number, name: string): MemoryLimit {
  if (existsSync(join(V2_ROOT, 'cgroup.controllers'))) {
    const dir = join(V2_ROOT, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'memory.max'), String(bytes));
    return {
      bytes,
      procsFile: join(dir, 'cgroup.procs'),
      peakBytes: () => (existsSync(join(dir, 'memory.peak')) ? readNumber(join(dir, 'memory.peak')) : NaN),
      oomKills: () => oomKillCount(join(dir, 'memory.events')),
      remove: () => rmdirSync(dir),
    };
  }
  if (existsSync(join(V1_ROOT, 'memory.limit_in_bytes'))) {
    const dir = join(V1_ROOT, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'memory.limit_in_bytes'), String(bytes));
    return {
      bytes,
      procsFile: join(dir, 'cgroup.procs'),
      peakBytes: () => readNumber(join(dir, 'memory.max_usage_in_bytes')),
      oomKills: () => oomKillCount(join(dir, 'memory.oom_control')),
      remove: () => rmdirSync(dir),
    };
  }
  throw new Error(
    `no memory cgroup hierarchy at ${V2_ROOT} (v2) or ${V1_ROOT} (v1): BENCH_MEMORY_LIMIT_MB needs one`,
  );
}
