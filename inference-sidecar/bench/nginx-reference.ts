/**
 * The nginx reference rows of `npm run bench:sidecar`: nginx (Debian's, 1.22 on bookworm) as a keep-alive reverse
 * proxy in front of the same model server, once with no access log and once with one log line per request that
 * includes the request body — what "a proxy that logs payloads" costs when written in C.
 *
 * - Installed from Debian with apt-get when /usr/sbin/nginx is missing (root only; otherwise the error says what to
 *   run). A policy-rc.d that answers 101 keeps the package's postinst from starting a daemon on port 80.
 * - Each instance runs from its own prefix under ~/.cache/plumbline/nginx-bench/<name>/ (config, pid, logs, temp
 *   dirs), in the foreground (`daemon off`), with ONE worker process: the same single proxy thread the sidecar and
 *   the Node hop have, so CPU per request and saturation compare like with like.
 * - CPU from /proc/<pid>/stat of the master and its workers (utime + stime, clock ticks), like thread-cpu.ts reads
 *   the Node children's threads. nginx counts no requests for us: the bench divides by the requests it sent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const NGINX_BIN = '/usr/sbin/nginx';
const POLICY_RC_D = '/usr/sbin/policy-rc.d';
/** USER_HZ, as in thread-cpu.ts. */
const TICK_US = 10_000;

export interface NginxHandle {
  url: string;
  /** CPU used so far by the master and every worker, µs. */
  cpu(): NodeJS.CpuUsage;
  /** Lines in the access log (0 without one). */
  logLines(): number;
  stop(): Promise<void>;
}

function apt(args: string[]): void {
  const result = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0)
    throw new Error(
      `apt-get ${args.join(' ')} failed:\n${`${result.stdout}\n${result.stderr}`.slice(-2000)}`,
    );
}

/** Makes sure Debian's nginx is installed; returns its version line. */
export function ensureNginx(): string {
  if (!existsSync(NGINX_BIN)) {
    if (process.getuid?.() !== 0)
      throw new Error(`${NGINX_BIN} missing; as root run: apt-get update && apt-get install -y nginx`);
    process.stderr.write('bench: installing nginx from Debian (apt-get) for the reference rows\n');
    const ownPolicy = !existsSync(POLICY_RC_D);
    if (ownPolicy)
      writeFileSync(
        POLICY_RC_D,
        '#!/bin/sh\n# written by plumbline bench:sidecar for the install only\nexit 101\n',
        {
          mode: 0o755,
        },
      );
    try {
      apt(['update', '-q']);
      apt(['install', '-y', '-q', '--no-install-recommends', 'nginx']);
    } finally {
      if (ownPolicy) rmSync(POLICY_RC_D, { force: true });
    }
  }
  const version = spawnSync(NGINX_BIN, ['-v'], { encoding: 'utf8' });
  return (version.stderr || version.stdout).trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function config(dir: string, port: number, upstreamPort: number, logBody: boolean): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${join(dir, `${t}-temp`)};`)
    .join('\n');
  const log = logBody
    ? // $request_body is filled because proxy_pass reads the body into memory (client_body_buffer_size).
      `  log_format withbody '$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time "$request_body"';\n` +
      `  access_log ${join(dir, 'access.log')} withbody;`
    : '  access_log off;';
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
${temp}
${log}
  client_body_buffer_size 64k;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  upstream model {
    server 127.0.0.1:${upstreamPort};
    keepalive 128;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://model;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

/** utime + stime of one process from /proc/<pid>/stat, or zero if it is gone. */
function processCpu(pid: number): NodeJS.CpuUsage {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) * TICK_US, system: Number(fields[12]) * TICK_US };
  } catch {
    return { user: 0, system: 0 };
  }
}

/** The pids whose parent is `ppid` (nginx's workers). */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Starts nginx in front of `upstream` (http://127.0.0.1:PORT); resolves once it accepts connections. */
export async function startNginx(
  name: string,
  upstream: string,
  options: { logBody: boolean },
): Promise<NginxHandle> {
  const dir = join(homedir(), '.cache', 'plumbline', 'nginx-bench', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, config(dir, port, Number(new URL(upstream).port), options.logBody));
  const child: ChildProcess = spawn(NGINX_BIN, ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`nginx (${name}) exited with ${child.exitCode}; see ${join(dir, 'error.log')}`);
    try {
      await fetch(`${url}/v2/health/ready`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx (${name}) did not answer on ${url} within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const master = child.pid!;
  return {
    url,
    cpu() {
      let user = 0;
      let system = 0;
      for (const pid of [master, ...childrenOf(master)]) {
        const c = processCpu(pid);
        user += c.user;
        system += c.system;
      }
      return { user, system };
    },
    logLines() {
      const file = join(dir, 'access.log');
      if (!existsSync(file)) return 0;
      let n = 0;
      for (const byte of readFileSync(file)) if (byte === 0x0a) n++;
      return n;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT'); // graceful: finishes requests in flight
      await exited;
    },
  };
}
