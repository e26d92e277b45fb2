// `plumbline --version` and `plumbline <command> --help` load only commander and the commands' registrations
// (issue #16: within 2× of `node -e 0`). Each workspace registers its commands from its `./cli` entry, and an
// action handler requires what the command runs (cli/README.md, "Adding a command"). This test builds the program
// from the built CLI in a child process (run `npm run build` first, as for the other bin tests) and fails when a
// registration pulls in a heavy module again.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'cli', 'dist', 'main.js');
/** Precedes the list of loaded files on stdout, after whatever help or version text the command printed. */
const MARK = '@@loaded-modules@@';

/** Packages a registration must not load: each costs tens to hundreds of ms before any flag is read. */
const HEAVY = [
  'zod',
  'yaml',
  'kafkajs',
  '@elastic/elasticsearch',
  'onnxruntime-node',
  'undici',
  'prom-client',
  'pino',
  '@stdlib',
  'lmdb',
  'papaparse',
  'hyparquet',
  'ml-matrix',
  '@datadog/sketches-js',
];

/** The files the child process had loaded after building the program (and, optionally, parsing argv). */
function loadedFiles(argv: string[]): string[] {
  const script = `
    const { buildProgram } = require(${JSON.stringify(MAIN)});
    const program = buildProgram();
    const report = () => process.stdout.write('\\n' + MARK + JSON.stringify(Object.keys(require.cache)));
    program.parseAsync(${JSON.stringify(argv)}, { from: 'user' }).then(report, report);
  `;
  const out = execFileSync(process.execPath, ['-e', `const MARK = ${JSON.stringify(MARK)};${script}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out.slice(out.lastIndexOf(MARK) + MARK.length)) as string[];
}

function heavyIn(files: string[]): string[] {
  const dir = (pkg: string): string => `${path.sep}node_modules${path.sep}${pkg.split('/').join(path.sep)}`;
  return HEAVY.filter((pkg) => files.some((f) => f.includes(dir(pkg))));
}

describe('plumbline start-up loads only what it uses', () => {
  it.each(
    [
      ['--version'],
      ['--help'],
      ['drift', '--help'],
      ['sidecar', '--help'],
      ['exporter', '--help'],
      ['baseline', 'import', '--help'],
      ['start', '--help'],
      ['traffic', '--help'],
      ['serve-model', '--help'],
      ['performance', '--help'],
      ['dataset', 'export', '--help'],
      ['review', 'advise', '--help'],
    ].map((argv) => [argv.join(' '), argv]),
  )('plumbline %s', (_name, argv) => {
    expect(heavyIn(loadedFiles(argv))).toEqual([]);
  });

  it('the check sees a heavy module when one is loaded (the test can fail)', () => {
    // `drift` with its files runs the command, which requires the stat tests (@stdlib) and the readers (papaparse).
    const files = loadedFiles([
      'drift',
      '--reference',
      path.join(ROOT, 'no-such-reference.csv'),
      '--current',
      path.join(ROOT, 'no-such-current.csv'),
    ]);
    expect(heavyIn(files).length).toBeGreaterThan(0);
  });
});
