/**
 * `plumbline performance`: the label-free performance estimate (quality/estimate/, the code the service runs) of a
 * current file against a labelled reference, and the realized quality when the current file has the target.
 * The `--json` shape is issue #11's contract (docs/quality.md, "plumbline performance").
 */
import { UsageError } from '@plumbline/service-kit/cli';
import type { Command } from 'commander';
import type { Performance } from '../quality/estimate';
import type { ClassifierRows, ProbabilityColumns } from './read-classifier-table';
import type { PerformanceReport } from './report-types';

// What the command runs (the table readers, the estimator) loads when it runs, not when `plumbline --help` registers
// it (cli/README.md, "Adding a command").
const estimate = (): typeof import('../quality/estimate') =>
  require('../quality/estimate') as typeof import('../quality/estimate');
const tables = (): typeof import('./read-classifier-table') =>
  require('./read-classifier-table') as typeof import('./read-classifier-table');

export type { PerformanceReport };

export interface PerformanceCommandOptions {
  reference: string;
  current: string;
  target: string;
  prediction: string;
  probaPrefix?: string;
  proba?: string;
  json?: boolean;
}

function probabilityColumns(opts: PerformanceCommandOptions): ProbabilityColumns {
  if ((opts.probaPrefix === undefined) === (opts.proba === undefined))
    throw new UsageError('give exactly one of --proba-prefix PREFIX and --proba COL,COL,...', {
      key: '--proba',
    });
  if (opts.probaPrefix !== undefined) {
    if (opts.probaPrefix === '')
      throw new UsageError('--proba-prefix: empty prefix', { key: '--proba-prefix' });
    return { prefix: opts.probaPrefix };
  }
  const columns = opts.proba!.split(',').map((c) => c.trim());
  if (columns.some((c) => c === ''))
    throw new UsageError(`--proba: empty column name in "${opts.proba}"`, { key: '--proba' });
  return { columns };
}

/** Realized quality over the labelled rows; null without any. */
export function realizedOf(
  labels: readonly string[],
  cur: ClassifierRows,
): { perf: Performance | null; labelled: number } {
  if (!cur.actual) return { perf: null, labelled: 0 };
  const k = labels.length;
  const counts = labels.map(() => new Array<number>(k).fill(0));
  let labelled = 0;
  for (let i = 0; i < cur.rows; i++)
    if (cur.actual[i] >= 0) {
      counts[cur.actual[i]][cur.predicted[i]]++;
      labelled++;
    }
  return { perf: labelled > 0 ? estimate().performanceFromMatrix(labels, counts) : null, labelled };
}

export async function runPerformance(opts: PerformanceCommandOptions): Promise<PerformanceReport> {
  const { estimatePerformance, estimateSumsOfRows } = estimate();
  const { classifierRows, readClassifierColumns } = tables();
  const { calibrateReference } = require('./reference-quality') as typeof import('./reference-quality');
  const flags = { target: opts.target, prediction: opts.prediction };
  const ref = await calibrateReference(opts.reference, { ...flags, probabilities: probabilityColumns(opts) });
  const { labels, calibration } = ref;
  const cur = await readClassifierColumns(opts.current, {
    ...flags,
    probabilities: { columns: ref.probabilityColumns },
    targetRequired: false,
  });
  const current = classifierRows(cur, labels, { ...flags, targetRequired: false });
  const estimated = estimatePerformance(
    labels,
    estimateSumsOfRows(calibration, current.probabilities, current.predicted),
  );
  const { perf, labelled } = realizedOf(labels, current);
  return { estimated, realized: perf, calibration, rows: current.rows, labelledRows: labelled };
}

const quality = (p: Performance): Record<string, unknown> => ({
  accuracy: p.accuracy,
  precisionMacro: p.precisionMacro,
  recallMacro: p.recallMacro,
  f1Macro: p.f1Macro,
  perClass: Object.fromEntries(
    Object.entries(p.perClass).map(([c, s]) => [
      c,
      { precision: s.precision, recall: s.recall, f1: s.f1, support: s.support },
    ]),
  ),
  confusionMatrix: { labels: p.confusionMatrix.labels, counts: p.confusionMatrix.counts },
});

/** The `--json` contract of issue #11, key for key. */
export function performanceJson(r: PerformanceReport): unknown {
  const { accuracy, ...rest } = quality(r.estimated);
  return {
    estimated: { accuracy, accuracyBand: r.estimated.accuracyBand, ...rest },
    realized: r.realized ? quality(r.realized) : null,
    calibration: {
      method: r.calibration.method,
      referenceExpectedCalibrationError: r.calibration.referenceExpectedCalibrationError,
    },
    rows: r.rows,
  };
}

/** Registers `plumbline performance`. */
export function registerPerformanceCommand(program: Command): void {
  program
    .command('performance')
    .description(
      "Estimate a classifier's quality on a current file without labels, calibrated on a labelled reference (CSV, JSON Lines or Parquet)",
    )
    .requiredOption(
      '--reference <file>',
      'labelled reference (training or hold-out data with the model outputs)',
    )
    .requiredOption('--current <file>', 'current data with the model outputs; labels optional')
    .requiredOption('--target <column>', 'ground-truth class column (required in the reference)')
    .requiredOption('--prediction <column>', 'predicted class column')
    .option('--proba-prefix <prefix>', 'probability columns are <prefix><class>')
    .option(
      '--proba <columns>',
      'probability columns, comma-separated, one per class in sorted class order (one column for a binary model: the second class)',
    )
    .option('--json', 'print the report as JSON (the contract in docs/quality.md)')
    .addHelpText(
      'after',
      '\nExit status: 0 when the report was written; 2 for bad files or flags (a missing column, a probability\n' +
        'outside [0, 1] or rows whose probabilities do not sum to 1 within 1e-6, a reference without the target).',
    )
    .action(async (opts: PerformanceCommandOptions) => {
      const { renderPerformanceTable } = require('./render-table') as typeof import('./render-table');
      const report = await runPerformance(opts);
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(performanceJson(report), null, 2)}\n`
          : `${renderPerformanceTable(report)}\n`,
      );
    });
}
