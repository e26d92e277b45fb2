import { writeFileSync } from 'node:fs';
import { integerArg, numberArg, UsageError } from '@plumbline/service-kit/cli';
import type { Command } from 'commander';
import type { DataQualityReport } from '../data-quality/types';
import { startReadProgress, type ProgressStream, type ReadProgressOptions } from '../io/read-progress';
import type { CellValue } from '../stats/missing';
import type { Correction } from '../stattests/corrections';
import type { FeatureType, StatTestId } from '../stattests/types';
import type { FeatureDriftOptions } from './detector';
import type { DriftReport } from './report-types';
import { renderDriftHtml } from './render-html';
import { multivariateJson } from './render-multivariate';
import { renderDriftTable } from './render-table';

function usage(message: string): UsageError {
  return new UsageError(message);
}

/** Number flags, read by commander on the command line; runDrift reads texts passed in code the same way. */
const FLAG_PARSERS = {
  driftShare: numberArg('--drift-share', 0, 1),
  bins: integerArg('--bins', 2),
  effectSizeFloor: numberArg('--effect-size-floor', 0),
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export interface DriftCommandOptions {
  reference: string;
  current: string;
  json?: boolean;
  html?: string;
  columnType?: string[];
  stattest?: string[];
  threshold?: string[];
  correction?: string;
  driftShare?: number | string;
  bins?: number | string;
  effectSizeFloor?: number | string;
  predictionColumn?: string;
  labelColumn?: string;
  failOnDrift?: boolean;
  failOnQuality?: boolean;
}

/** What `plumbline drift` reports: the drift report and the current file's data-quality checks. */
export type DriftCommandReport = DriftReport & { readonly dataQuality: DataQualityReport };

function numberFlag(flag: keyof typeof FLAG_PARSERS, value: number | string | undefined): number | undefined {
  return typeof value === 'string' ? FLAG_PARSERS[flag](value) : value;
}

/**
 * Runs `plumbline drift`: reads both files, profiles the reference (every value kept: KS and Wasserstein are exact),
 * evaluates the current file against it and returns the report, with the data-quality checks of the current file
 * (its counts taken in the drift pass, checked by the function the service uses). A column of the current file
 * that the reference lacks, or one it lacks, is a finding (`new_column`, `missing_column`), not an error. Bad files
 * and flags throw UsageErrors (exit code 2). On a terminal `stderr`, a read that takes more than a second and a half
 * shows its progress there (rows, bytes, rates: io/read-progress.ts); otherwise nothing is written to it.
 */
export async function runDrift(
  opts: DriftCommandOptions,
  stderr: ProgressStream = process.stderr,
  progressOptions: ReadProgressOptions = {},
): Promise<DriftCommandReport> {
  // What drift runs — readers, stat tests (with @stdlib's special functions), the detector, data quality — loads
  // when it runs, not when `plumbline --help` registers the command (cli/README.md, "Adding a command").
  const { readTable } = require('../io/read-table') as typeof import('../io/read-table');
  const { dataQualityChecks } =
    require('../data-quality/data-quality') as typeof import('../data-quality/data-quality');
  const { bucketSchemaFromProfile } =
    require('../windows/buckets/bucket-schema') as typeof import('../windows/buckets/bucket-schema');
  const { getStatTest } = require('../stattests/registry') as typeof import('../stattests/registry');
  const { createDriftDetector } = require('./detector') as typeof import('./detector');
  const { buildReferenceProfile } =
    require('./in-memory-profile-builder') as typeof import('./in-memory-profile-builder');
  const progress = startReadProgress(stderr, `reading ${opts.reference}`, progressOptions);
  let ref, cur;
  try {
    ref = await readTable(opts.reference, progress.counter);
    progress.phase(`reading ${opts.current}`);
    cur = await readTable(opts.current, progress.counter);
  } finally {
    progress.stop();
  }
  // A reference column the current file lacks is missing on every row (as an absent key in an event is).
  const current: Record<string, CellValue[]> = { ...cur.data };
  for (const c of ref.columns)
    if (!cur.columns.includes(c)) current[c] = new Array<CellValue>(cur.rows).fill(null);
  const columnTypes: Record<string, FeatureType> = {};
  for (const spec of opts.columnType ?? []) {
    const [name, type] = spec.split('=');
    if (!name || (type !== 'numerical' && type !== 'categorical')) {
      throw usage(`--column-type: expected NAME=numerical|categorical, got "${spec}"`);
    }
    if (!ref.columns.includes(name))
      throw usage(`--column-type: unknown column "${name}" (columns: ${ref.columns.join(', ')})`);
    columnTypes[name] = type;
  }
  for (const [flag, col] of [
    ['--prediction-column', opts.predictionColumn],
    ['--label-column', opts.labelColumn],
  ] as const) {
    if (col !== undefined && !ref.columns.includes(col)) throw usage(`${flag}: unknown column "${col}"`);
  }
  let stattest: StatTestId | 'auto' = 'auto';
  const features: Record<
    string,
    { stattest?: StatTestId; thresholds?: Partial<Record<StatTestId, number>> }
  > = {};
  for (const spec of opts.stattest ?? []) {
    const eq = spec.indexOf('=');
    if (eq < 0) {
      stattest = spec === 'auto' ? 'auto' : getStatTest(spec).id;
      continue;
    }
    const name = spec.slice(0, eq);
    if (!ref.columns.includes(name)) throw usage(`--stattest: unknown column "${name}"`);
    features[name] = { ...features[name], stattest: getStatTest(spec.slice(eq + 1)).id };
  }
  const thresholds: Partial<Record<StatTestId, number>> = {};
  for (const spec of opts.threshold ?? []) {
    const m = /^(?:([^:=]+):)?([a-z]+)=(.+)$/.exec(spec);
    if (!m) throw usage(`--threshold: expected TEST=VALUE or FEATURE:TEST=VALUE, got "${spec}"`);
    const id = getStatTest(m[2]).id;
    const value = numberArg('--threshold', 0)(m[3]);
    if (m[1] === undefined) thresholds[id] = value;
    else {
      if (!ref.columns.includes(m[1])) throw usage(`--threshold: unknown column "${m[1]}"`);
      features[m[1]] = { ...features[m[1]], thresholds: { ...features[m[1]]?.thresholds, [id]: value } };
    }
  }
  const correction = (opts.correction ?? 'none') as Correction;
  if (!['none', 'bonferroni', 'bh'].includes(correction))
    throw usage(`--correction: expected none, bonferroni or bh, got "${correction}"`);
  const bins = numberFlag('bins', opts.bins);
  const profile = buildReferenceProfile(ref.data, {
    bins,
    reservoirSize: Infinity,
    columnTypes,
    predictionColumn: opts.predictionColumn,
    labelColumn: opts.labelColumn,
  });
  for (const [name, fo] of Object.entries(features)) {
    const f = profile.features.find((x) => x.name === name)!;
    if (fo.stattest && !getStatTest(fo.stattest).featureKinds.includes(f.type)) {
      throw usage(`--stattest: "${fo.stattest}" does not apply to ${f.type} column "${name}"`);
    }
  }
  const detector = createDriftDetector(profile, {
    stattest,
    thresholds,
    features: features as Record<string, FeatureDriftOptions>,
    correction,
    driftShareThreshold: numberFlag('driftShare', opts.driftShare),
    effectSizeFloor: numberFlag('effectSizeFloor', opts.effectSizeFloor),
    tests: 'all',
  });
  // The drift tests, the data-quality counts and multivariate drift in one pass over each column (the counts are
  // the ones a bucket fold of the table would have; multivariate drift runs in the drift worker pool beside the
  // column tests: evaluateTable).
  const schema = bucketSchemaFromProfile(profile);
  const { report, quality, multivariate } = detector.evaluateTable(current, {
    schema,
    rows: cur.rows,
    multivariate: true,
  });
  const dataQuality = dataQualityChecks(quality, schema, profile);
  return { ...report, dataQuality, multivariate };
}

/**
 * The `--json` contract: features[{name,type,n,missing,tests[{name,statistic,pValue?,threshold,drift}],drift}],
 * dataset, and (issue #12) dataQuality{checks[{feature,check,value,threshold,failed}],failed} and multivariate.
 */
export function toJsonContract(report: DriftReport & { readonly dataQuality?: DataQualityReport }): unknown {
  const feature = (f: DriftReport['features'][number]): unknown => ({
    name: f.name,
    type: f.type,
    n: f.n,
    missing: f.missing,
    tests: f.tests.map((t) => ({
      name: t.name,
      statistic: t.statistic,
      ...(t.pValue !== undefined ? { pValue: t.pValue } : {}),
      ...(t.pValueAdjusted !== undefined ? { pValueAdjusted: t.pValueAdjusted } : {}),
      threshold: t.threshold,
      drift: t.drift,
      decisive: t.decisive,
    })),
    drift: f.drift,
    stattest: f.stattest,
    ...(f.skipped ? { skipped: f.skipped } : {}),
    histogram: f.histogram,
    summary: f.summary,
  });
  return {
    features: report.features.map(feature),
    dataset: report.dataset,
    ...(report.dataQuality
      ? {
          dataQuality: {
            checks: report.dataQuality.checks.map((c) => ({
              feature: c.feature,
              check: c.check,
              value: c.value,
              threshold: c.threshold,
              failed: c.failed,
            })),
            failed: report.dataQuality.failed,
          },
        }
      : {}),
    ...(report.prediction ? { prediction: feature(report.prediction) } : {}),
    ...(report.label ? { label: feature(report.label) } : {}),
    ...multivariateJson(report.multivariate),
  };
}

/** Registers `plumbline drift`. */
export function registerDriftCommand(program: Command): void {
  program
    .command('drift')
    .description(
      'Compare a current data file with a reference file (CSV, JSON Lines or Parquet): every applicable stat test per column',
    )
    .requiredOption('--reference <file>', 'reference data (e.g. training set): CSV, JSON Lines or Parquet')
    .requiredOption(
      '--current <file>',
      'current data (e.g. last day of production), same columns; any of the formats',
    )
    .option('--json', 'print the report as JSON on stdout (the contract in docs/stattests.md)')
    .option('--html <file>', 'write a self-contained HTML report with a plot per feature')
    .option('--column-type <name=type>', 'force a column type: numerical | categorical (repeatable)', collect)
    .option(
      '--stattest <id|name=id>',
      'deciding test for all columns or one column: ks, chisquare, psi, wasserstein, jensenshannon (repeatable)',
      collect,
    )
    .option(
      '--threshold <test=value|name:test=value>',
      'α for p-value tests, distance threshold otherwise; Wasserstein in reference σ (repeatable)',
      collect,
    )
    .option('--correction <method>', 'p-value correction across features: none | bonferroni | bh', 'none')
    .option(
      '--drift-share <share>',
      'dataset drifts when this share of features drifts',
      FLAG_PARSERS.driftShare,
      0.5,
    )
    .option('--bins <n>', 'PSI / Jensen–Shannon bins for numerical columns', FLAG_PARSERS.bins, 10)
    .option(
      '--effect-size-floor <value>',
      'p-value tests also need KS D / Cramér V ≥ this to flag drift',
      FLAG_PARSERS.effectSizeFloor,
    )
    .option(
      '--prediction-column <name>',
      'model output column: reported as prediction drift, not in the dataset share',
    )
    .option('--label-column <name>', 'ground-truth column: reported as label drift, not in the dataset share')
    .option('--fail-on-drift', 'exit with code 1 when the dataset drifts')
    .option(
      '--fail-on-quality',
      'exit with code 1 when a data-quality check fails (a new or missing column, a missing, out-of-range, unseen or non-finite share, a type change, a constant column)',
    )
    .addHelpText(
      'after',
      '\nExit status: 0 when the report was written; 1 with --fail-on-drift when the dataset drifts, or with\n' +
        '--fail-on-quality when a data-quality check failed; 2 for bad files or flags. A column the current file\n' +
        'adds or lacks is a data-quality finding (new_column, missing_column), not an error.',
    )
    .action(async (opts: DriftCommandOptions) => {
      const report = await runDrift(opts);
      if (opts.html)
        writeFileSync(
          opts.html,
          renderDriftHtml(report, {
            reference: opts.reference,
            current: opts.current,
            dataQuality: report.dataQuality,
          }),
        );
      if (opts.json) process.stdout.write(`${JSON.stringify(toJsonContract(report), null, 2)}\n`);
      else
        process.stdout.write(
          `${renderDriftTable(report, report.dataQuality)}\n${opts.html ? `\nHTML report: ${opts.html}\n` : ''}`,
        );
      if (opts.failOnDrift && report.dataset.drift) process.exitCode = 1;
      if (opts.failOnQuality && report.dataQuality.failed > 0) process.exitCode = 1;
    });
}
