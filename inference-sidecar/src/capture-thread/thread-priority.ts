/**
 * The capture thread yields the CPU to the proxy thread: at start-up it raises its own nice value by
 * `captureThreadNice` (config.ts). Linux schedules threads on their own, and a thread's nice value is its own
 * (setpriority on the thread id), so only this thread — and the threads it starts afterwards, which inherit it —
 * run at the lower priority; the proxy thread, which a client waits on, keeps the process's.
 *
 * Best effort: elsewhere than Linux, or where the system refuses (a seccomp profile, a container without
 * /proc), the thread keeps its priority and one log line says so. Raising a nice value never needs a privilege.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import type { Logger } from 'pino';

/** The highest (least favoured) nice value Linux has. */
const MAX_NICE = 19;

/** What lowerThreadPriority did, for the log line and tests. */
export type PriorityChange =
  { changed: true; threadId: number; from: number; to: number } | { changed: false; reason: string };

/** This thread's kernel thread id on Linux (/proc/thread-self → "<pid>/task/<tid>"), else null. */
export function currentThreadId(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/**
 * Adds `nice` (0..19; 0 = nothing to do) to the calling thread's nice value, capped at 19, and logs the outcome
 * once (info when changed, warn when it could not be). Never throws.
 */
export function lowerThreadPriority(nice: number, logger: Logger): PriorityChange {
  const result = change(nice);
  if (result.changed)
    logger.info(
      { threadId: result.threadId, nice: result.to },
      `capture thread: nice ${result.from} → ${result.to} (captureThreadNice); the proxy thread keeps ${result.from}`,
    );
  else if (nice > 0)
    logger.warn({ captureThreadNice: nice }, `capture thread keeps its priority: ${result.reason}`);
  return result;
}

function change(nice: number): PriorityChange {
  if (nice === 0) return { changed: false, reason: 'captureThreadNice is 0' };
  const threadId = currentThreadId();
  if (threadId === null)
    return { changed: false, reason: 'a thread of its own priority needs Linux with /proc/thread-self' };
  try {
    const from = getPriority(threadId);
    const to = Math.min(MAX_NICE, from + nice);
    setPriority(threadId, to);
    return { changed: true, threadId, from, to };
  } catch (err) {
    return { changed: false, reason: `setpriority refused: ${(err as Error).message}` };
  }
}
