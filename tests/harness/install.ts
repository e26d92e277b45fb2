/**
 * `npm run setup`: installs every real service the tests use, idempotently.
 *
 * Each step checks a stamp (or the binary it provides) first, so a warm run does nothing but look; every
 * download is cached under `~/.cache/plumbline` and verified against Maven Central's published digests.
 * Steps print what they do and how long they took.
 */
import { spawnSync } from 'node:child_process';
import { run } from './run-command';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { cachedDownload } from './download';
import { ensureAnalysisElasticsearchHome } from './elasticsearch-analysis-plugin';
import { withLock } from './lock';
import {
  MAVEN_CENTRAL,
  SERVICE_USER,
  VERSIONS,
  cacheDir,
  elasticsearchHome,
  harnessSourceDir,
  isRoot,
  kafkaHome,
  optDir,
  pythonBin,
  venvDir,
} from './paths';

export interface InstallStep {
  name: string;
  /** Returns a short note: what was done, or why nothing was. */
  run(): Promise<string>;
}

function stampMatches(file: string, key: string): boolean {
  return existsSync(file) && readFileSync(file, 'utf8').trim() === key;
}

/** Makes `dir` and everything in it readable (and dirs traversable) by every user. */
function makeWorldReadable(dir: string): void {
  run('chmod', ['-R', 'a+rX', dir]);
}

// ---------------------------------------------------------------------------------------------------------------
// Debian packages: Prometheus, Alertmanager (promtool, amtool come with them), Chromium.

const APT_PACKAGES: Array<{ binary: string; pkg: string; recommends: boolean }> = [
  { binary: '/usr/bin/prometheus', pkg: 'prometheus', recommends: false },
  { binary: '/usr/bin/promtool', pkg: 'prometheus', recommends: false },
  { binary: '/usr/bin/prometheus-alertmanager', pkg: 'prometheus-alertmanager', recommends: false },
  { binary: '/usr/bin/amtool', pkg: 'prometheus-alertmanager', recommends: false },
  { binary: '/usr/bin/chromium', pkg: 'chromium', recommends: true },
  { binary: '/usr/bin/unzip', pkg: 'unzip', recommends: false },
  // Present on this machine kind; installed only if a machine lacks them.
  { binary: '/usr/bin/java', pkg: 'openjdk-17-jre-headless', recommends: false },
  // javac and jar build the harness's Elasticsearch analysis plugin (elasticsearch-analysis-plugin.ts).
  { binary: '/usr/bin/javac', pkg: 'openjdk-17-jdk-headless', recommends: false },
  { binary: '/usr/bin/mvn', pkg: 'maven', recommends: false },
];

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

