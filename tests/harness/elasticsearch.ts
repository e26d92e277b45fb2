/**
 * Elasticsearch 8.x (integ-test-zip from Maven Central): single node, security off, 512 MB heap, loopback only,
 * disk watermarks off, `action.destructive_requires_name: false`. As root it runs as the unprivileged
 * `plumbline` user (Elasticsearch refuses root) with config, data and logs in an instance dir that user owns.
 *
 * `security: true` starts the second flavour: `xpack.security.enabled: true`, TLS on HTTP (an `https://` URL) with
 * a certificate made by Elasticsearch's own `elasticsearch-certutil` (a test CA and a node certificate for
 * 127.0.0.1/localhost, made once and cached under ~/.cache/plumbline/elasticsearch-certs), and one superuser of
 * the file realm whose password is a fresh {@link testSecret}. The handle says how to reach it (`security`).
 * Only the suites about security use it: every other suite keeps the plain cluster.
 *
 * The secured flavour runs from a second home that carries the harness's own analysis plugin
 * (elasticsearch-analysis-plugin.ts): the integ-test-zip lacks the analysis-common module whose components the
 * `.security` index's settings name, and with the plugin the cluster creates that index, so API keys
 * (`POST /_security/api_key`) and the native realm work. Users and roles given as options live in the file realm
 * (`users`, `roles.yml`); a test may add native ones or API keys through the API as the superuser.
 */
import { X509Certificate } from 'node:crypto';
import {
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Agent, request } from 'undici';
import { stringify as stringifyYaml } from 'yaml';
import { answers200 } from './http';
import { SERVICE_USER, cacheDir, elasticsearchHome, isRoot, javaHome } from './paths';
import {
  freePort,
  instanceDir,
  retryOnPortClash,
  startService,
  type RestartableService,
  type ServiceOptions,
} from './process';
import { assertInstalled } from './installed';
import { ensureAnalysisElasticsearchHome } from './elasticsearch-analysis-plugin';
import { run } from './run-command';
import { testSecret } from './secrets';

/** How to reach a secured instance: its CA (file and SHA-256 fingerprint) and a superuser of the file realm. */
export interface ElasticsearchSecurity {
  /** PEM file of the CA that signed the node's HTTP certificate. */
  caFile: string;
  /** SHA-256 fingerprint of that CA (`AA:BB:…`), what `caFingerprint` pins. */
  caFingerprint: string;
  /** A superuser (file realm): for the test's own checks, not for the code under test. */
  username: string;
  password: string;
  /** The password of each user of `ElasticsearchSecuritySetup.users` (fresh test secrets). */
  passwords: Record<string, string>;
}

/** File-realm roles (Elasticsearch role descriptors: `cluster`, `indices`) and users holding them. */
export interface ElasticsearchSecuritySetup {
  roles?: Record<string, { cluster?: string[]; indices?: { names: string[]; privileges: string[] }[] }>;
  users?: { username: string; roles: string[] }[];
}

export type ElasticsearchHandle = RestartableService & {
  /** Set when started with `security: true`. */
  security?: ElasticsearchSecurity;
};

/** startTimeoutMs @default 180000 */
export interface ElasticsearchOptions extends ServiceOptions {
  /** Heap size, e.g. '512m'. @default '512m' */
  heap?: string;
  /** Security on and TLS on HTTP, with these file-realm roles and users (see the file's comment). @default false */
  security?: boolean | ElasticsearchSecuritySetup;
}

/** The user the harness makes in a secured instance. */
export const ELASTICSEARCH_ADMIN_USER = 'plumbline-admin';

/**
 * The test CA and the node certificate (for 127.0.0.1 and localhost), made once with elasticsearch-certutil and
 * kept in the cache; made in a temporary directory and renamed into place, so concurrent first uses do not clash.
 * `node.crt` holds the node certificate followed by the CA, so the server sends the whole chain (what a
 * `caFingerprint` client checks).
 */
