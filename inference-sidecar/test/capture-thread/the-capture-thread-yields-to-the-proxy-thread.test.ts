/**
 * captureThreadNice: the capture thread raises its own nice value at start-up, so that where CPU is short the
 * proxy thread runs first; the proxy thread (this process's main thread here) keeps its own. Read from
 * /proc/self/task/<tid>/stat, as the scheduler sees it. 0 turns it off; out-of-range values name the key.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseConfig, resolveConfig } from '../../src/config';
import { startTestSidecar } from '../helpers/sidecar';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

/** Nice value of every thread of this process, by thread id (field 19 of stat). */
function niceByThread(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
      out.set(tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // the thread ended between readdir and read
    }
  }
  return out;
}

const onLinux = process.platform === 'linux' ? describe : describe.skip;

onLinux('the capture thread yields to the proxy thread (captureThreadNice)', () => {
  let upstream: TestUpstream;
  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => res.end('{}'));
  });
  afterAll(() => upstream.close());

  const main = String(process.pid);

  it('raises the capture thread’s nice value by captureThreadNice and leaves the proxy thread’s alone', async () => {
    const before = niceByThread();
    const base = before.get(main)!;
    const sidecar = await startTestSidecar(upstream.url, { captureThreadNice: 7 });
    let lowered: string[];
    try {
      const during = niceByThread();
      expect(during.get(main)).toBe(base);
      lowered = [...during]
        .filter(([tid, nice]) => !before.has(tid) && nice === Math.min(19, base + 7))
        .map(([t]) => t);
      expect(lowered.length).toBeGreaterThan(0);
    } finally {
      await sidecar.stop();
    }
    // The capture thread is among them: a thread at that nice value ends with the sidecar (libuv's pool, which the
    // capture thread may have started and which then inherited its nice value, lives as long as the process).
    const after = niceByThread();
    expect(lowered.some((tid) => !after.has(tid))).toBe(true);
    expect(after.get(main)).toBe(base);
  });

  it('changes no thread with captureThreadNice: 0', async () => {
    const before = niceByThread();
    const base = before.get(main)!;
    const sidecar = await startTestSidecar(upstream.url, { captureThreadNice: 0 });
    try {
      const started = [...niceByThread()].filter(([tid]) => !before.has(tid));
      expect(started.length).toBeGreaterThan(0); // the capture thread at least
      expect(started.map(([, nice]) => nice)).toEqual(started.map(() => base));
    } finally {
      await sidecar.stop();
    }
  });
});

describe('captureThreadNice config', () => {
  it('is off (0) by default', () => {
    expect(parseConfig({ upstream: 'http://127.0.0.1:1' }).captureThreadNice).toBe(0);
  });

  it('is read from PLUMBLINE_CAPTURE_THREAD_NICE, and a bad value there names the variable’s key', () => {
    const upstream = { upstream: 'http://127.0.0.1:1' };
    expect(resolveConfig(upstream, { PLUMBLINE_CAPTURE_THREAD_NICE: '0' }).captureThreadNice).toBe(0);
    expect(() => resolveConfig(upstream, { PLUMBLINE_CAPTURE_THREAD_NICE: 'low' })).toThrow(
      /captureThreadNice|PLUMBLINE_CAPTURE_THREAD_NICE/,
    );
  });

  it.each([-1, 20, 2.5])('refuses %p, naming the key', (value) => {
    expect(() => parseConfig({ upstream: 'http://127.0.0.1:1', captureThreadNice: value })).toThrow(
      /captureThreadNice/,
    );
  });
});