const aptStep: InstallStep = {
  name: 'apt packages (prometheus, prometheus-alertmanager, chromium, unzip, java, javac, maven)',
  async run() {
    const missing = APT_PACKAGES.filter((p) => !existsSync(p.binary));
    if (missing.length === 0) return 'all binaries present';
    const plain = [...new Set(missing.filter((p) => !p.recommends).map((p) => p.pkg))];
    const withRecommends = [...new Set(missing.filter((p) => p.recommends).map((p) => p.pkg))];
    if (!isRoot()) {
      throw new Error(
        `missing ${missing.map((p) => p.binary).join(', ')}; as root run: ` +
          `apt-get update && apt-get install -y ${[...plain, ...withRecommends].join(' ')}`,
      );
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const lock = ['-o', 'DPkg::Lock::Timeout=600'];
    // Debian's prometheus packages start their daemons from postinst; a policy-rc.d that says 101 stops that,
    // so nothing of theirs holds 9090/9093 or keeps running after the install.
    const ownPolicy = !existsSync(POLICY_RC_D);
    if (ownPolicy)
      writeFileSync(POLICY_RC_D, '#!/bin/sh\n# written by plumbline setup for the install only\nexit 101\n', {
        mode: 0o755,
      });
    try {
      run('apt-get', [...lock, 'update', '-q'], { env });
      if (plain.length)
        run('apt-get', [...lock, 'install', '-y', '-q', '--no-install-recommends', ...plain], { env });
      if (withRecommends.length) run('apt-get', [...lock, 'install', '-y', '-q', ...withRecommends], { env });
    } finally {
      if (ownPolicy) rmSync(POLICY_RC_D, { force: true });
    }
    const still = APT_PACKAGES.filter((p) => !existsSync(p.binary));
    if (still.length)
      throw new Error(`apt-get install left ${still.map((p) => p.binary).join(', ')} missing`);
    return `installed ${[...plain, ...withRecommends].join(' ')}`;
  },
};

// ---------------------------------------------------------------------------------------------------------------
// The unprivileged user Elasticsearch runs as (it refuses to run as root).

const userStep: InstallStep = {
  name: `service user '${SERVICE_USER}'`,
  async run() {
    if (!isRoot()) return 'not root: services run as the current user';
    if (spawnSync('id', ['-u', SERVICE_USER]).status === 0) return 'exists';
    run('useradd', [
      '--system',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      SERVICE_USER,
    ]);
    return 'created';
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Elasticsearch: the integ-test-zip distribution from Maven Central.

export function elasticsearchZipUrl(version: string = VERSIONS.elasticsearch): string {
  return `${MAVEN_CENTRAL}/org/elasticsearch/distribution/integ-test-zip/elasticsearch/${version}/elasticsearch-${version}.zip`;
}

const elasticsearchStep: InstallStep = {
  name: `Elasticsearch ${VERSIONS.elasticsearch} (Maven Central integ-test-zip)`,
  async run() {
    const home = elasticsearchHome();
    const stamp = join(home, '.plumbline-installed');
    const key = elasticsearchZipUrl();
    if (stampMatches(stamp, key) && existsSync(join(home, 'bin', 'elasticsearch')))
      return `present in ${home}`;
    const { file, downloaded } = await cachedDownload(key);
    mkdirSync(optDir(), { recursive: true });
    const staging = `${home}.unpacking`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    run('unzip', ['-q', file, '-d', staging]);
    const [top] = readdirSync(staging);
    if (!top) throw new Error(`${file} unpacked to nothing`);
    rmSync(home, { recursive: true, force: true });
    renameSync(join(staging, top), home);
    rmSync(staging, { recursive: true, force: true });
    makeWorldReadable(home);
    chmodSync(optDir(), 0o755);
    writeFileSync(stamp, `${key}\n`);
    return `${downloaded ? 'downloaded and ' : ''}unpacked into ${home}`;
  },
};

// The secured test cluster's home: the distribution plus the harness's analysis plugin (built with javac).

const elasticsearchAnalysisStep: InstallStep = {
  name: 'Elasticsearch analysis plugin for the secured test cluster (javac, cached)',
  async run() {
    return (await ensureAnalysisElasticsearchHome()).note;
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Kafka: the broker jars and their runtime dependencies, resolved by Maven from Central.

function kafkaPom(): string {
  const dep = (groupId: string, artifactId: string, version: string) =>
    `    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    '  <modelVersion>4.0.0</modelVersion>',
    '  <groupId>dev.plumbline.harness</groupId>',
    '  <artifactId>kafka-runtime</artifactId>',
    '  <version>1</version>',
    '  <packaging>pom</packaging>',
    '  <dependencies>',
    dep('org.apache.kafka', `kafka_${VERSIONS.scala}`, VERSIONS.kafka),
    // The broker logs through SLF4J; Log4j 2 writes it to the service log file (the binding needs SLF4J 2).
    dep('org.slf4j', 'slf4j-api', '2.0.17'),
    dep('org.apache.logging.log4j', 'log4j-slf4j2-impl', '2.24.3'),
    dep('org.apache.logging.log4j', 'log4j-core', '2.24.3'),
    '  </dependencies>',
    '</project>',
    '',
  ].join('\n');
}

const kafkaStep: InstallStep = {
  name: `Apache Kafka ${VERSIONS.kafka} (Maven Central jars, KRaft)`,
  async run() {
    const home = kafkaHome();
    const stamp = join(home, '.plumbline-installed');
    const pom = kafkaPom();
    const key = createHash('sha256').update(pom).digest('hex');
    if (stampMatches(stamp, key) && existsSync(join(home, 'libs'))) return `present in ${home}`;
    const work = join(cacheDir(), 'kafka-pom');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'pom.xml'), pom);
    const staging = `${home}.resolving`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(join(staging, 'libs'), { recursive: true });
    run(
      'mvn',
      [
        '-B',
        '-q',
        '-C', // fail on checksum mismatch
        `-Dmaven.repo.local=${join(cacheDir(), 'm2')}`,
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${join(staging, 'libs')}`,
      ],
      { cwd: work },
    );
    const jars = readdirSync(join(staging, 'libs'));
    if (!jars.some((j) => j.startsWith(`kafka_${VERSIONS.scala}-`)))
      throw new Error('Maven resolved no Kafka broker jar');
    rmSync(home, { recursive: true, force: true });
    renameSync(staging, home);
    makeWorldReadable(home);
    writeFileSync(stamp, `${key}\n`);
    return `${jars.length} jars in ${join(home, 'libs')}`;
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Python venv: MLServer + mlserver-sklearn, scikit-learn, skl2onnx, onnx, scipy, numpy, pandas (pinned).

export function requirementsFile(): string {
  return join(harnessSourceDir(), 'requirements.txt');
}

const venvStep: InstallStep = {
  name: 'Python venv (requirements.txt: mlserver, scikit-learn, skl2onnx, scipy, ...)',
  async run() {
    const requirements = readFileSync(requirementsFile(), 'utf8');
    const key = createHash('sha256').update(requirements).digest('hex');
    const stamp = join(venvDir(), '.plumbline-installed');
    if (stampMatches(stamp, key) && existsSync(pythonBin())) return `up to date in ${venvDir()}`;
    if (!existsSync(pythonBin())) run('python3', ['-m', 'venv', venvDir()]);
    const env = {
      ...process.env,
      PIP_CACHE_DIR: join(cacheDir(), 'pip'),
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
    };
    run(pythonBin(), ['-m', 'pip', 'install', '-q', '-r', requirementsFile()], { env });
    writeFileSync(stamp, `${key}\n`);
    return `installed into ${venvDir()}`;
  },
};

export const INSTALL_STEPS: InstallStep[] = [
  aptStep,
  userStep,
  elasticsearchStep,
  elasticsearchAnalysisStep,
  kafkaStep,
  venvStep,
];

/** Runs every step in order, printing each with its duration. Throws on the first failure. */
export async function installAll(
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<void> {
  mkdirSync(cacheDir(), { recursive: true });
  // Several `npm test` runs on one machine must not unpack into the same directory at once.
  await withLock(join(cacheDir(), 'install.lock'), 1_800_000, () => installSteps(log));
}

async function installSteps(log: (line: string) => void): Promise<void> {
  const started = Date.now();
  for (const step of INSTALL_STEPS) {
    const t0 = Date.now();
    log(`setup: ${step.name} ...`);
    try {
      const note = await step.run();
      log(`setup: ${step.name}: ${note} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (err) {
      throw new Error(`setup step "${step.name}" failed after ${((Date.now() - t0) / 1000).toFixed(1)} s`, {
        cause: err,
      });
    }
  }
  log(`setup: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
