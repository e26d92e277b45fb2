import { integerArg, UsageError } from '@plumbline/service-kit/cli';
import type { Command } from 'commander';
import type { ReferenceQuality } from '../drift/profile-types';
import type { FeatureType } from '../stattests/types';
import { createFileBaselineStore } from './file-store';
import { startReadProgress, type ProgressStream, type ReadProgressOptions } from '../io/read-progress';
import { DEFAULT_MODEL_VERSION, checkBaselineKey, type BaselineStore } from './store';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const usage = (message: string): UsageError => new UsageError(message);
/** Read by commander when given on the command line; runBaselineImport reads texts passed in code the same way. */
const binsArg = integerArg('--bins', 2);
const reservoirSizeArg = integerArg('--reservoir-size', 1);

interface StoreFlags {
  store?: string;
  elasticsearch?: string;
}

/**
 * The file store (default dir, or --store DIR) or the Elasticsearch store (--elasticsearch URL, authenticated and
 * trusted as the PLUMBLINE_ELASTICSEARCH_* variables say: docs/security.md).
 */
export function openBaselineStore(flags: StoreFlags, env: NodeJS.ProcessEnv = process.env): BaselineStore {
  if (flags.store && flags.elasticsearch)
    throw usage('--store and --elasticsearch are exclusive: pick one store');
  if (flags.elasticsearch) {
    let url: URL;
    try {
      url = new URL(flags.elasticsearch);
    } catch {
      throw usage(`--elasticsearch: not a URL: "${flags.elasticsearch}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw usage(`--elasticsearch: expected http(s) URL, got "${flags.elasticsearch}"`);
    // @elastic/elasticsearch loads only for this store (cli/README.md, "Adding a command").
    const { elasticsearchConnectionFromEnv, elasticsearchConnectionProblem } =
      require('@plumbline/service-kit') as typeof import('@plumbline/service-kit');
    const connection = elasticsearchConnectionFromEnv(flags.elasticsearch, env);
    const problem = elasticsearchConnectionProblem(connection, 'connection');
    if (problem) throw usage(`--elasticsearch: the PLUMBLINE_ELASTICSEARCH_* variables: ${problem.problem}`);
    const { createElasticsearchBaselineStore } =
      require('./elasticsearch-store') as typeof import('./elasticsearch-store');
    return createElasticsearchBaselineStore(connection);
  }
  return createFileBaselineStore(flags.store);
}

interface ImportFlags extends StoreFlags {
  model: string;
  version?: string;
  file: string;
  columnType?: string[];
  bins?: number | string;
  reservoirSize?: number | string;
  predictionColumn?: string;
  labelColumn?: string;
  probaPrefix?: string;
  proba?: string;
  json?: boolean;
}

/**
 * profile.quality (issue #11): with probability columns, the reference's realized quality and the calibration of the
 * label-free estimate, read by the code `plumbline performance` runs. Needs --label-column and --prediction-column.
 */
async function referenceQuality(flags: ImportFlags): Promise<ReferenceQuality | undefined> {
  if (flags.probaPrefix === undefined && flags.proba === undefined) return undefined;
  if (flags.probaPrefix !== undefined && flags.proba !== undefined)
    throw usage('--proba-prefix and --proba are exclusive: pick one');
  for (const [flag, v] of [
    ['--label-column', flags.labelColumn],
    ['--prediction-column', flags.predictionColumn],
  ] as const)
    if (v === undefined)
      throw usage(`${flag} is required with --proba-prefix / --proba (the quality baseline)`);
  // Loaded when a quality baseline is asked for (cli/README.md, "Adding a command").
  const { realizedOf } = require('../performance/command') as typeof import('../performance/command');
  const { calibrateReference } =
    require('../performance/reference-quality') as typeof import('../performance/reference-quality');
  const { calibrationToJson } = require('../quality/estimate') as typeof import('../quality/estimate');
  const o = { target: flags.labelColumn!, prediction: flags.predictionColumn! };
  const ref = await calibrateReference(flags.file, {
    ...o,
    probabilities:
      flags.probaPrefix !== undefined
        ? { prefix: flags.probaPrefix }
        : { columns: flags.proba!.split(',').map((c) => c.trim()) },
  });
  const { perf } = realizedOf(ref.labels, ref.rows);
  return {
    targetColumn: o.target,
    predictionColumn: o.prediction,
    probabilityColumns: ref.probabilityColumns,
    calibration: calibrationToJson(ref.calibration),
    realized: perf!,
    rows: ref.rows.rows,
  };
}

/**
 * `plumbline baseline import`: profile the file (streaming) and store the profile under (model, version). On a
 * terminal `stderr`, a profile that takes more than a second and a half shows its progress there (rows and bytes of
 * both passes, rates: io/read-progress.ts); otherwise nothing is written to it.
 */
export async function runBaselineImport(
  flags: ImportFlags,
  stderr: ProgressStream = process.stderr,
  progressOptions: ReadProgressOptions = {},
) {
  const model = checkBaselineKey('model', flags.model);
  const version = checkBaselineKey('version', flags.version ?? DEFAULT_MODEL_VERSION);
  const columnTypes: Record<string, FeatureType> = {};
  for (const spec of flags.columnType ?? []) {
    const [name, type] = spec.split('=');
    if (!name || (type !== 'numerical' && type !== 'categorical'))
      throw usage(`--column-type: expected NAME=numerical|categorical, got "${spec}"`);
    columnTypes[name] = type;
  }
  const read = (parse: (text: string) => number, v: number | string | undefined): number | undefined =>
    typeof v === 'string' ? parse(v) : v;
  const store = openBaselineStore(flags);
  const { profileFile } = require('./profile-file') as typeof import('./profile-file');
  try {
    const progress = startReadProgress(stderr, `profiling ${flags.file}`, progressOptions);
    let profile;
    try {
      profile = await profileFile(
        flags.file,
        {
          columnTypes,
          bins: read(binsArg, flags.bins),
          reservoirSize: read(reservoirSizeArg, flags.reservoirSize),
          predictionColumn: flags.predictionColumn,
          labelColumn: flags.labelColumn,
        },
        {
          counter: progress.counter,
          onPass: (pass) => {
            if (pass === 2) progress.phase(`binning ${flags.file} (pass 2 of 2)`);
          },
        },
      );
    } finally {
      progress.stop();
    }
    for (const [flag, col] of [
      ['--prediction-column', flags.predictionColumn],
      ['--label-column', flags.labelColumn],
    ] as const) {
      if (col !== undefined && !profile.features.some((f) => f.name === col))
        throw usage(`${flag}: unknown column "${col}"`);
    }
    const quality = await referenceQuality(flags);
    return await store.put({
      model,
      version,
      source: flags.file,
      profile: quality ? { ...profile, quality } : profile,
    });
  } finally {
    await store.close?.();
  }
}

/** Registers `plumbline baseline import | list | show`. */
export function registerBaselineCommand(program: Command): void {
  // `baseline import --version V` names the model version: with positional options the root's own -V/--version
  // is only read before the subcommand, so it no longer swallows this flag (no other command is affected).
  program.enablePositionalOptions();
  const baseline = program
    .command('baseline')
    .description('Reference profiles (baselines) per model version: import training data, list, show');
  const storeOptions = (c: Command): Command =>
    c
      .option(
        '--store <dir>',
        'file store directory (default $PLUMBLINE_BASELINE_DIR or ~/.local/share/plumbline/baselines)',
      )
      .option('--elasticsearch <url>', 'store in Elasticsearch (index plumbline-baselines) instead of files');
  storeOptions(
    baseline
      .command('import')
      .description(
        'Profile a training file (CSV, JSON Lines or Parquet, streamed) and store it as the baseline of a model version',
      )
      .requiredOption('--model <name>', 'model name')
      .option('--version <version>', 'model version', DEFAULT_MODEL_VERSION)
      .requiredOption(
        '--file <file>',
        'training data: CSV, JSON Lines or Parquet (by extension, else sniffed)',
      )
      .option(
        '--column-type <name=type>',
        'force a column type: numerical | categorical (repeatable)',
        collect,
      )
      .option('--bins <n>', 'PSI bins for numerical columns', binsArg, 10)
      .option(
        '--reservoir-size <n>',
        'reference values kept per numerical column for KS / Wasserstein',
        reservoirSizeArg,
        50000,
      )
      .option('--prediction-column <name>', 'model output column (prediction drift)')
      .option(
        '--label-column <name>',
        'ground-truth column (label drift; the target of the quality baseline)',
      )
      .option(
        '--proba-prefix <prefix>',
        'probability columns <prefix><class>: store the realized quality and the calibration of the label-free estimate',
      )
      .option(
        '--proba <columns>',
        'probability columns, one per class in sorted class order (as --proba-prefix)',
      ),
  ).action(async (flags: ImportFlags) => {
    const stored = await runBaselineImport(flags);
    const p = stored.profile;
    process.stdout.write(
      `stored baseline ${stored.model}@${stored.version}: ${p.rows} rows, ${p.features.length} columns ` +
        `(${p.features.map((f) => `${f.name}:${f.type}`).join(', ')})\n`,
    );
    if (p.quality)
      process.stdout.write(
        `quality baseline: accuracy ${p.quality.realized.accuracy.toFixed(4)}, macro F1 ` +
          `${p.quality.realized.f1Macro.toFixed(4)}; calibration ${p.quality.calibration.method} ` +
          `(ECE ${p.quality.calibration.referenceExpectedCalibrationError.toFixed(4)})\n`,
      );
  });
  storeOptions(
    baseline.command('list').description('List stored baselines').option('--model <name>', 'only this model'),
  ).action(async (flags: StoreFlags & { model?: string }) => {
    const store = openBaselineStore(flags);
    try {
      const rows = await store.list(flags.model);
      process.stdout.write(
        rows
          .map(
            (r) =>
              `${r.model}\t${r.version}\t${r.storedAt}\t${r.rows} rows\t${r.features} columns\t${r.source}`,
          )
          .join('\n') + (rows.length ? '\n' : ''),
      );
    } finally {
      await store.close?.();
    }
  });
  storeOptions(
    baseline
      .command('show')
      .description('Print a stored baseline profile as JSON')
      .requiredOption('--model <name>', 'model name')
      .option('--version <version>', 'model version (default: the latest stored)'),
  ).action(async (flags: StoreFlags & { model: string; version?: string }) => {
    const store = openBaselineStore(flags);
    try {
      const b = await store.get(flags.model, flags.version);
      if (!b)
        throw usage(
          `no baseline for model "${flags.model}"${flags.version ? ` version "${flags.version}"` : ''}`,
        );
      process.stdout.write(`${JSON.stringify(b, null, 2)}\n`);
    } finally {
      await store.close?.();
    }
  });
}
