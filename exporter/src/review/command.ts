/**
 * `plumbline review advise --model M --target-precision P [--min-samples N] [--since T] [--until T]` with the
 * source flags of `plumbline exporter`: the confidence-limit advisor (advisor.ts) on the labelled rows of the
 * store, as a table (or `--json`, the body of `GET /api/models/{model}/review/advice`).
 */
import { UsageError } from '@plumbline/service-kit/cli';
import type { Command } from 'commander';
import type { FlagValues } from '../config';

function time(flag: string, text: unknown): number | null {
  if (text === undefined) return null;
  const ms = Date.parse(String(text));
  if (Number.isNaN(ms)) throw new UsageError(`${flag}: expected an ISO-8601 time, got ${String(text)}`);
  return ms;
}

export function registerReviewCommand(program: Command): void {
  const review = program.command('review').description('The review queue: confidence limits per class.');
  review
    .command('advise')
    .description(
      'Per predicted class, the lowest confidence limit whose automatically handled labelled rows reach the target precision, with its sample size.',
    )
    .requiredOption('--model <name>', 'the model')
    .requiredOption(
      '--target-precision <p>',
      'precision the automatically handled rows must reach, in (0, 1]',
    )
    .option('--min-samples <n>', 'fewest labelled rows above the limit an advice may rest on (default 30)')
    .option('--since <time>', 'labelled predictions at or after this time (ISO 8601)')
    .option('--until <time>', 'labelled predictions before this time (ISO 8601); default: now')
    .option('--json', 'print the advice as JSON')
    .option('-c, --config <file>', "the exporter's YAML or JSON config file (its source section is used)")
    .option('--source <kind>', 'elasticsearch | spool (env PLUMBLINE_SOURCE)')
    .option('--elasticsearch-url <url>', 'Elasticsearch URL (env PLUMBLINE_ELASTICSEARCH_URL)')
    .option('--spool-dir <dir>', "the sidecar's spool directory (env PLUMBLINE_SPOOL_DIR)")
    .action(async (opts: Record<string, unknown>) => {
      // The config loader and the stores load when the command runs (cli/README.md, "Adding a command").
      const { loadConfig } = require('../config') as typeof import('../config');
      const { createReviewServiceFromConfig } = require('./create') as typeof import('./create');
      const target = Number(opts.targetPrecision);
      if (!(target > 0 && target <= 1))
        throw new UsageError(
          `--target-precision: expected a number in (0, 1], got ${String(opts.targetPrecision)}`,
        );
      const minSamples = opts.minSamples === undefined ? undefined : Number(opts.minSamples);
      if (minSamples !== undefined && !(Number.isInteger(minSamples) && minSamples >= 1))
        throw new UsageError(`--min-samples: expected a positive integer, got ${String(opts.minSamples)}`);
      const from = time('--since', opts.since) ?? 0;
      const to = time('--until', opts.until) ?? Date.now();
      if (to <= from) throw new UsageError('--until must be after --since');
      const model = String(opts.model);
      const flags: FlagValues = {
        'source.kind': opts.source,
        'source.url': opts.elasticsearchUrl,
        'source.dir': opts.spoolDir,
        models: [{ name: model }],
      };
      const config = loadConfig({ file: opts.config as string | undefined, env: process.env, flags });
      const service = createReviewServiceFromConfig(config);
      if (!service)
        throw new UsageError('--source kafka: the advisor reads Elasticsearch or the spool store');
      try {
        const advice = await service.advice(model, { targetPrecision: target, minSamples, from, to });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ model, targetPrecision: target, ...advice }, null, 2)}\n`);
          return;
        }
        const rows = [
          ['class', 'limit', 'precision', 'auto rows', 'labelled rows', 'auto share'],
          ...advice.classes.map((c) => [
            c.class,
            c.limit === null ? 'none' : String(c.limit),
            c.precision === null ? '-' : c.precision.toFixed(4),
            String(c.autoRows),
            String(c.labelledRows),
            c.autoShare.toFixed(4),
          ]),
        ];
        const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
        process.stdout.write(
          `${model}: target precision ${target}, ${advice.labelledRows} labelled rows\n` +
            rows
              .map((r) =>
                r
                  .map((cell, i) => cell.padEnd(widths[i]))
                  .join('  ')
                  .trimEnd(),
              )
              .join('\n') +
            '\n',
        );
      } finally {
        await service.close();
      }
    });
}
