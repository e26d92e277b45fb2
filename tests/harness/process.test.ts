/**
 * The lifecycle rules every service relies on, checked with real (tiny) processes: start-up failures name the
 * service and show its log tail, stop() ends the whole process group (grandchildren too), and a service whose
 * owner died is killed by the next cleanup.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import {
  cleanupStaleServices,
  freePort,
  groupAlive,
  instanceDir,
  isAlive,
  retryOnPortClash,
  startProcess,
} from './process';

/** Pid of a process that has already exited (so it owns nothing any more). */
function deadPid(): number {
  const result = spawnSync('sh', ['-c', 'echo $$']);
  return Number(result.stdout.toString().trim());
}

describe('service processes', () => {
  it('fails a start with the service name, exit code and log tail when the process dies', async () => {
    const dir = instanceDir('harness-selftest', 'dies');
    await expect(
      startProcess({
        name: 'dies',
        command: 'sh',
        args: ['-c', 'echo "config key foo.bar is wrong" >&2; exit 3'],
        logFile: join(dir, 'dies.log'),
        healthy: async () => false,
        startTimeoutMs: 60_000,
        stopGraceMs: 1_000,
        owner: 'self',
      }),
    ).rejects.toThrow(/dies exited during start-up \(code 3\)[\s\S]*config key foo\.bar is wrong/);
  });

  it('kills a service that never becomes healthy and says so', async () => {
    const dir = instanceDir('harness-selftest', 'never-healthy');
    let pgid = 0;
    await expect(
      startProcess({
        name: 'never-healthy',
        command: 'sh',
        args: ['-c', 'echo $$ > pid; echo starting; exec sleep 300'],
        cwd: dir,
        logFile: join(dir, 'never-healthy.log'),
        healthy: async () => {
          pgid ||=
            Number(
              spawnSync('cat', [join(dir, 'pid')])
                .stdout.toString()
                .trim(),
            ) || 0;
          return false;
        },
        startTimeoutMs: 1_000,
        stopGraceMs: 1_000,
        owner: 'self',
      }),
    ).rejects.toThrow(/never-healthy was not healthy within 1 s[\s\S]*starting/);
    expect(pgid).toBeGreaterThan(0);
    expect(groupAlive(pgid)).toBe(false);
  });

  it('stop() ends the whole process group, grandchildren included', async () => {
    const dir = instanceDir('harness-selftest', 'family');
    const proc = await startProcess({
      name: 'family',
      command: 'sh',
      // A grandchild that ignores SIGTERM forces the SIGKILL path as well; healthy once it is in place.
      args: ['-c', 'sh -c \'trap "" TERM; touch ready; exec sleep 300\' & sleep 300 & wait'],
      cwd: dir,
      logFile: join(dir, 'family.log'),
      healthy: async () => existsSync(join(dir, 'ready')),
      startTimeoutMs: 10_000,
      stopGraceMs: 500,
      owner: 'self',
    });
    expect(groupAlive(proc.pgid)).toBe(true);
    await proc.stop();
    expect(groupAlive(proc.pgid)).toBe(false);
  });

  it('kills services whose owner process is gone (at the next start, or on cleanup), and leaves the others', async () => {
    const dir = instanceDir('harness-selftest', 'stale');
    const orphan = (name: string) =>
      startProcess({
        name,
        command: 'sleep',
        args: ['300'],
        logFile: join(dir, `${name}.log`),
        healthy: async () => true,
        startTimeoutMs: 10_000,
        stopGraceMs: 500,
        owner: deadPid(),
      });
    const waitGone = async (pid: number) => {
      for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    };
    const first = await orphan('orphan-a');
    expect(isAlive(first.pgid)).toBe(true);
    const mine = await startProcess({
      name: 'mine',
      command: 'sleep',
      args: ['300'],
      logFile: join(dir, 'mine.log'),
      healthy: async () => true,
      startTimeoutMs: 10_000,
      stopGraceMs: 500,
      owner: 'self',
    });
    const second = await orphan('orphan-b');
    try {
      await waitGone(first.pgid);
      expect(isAlive(first.pgid)).toBe(false); // killed when 'mine' started

      expect(cleanupStaleServices()).toContain(`orphan-b (pgid ${second.pgid})`);
      await waitGone(second.pgid);
      expect(isAlive(second.pgid)).toBe(false);
      expect(isAlive(mine.pgid)).toBe(true);
    } finally {
      await Promise.all([mine.stop(), first.stop(), second.stop()]);
    }
  });

  it('starts a server again on a new port when its port was taken before it bound it, and only then', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const takenPort = (taken.address() as AddressInfo).port;
    const ports: number[] = [];
    const listener = (name: string) => async () => {
      const port = ports.length === 0 ? takenPort : await freePort();
      ports.push(port);
      const dir = instanceDir('harness-selftest', name);
      return startProcess({
        name,
        command: process.execPath,
        args: ['-e', `require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('up'))`],
        logFile: join(dir, `${name}.log`),
        // Its own line "up", not a connection: the port that was taken answers too.
        healthy: async () =>
          existsSync(join(dir, `${name}.log`)) &&
          /^up$/m.test(readFileSync(join(dir, `${name}.log`), 'utf8')),
        startTimeoutMs: 60_000,
        stopGraceMs: 1_000,
        owner: 'self',
      });
    };
    try {
      const proc = await retryOnPortClash(listener('port-clash'));
      expect(ports).toHaveLength(2);
      expect(ports[1]).not.toBe(takenPort);
      await proc.stop();
      // Another failure is not retried.
      ports.length = 0;
      await expect(
        retryOnPortClash(async () => {
          ports.push(0);
          throw new Error('config key foo.bar is wrong');
        }),
      ).rejects.toThrow('foo.bar');
      expect(ports).toHaveLength(1);
    } finally {
      taken.close();
    }
  });

  it('hands out distinct free loopback ports', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    expect(new Set(ports).size).toBe(3);
    for (const p of ports) expect(p).toBeGreaterThan(1023);
  });
});
