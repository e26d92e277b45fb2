/**
 * The harness's own Elasticsearch analysis plugin, so the secured test cluster can create its `.security` index.
 *
 * Why it exists: the integ-test-zip leaves out the analysis-common module, and the `.security` index's settings
 * define an `email` analyzer built from the `uax_url_email` tokenizer and the `pattern_capture` and `unique`
 * filters (`lowercase` is built into the server). Without them `POST /_security/api_key` and the native realm
 * fail with "Unknown filter type [pattern_capture] for [email]". Maven Central carries no analysis-common module,
 * so the plugin (elasticsearch-analysis-plugin/src, four small Java classes of ours) registers exactly those three
 * names over the Lucene classes that do the work.
 *
 * Built once with the JDK's javac against the jars the distribution already ships (`lib/`: the server API and
 * lucene-analysis-common; nothing is downloaded), cached under ~/.cache/plumbline/elasticsearch-analysis-plugin
 * by a key over the sources and the Elasticsearch version; installed with `elasticsearch-plugin install` into a
 * second Elasticsearch home next to the first (hard links to its files plus the plugin), which only the secured
 * flavour runs from: the plain clusters keep the untouched home. Both are made in a staging place and renamed into
 * place under a cross-process lock, so concurrent first uses do not clash.
 */
import { createHash } from 'node:crypto';
import {
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
import { withLock } from './lock';
import { VERSIONS, cacheDir, elasticsearchHome, harnessSourceDir, javaHome, optDir } from './paths';
import { run } from './run-command';
import { assertInstalled } from './installed';

export const ANALYSIS_PLUGIN_NAME = 'plumbline-analysis';
/** The analysis components the plugin registers (the `.security` index's `email` analyzer needs them). */
export const ANALYSIS_PLUGIN_COMPONENTS = ['uax_url_email', 'pattern_capture', 'unique'] as const;

const PACKAGE_DIR = join('dev', 'plumbline', 'esanalysis');

function pluginSourceDir(): string {
  return join(harnessSourceDir(), 'elasticsearch-analysis-plugin', 'src');
}

function javaSources(): string[] {
  const dir = join(pluginSourceDir(), PACKAGE_DIR);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.java'))
    .sort()
    .map((name) => join(dir, name));
}

function descriptor(): string {
  return [
    `description=Plumbline test harness: the ${ANALYSIS_PLUGIN_COMPONENTS.join(', ')} analysis components`,
    'version=1.0.0',
    `name=${ANALYSIS_PLUGIN_NAME}`,
    'classname=dev.plumbline.esanalysis.PlumblineAnalysisPlugin',
    'java.version=17',
    `elasticsearch.version=${VERSIONS.elasticsearch}`,
    '',
  ].join('\n');
}

/** Changes with the sources, the descriptor and the Elasticsearch version: a new key builds anew. */
function pluginKey(): string {
  const hash = createHash('sha256').update(descriptor());
  for (const file of javaSources())
    hash.update(file.slice(pluginSourceDir().length)).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

/** The home the secured flavour runs from: the distribution plus the plugin. */
export function analysisElasticsearchHome(): string {
  return join(optDir(), `elasticsearch-${VERSIONS.elasticsearch}-${ANALYSIS_PLUGIN_NAME}`);
}

function javac(): string {
  const path = join(javaHome(), 'bin', 'javac');
  if (!existsSync(path))
    throw new Error(
      `no javac in ${javaHome()}: the harness compiles its Elasticsearch analysis plugin; ` +
        'install a JDK (apt-get install openjdk-17-jdk-headless)',
    );
  return path;
}

/** Compiles and packages the plugin (cached by key); returns the zip. */
function buildPluginZip(key: string): string {
  const dir = join(cacheDir(), 'elasticsearch-analysis-plugin', key);
  const zip = join(dir, `${ANALYSIS_PLUGIN_NAME}-${VERSIONS.elasticsearch}.zip`);
  if (existsSync(zip)) return zip;
  mkdirSync(join(cacheDir(), 'elasticsearch-analysis-plugin'), { recursive: true });
  const work = mkdtempSync(join(cacheDir(), 'elasticsearch-analysis-plugin', 'build-'));
  try {
    const classes = join(work, 'classes');
    const pkg = join(work, 'package');
    mkdirSync(pkg);
    const classpath = join(elasticsearchHome(), 'lib', '*');
    run(javac(), ['--release', '17', '-nowarn', '-cp', classpath, '-d', classes, ...javaSources()]);
    const jar = join(javaHome(), 'bin', 'jar');
    run(jar, ['--create', '--file', join(pkg, `${ANALYSIS_PLUGIN_NAME}.jar`), '-C', classes, '.']);
    writeFileSync(join(pkg, 'plugin-descriptor.properties'), descriptor());
    const out = join(work, 'out');
    mkdirSync(out);
    run(jar, ['--create', '--no-manifest', '--file', join(out, 'plugin.zip'), '-C', pkg, '.']);
    renameSync(join(out, 'plugin.zip'), join(out, `${ANALYSIS_PLUGIN_NAME}-${VERSIONS.elasticsearch}.zip`));
    try {
      renameSync(out, dir);
    } catch (err) {
      // Another process built it first: use theirs.
      if (!existsSync(zip)) throw err;
    }
    return zip;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Makes (once) the Elasticsearch home with the analysis plugin installed and returns it, with what it did and how
 * long it took. Idempotent: a home whose stamp holds the current key is used as it is.
 */
export async function ensureAnalysisElasticsearchHome(): Promise<{ home: string; note: string }> {
  const base = elasticsearchHome();
  assertInstalled(join(base, 'bin', 'elasticsearch'), 'Elasticsearch');
  const home = analysisElasticsearchHome();
  const stamp = join(home, '.plumbline-analysis-plugin');
  const key = pluginKey();
  const ready = () =>
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8').trim() === key &&
    existsSync(join(home, 'plugins', ANALYSIS_PLUGIN_NAME));
  if (ready()) return { home, note: `present in ${home}` };
  mkdirSync(cacheDir(), { recursive: true });
  return withLock(join(cacheDir(), 'elasticsearch-analysis-plugin.lock'), 600_000, async () => {
    if (ready()) return { home, note: `present in ${home}` };
    const started = Date.now();
    const zip = buildPluginZip(key);
    const staging = `${home}.staging`;
    rmSync(staging, { recursive: true, force: true });
    // Hard links: no second copy of the distribution's 100 MB. Nothing below writes into a linked file: the
    // installer adds new files under plugins/, and the stamp is written only after its link is removed.
    try {
      run('cp', ['-al', base, staging]);
    } catch {
      rmSync(staging, { recursive: true, force: true });
      run('cp', ['-a', base, staging]);
    }
    rmSync(join(staging, '.plumbline-installed'), { force: true });
    rmSync(join(staging, '.plumbline-analysis-plugin'), { force: true });
    run(join(staging, 'bin', 'elasticsearch-plugin'), ['install', '--batch', `file://${zip}`], {
      env: {
        PATH: process.env.PATH,
        HOME: staging,
        LANG: 'C.UTF-8',
        ES_JAVA_HOME: javaHome(),
        ES_PATH_CONF: join(staging, 'config'),
        CLI_JAVA_OPTS: '-XX:TieredStopAtLevel=1',
      },
    });
    run('chmod', ['-R', 'a+rX', join(staging, 'plugins')]);
    writeFileSync(join(staging, '.plumbline-analysis-plugin'), `${key}\n`);
    rmSync(home, { recursive: true, force: true });
    renameSync(staging, home);
    return {
      home,
      note: `built and installed into ${home} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    };
  });
}