function elasticsearchCerts(env: NodeJS.ProcessEnv): { dir: string; caFile: string } {
  const dir = join(cacheDir(), 'elasticsearch-certs');
  const caFile = join(dir, 'ca.crt');
  if (existsSync(join(dir, 'node.key'))) return { dir, caFile };
  mkdirSync(cacheDir(), { recursive: true });
  const work = mkdtempSync(join(cacheDir(), 'elasticsearch-certs-'));
  const certutil = join(elasticsearchHome(), 'bin', 'elasticsearch-certutil');
  run(certutil, ['ca', '--pem', '--silent', '--days', '3650', '--out', join(work, 'ca.zip')], { env });
  run('unzip', ['-q', '-o', join(work, 'ca.zip'), '-d', work]);
  run(
    certutil,
    [
      'cert',
      '--pem',
      '--silent',
      '--days',
      '3650',
      '--ca-cert',
      join(work, 'ca', 'ca.crt'),
      '--ca-key',
      join(work, 'ca', 'ca.key'),
      '--ip',
      '127.0.0.1',
      '--dns',
      'localhost',
      '--name',
      'node',
      '--out',
      join(work, 'node.zip'),
    ],
    { env },
  );
  run('unzip', ['-q', '-o', join(work, 'node.zip'), '-d', work]);
  const out = join(work, 'certs');
  mkdirSync(out);
  const ca = readFileSync(join(work, 'ca', 'ca.crt'), 'utf8');
  writeFileSync(join(out, 'ca.crt'), ca);
  writeFileSync(
    join(out, 'node.crt'),
    `${readFileSync(join(work, 'node', 'node.crt'), 'utf8').trimEnd()}\n${ca}`,
  );
  writeFileSync(join(out, 'node.key'), readFileSync(join(work, 'node', 'node.key')));
  try {
    renameSync(out, dir);
  } catch (err) {
    // Another process made them first: use theirs.
    if (!existsSync(join(dir, 'node.key'))) throw err;
  }
  rmSync(work, { recursive: true, force: true });
  return { dir, caFile };
}

/** True when the secured instance answers its cluster health as the superuser. */
async function secureHealthy(url: string, security: ElasticsearchSecurity): Promise<boolean> {
  const dispatcher = new Agent({ connect: { ca: readFileSync(security.caFile, 'utf8') } });
  try {
    const res = await request(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`, {
      dispatcher,
      headers: {
        authorization: `Basic ${Buffer.from(`${security.username}:${security.password}`).toString('base64')}`,
      },
      headersTimeout: 3000,
      bodyTimeout: 3000,
    });
    await res.body.text();
    return res.statusCode === 200;
  } catch {
    return false;
  } finally {
    await dispatcher.close();
  }
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

export function startElasticsearch(options: ElasticsearchOptions = {}): Promise<ElasticsearchHandle> {
  return retryOnPortClash(() => startElasticsearchOnce(options));
}

async function startElasticsearchOnce(options: ElasticsearchOptions): Promise<ElasticsearchHandle> {
  assertInstalled(join(elasticsearchHome(), 'bin', 'elasticsearch'), 'Elasticsearch');
  const home = options.security ? (await ensureAnalysisElasticsearchHome()).home : elasticsearchHome();
  const dir = instanceDir(options.group ?? 'dedicated', 'elasticsearch');
  const conf = join(dir, 'config');
  cpSync(join(home, 'config'), conf, { recursive: true });
  for (const sub of ['data', 'logs', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  const port = await freePort();
  const transportPort = await freePort();
  const toolEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    LANG: 'C.UTF-8',
    ES_PATH_CONF: conf,
    ES_JAVA_HOME: javaHome(),
    CLI_JAVA_OPTS: '-XX:TieredStopAtLevel=1',
  };
  let security: ElasticsearchSecurity | undefined;
  let securitySettings = ['xpack.security.enabled: false'];
  if (options.security) {
    const certs = elasticsearchCerts(toolEnv);
    cpSync(certs.dir, join(conf, 'certs'), { recursive: true });
    const setup = options.security === true ? {} : options.security;
    // No roles: an empty file (the YAML `{}` is read as a role named "{}" with no definition and logged as invalid).
    const roles = setup.roles ?? {};
    writeFileSync(join(conf, 'roles.yml'), Object.keys(roles).length === 0 ? '' : stringifyYaml(roles));
    const users = [{ username: ELASTICSEARCH_ADMIN_USER, roles: ['superuser'] }, ...(setup.users ?? [])];
    const passwords: Record<string, string> = {};
    for (const user of users) {
      passwords[user.username] = testSecret(`elasticsearch password of ${user.username}`);
      run(
        join(home, 'bin', 'elasticsearch-users'),
        ['useradd', user.username, '-p', passwords[user.username], '-r', user.roles.join(',')],
        { env: toolEnv },
      );
    }
    security = {
      caFile: certs.caFile,
      caFingerprint: new X509Certificate(readFileSync(certs.caFile)).fingerprint256,
      username: ELASTICSEARCH_ADMIN_USER,
      password: passwords[ELASTICSEARCH_ADMIN_USER],
      passwords,
    };
    securitySettings = [
      'xpack.security.enabled: true',
      'xpack.security.authc.api_key.enabled: true',
      'xpack.security.http.ssl.enabled: true',
      'xpack.security.http.ssl.certificate: certs/node.crt',
      'xpack.security.http.ssl.key: certs/node.key',
      'xpack.security.http.ssl.certificate_authorities: [certs/ca.crt]',
      'xpack.security.transport.ssl.enabled: false',
    ];
  }
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
      ...securitySettings,
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
  const url = `${security ? 'https' : 'http'}://127.0.0.1:${port}`;
  const handle = await startService({
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
      healthy: () =>
        security
          ? secureHealthy(url, security)
          : answers200(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`),
    },
  });
  return Object.assign(handle, { security });
}
