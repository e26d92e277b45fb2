/**
 * Elasticsearch 8.x (integ-test-zip from Maven Central): single node, security off, 512 MB heap, loopback only,
 * disk watermarks off, `action.destructive_requires_name: false`. As root it runs as the unprivileged
 * `plumbline` user (Elasticsearch refuses root) with config, data and logs in an instance dir that user owns.
 */
import { chownSync, cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { answers200 } from './http';
import { SERVICE_USER, elasticsearchHome, isRoot, javaHome } from './paths';
import { freePort, instanceDir, startService, type RestartableService, type ServiceOptions } from './process';
import { assertInstalled } from './installed';

export type ElasticsearchHandle = RestartableService;

/** startTimeoutMs @default 180000 */
export interface ElasticsearchOptions extends ServiceOptions {
  /** Heap size, e.g. '512m'. @default '512m' */
  heap?: string;
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) chownTree(path, uid, gid);
    else chownSync(path, uid, gid);
  }
}

function serviceUserIds(): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', SERVICE_USER], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', SERVICE_USER], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || uid <= 0)
    throw new Error(`user '${SERVICE_USER}' missing: run \`npm run setup\``);
  return { uid, gid };
}

export async function startElasticsearch(options: ElasticsearchOptions = {}): Promise<ElasticsearchHandle> {
  const home = elasticsearchHome();
  assertInstalled(join(home, 'bin', 'elasticsearch'), 'Elasticsearch');
  const dir = instanceDir(options.group ?? 'dedicated', 'elasticsearch');
  const conf = join(dir, 'config');
  cpSync(join(home, 'config'), conf, { recursive: true });
  for (const sub of ['data', 'logs', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  const port = await freePort();
  const transportPort = await freePort();
  writeFileSync(
    join(conf, 'elasticsearch.yml'),
    [
      'cluster.name: plumbline-test',
      'node.name: plumbline-es',
      'discovery.type: single-node',
      'network.host: 127.0.0.1',
      `http.port: ${port}`,
      `transport.port: ${transportPort}`,
      `path.data: ${join(dir, 'data')}`,
      `path.logs: ${join(dir, 'logs')}`,
      'xpack.security.enabled: false',
      'cluster.routing.allocation.disk.threshold_enabled: false',
      'action.destructive_requires_name: false',
      'bootstrap.memory_lock: false',
      '',
    ].join('\n'),
  );
  const heap = options.heap ?? '512m';
  let command = join(home, 'bin', 'elasticsearch');
  let args: string[] = [];
  if (isRoot()) {
    const { uid, gid } = serviceUserIds();
    chownTree(dir, uid, gid);
    command = 'setpriv';
    args = [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', join(home, 'bin', 'elasticsearch')];
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    LANG: 'C.UTF-8',
    ES_PATH_CONF: conf,
    ES_JAVA_HOME: javaHome(),
    ES_TMPDIR: join(dir, 'tmp'),
    // Test-sized JVM: no heap pre-touch, C1 only (faster start-up on a busy 2-core machine; the data are small).
    // The launcher JVM (it parses options and starts the server JVM) gets C1 only too.
    CLI_JAVA_OPTS: '-XX:TieredStopAtLevel=1',
    ES_JAVA_OPTS: `-Xms${heap} -Xmx${heap} -XX:-AlwaysPreTouch -XX:TieredStopAtLevel=1 -XX:-HeapDumpOnOutOfMemoryError`,
  };
  const url = `http://127.0.0.1:${port}`;
  return startService({
    name: 'elasticsearch',
    url,
    port,
    dir,
    options,
    process: {
      command,
      args,
      env,
      startTimeoutMs: 180_000,
      stopGraceMs: 20_000,
      healthy: () => answers200(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`),
    },
  });
}
