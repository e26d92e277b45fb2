/**
 * Where the harness keeps things, and which versions it installs.
 *
 * - Downloads, the Maven repository, pip's cache, the Python venv and stamp files live in the cache
 *   (`~/.cache/plumbline`, or `$PLUMBLINE_CACHE`).
 * - Unpacked distributions the services run from live in the opt dir (`/opt/plumbline` when root, else
 *   `<cache>/opt`, or `$PLUMBLINE_OPT`): Elasticsearch runs as an unprivileged user, which cannot read /root.
 * - Everything a run produces (service logs, data dirs, pid files, screenshots) lives under
 *   `<repo>/test-artifacts/` (git-ignored).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const VERSIONS = {
  elasticsearch: '8.19.4',
  kafka: '4.1.1',
  scala: '2.13',
} as const;

/** The unprivileged user Elasticsearch runs as when the harness runs as root (Elasticsearch refuses root). */
export const SERVICE_USER = 'plumbline';

export const MAVEN_CENTRAL = 'https://repo1.maven.org/maven2';

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function cacheDir(): string {
  return resolve(process.env.PLUMBLINE_CACHE ?? join(homedir(), '.cache', 'plumbline'));
}

export function optDir(): string {
  if (process.env.PLUMBLINE_OPT) return resolve(process.env.PLUMBLINE_OPT);
  return isRoot() ? '/opt/plumbline' : join(cacheDir(), 'opt');
}

export function elasticsearchHome(): string {
  return join(optDir(), `elasticsearch-${VERSIONS.elasticsearch}`);
}

export function kafkaHome(): string {
  return join(optDir(), `kafka_${VERSIONS.scala}-${VERSIONS.kafka}`);
}

export function venvDir(): string {
  return join(cacheDir(), 'venv');
}

/** The project venv's python (scikit-learn, skl2onnx, scipy, numpy, pandas, mlserver). */
export function pythonBin(): string {
  return join(venvDir(), 'bin', 'python');
}

let cachedRoot: string | undefined;

/** The monorepo root: the nearest parent directory whose package.json is named `plumbline`. */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === 'plumbline') return (cachedRoot = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the plumbline repository root above ${__dirname}`);
    dir = parent;
  }
}

/** Where source files of the harness live (tests/harness), whether we run from source or from tests/dist. */
export function harnessSourceDir(): string {
  return join(repoRoot(), 'tests', 'harness');
}

/** Root of everything services write during runs: logs, data, pid files. */
export function artifactsDir(): string {
  return resolve(process.env.PLUMBLINE_ARTIFACTS ?? join(repoRoot(), 'test-artifacts'));
}

export function servicesDir(): string {
  return join(artifactsDir(), 'services');
}

export function pidsDir(): string {
  return join(servicesDir(), 'pids');
}

/** JAVA_HOME for Elasticsearch and Kafka: $JAVA_HOME, else the directory the `java` on PATH resolves into. */
export function javaHome(): string {
  if (process.env.JAVA_HOME && existsSync(join(process.env.JAVA_HOME, 'bin', 'java')))
    return process.env.JAVA_HOME;
  for (const dir of (process.env.PATH ?? '/usr/bin').split(':')) {
    const candidate = join(dir, 'java');
    if (existsSync(candidate)) return dirname(dirname(realpathSync(candidate)));
  }
  throw new Error(
    'no java on PATH and JAVA_HOME unset: install Java 17 (apt-get install openjdk-17-jre-headless)',
  );
}

/** Set by the root jest globalSetup: the directory of this jest run (shared-service state, service-use records). */
export const RUN_DIR_ENV = 'PLUMBLINE_JEST_RUN_DIR';
/** When the jest run began (epoch ms): the secret scan reads service logs written since. */
export const RUN_STARTED_ENV = 'PLUMBLINE_JEST_RUN_STARTED';
/** Set by the root jest globalSetup: pid of the jest process, owner of the shared services. */
export const RUN_OWNER_ENV = 'PLUMBLINE_JEST_OWNER_PID';
