/**
 * `plumbline dataset export --model M [--since T] [--until T] [--source human|any] --out FILE(.parquet|.csv|.jsonl)`
 * with the source flags of `plumbline exporter` (`--source elasticsearch|spool`, `--spool-dir`,
 * `--elasticsearch-url`, `--config`). `--source` takes both kinds of value (they never overlap): the store to read
 * (elasticsearch, spool; kafka is refused — a topic cannot be joined by request id) and which labels to keep
 * (human, any); give it twice for both: `--source spool --source human`.
 */
import { UsageError } from '@plumbline/service-kit/cli';
import type { Command } from 'commander';
import type { FlagValues } from '../config';
import type { LabelSourceFilter } from './export-dataset';

const STORE_KINDS = ['elasticsearch', 'kafka', 'spool'];
const LABEL_SOURCES = ['human', 'any'];

function collect(value: string, previous: string[] = []): string[] {
  if (!STORE_KINDS.includes(value) && !LABEL_SOURCES.includes(value))
    throw new UsageError(
      `--source: expected one of ${[...LABEL_SOURCES, ...STORE_KINDS].join(', ')}, got ${value}`,
    );
  return [...previous, value];
}

function time(flag: string, text: unknown): number | null {
  if (text === undefined) return null;
  const ms = Date.parse(String(text));
  if (Number.isNaN(ms)) throw new UsageError(`${flag}: expected an ISO-8601 time, got ${String(text)}`);
  return ms;
}

/** The command line that exports the dataset of a model and range (the retrain webhook's `dataset.export`). */
export function datasetExportCommand(o: { model: string; since: string | null; until: string }): string {
  const quote = (s: string) => (/^[\w.:@/+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return [
    'plumbline dataset export',
    `--model ${quote(o.model)}`,
    ...(o.since ? [`--since ${quote(o.since)}`] : []),
    `--until ${quote(o.until)}`,
    '--source any',
    `--out ${quote(`${o.model}-dataset.parquet`)}`,
  ].join(' ');
}

export function registerDatasetCommand(program: Command): void {
  const dataset = program.command('dataset').description('Labelled data for the next model.');
  dataset
    .command('export')
    .description(
      'Write one row per labelled prediction (event_id, @timestamp, model_version, every feature, predicted, label, label_source): human labels win, retracted ones are gone, rejected rows are left out.',
    )
    .requiredOption('--model <name>', 'the model')
    .requiredOption('--out <file>', 'the file to write: .parquet, .csv or .jsonl')
    .option('--since <time>', 'predictions at or after this time (ISO 8601); default: the oldest stored')
    .option('--until <time>', 'predictions before this time (ISO 8601); default: now')
    .option(
      '--source <value>',
      'labels: human | any (default any); store: elasticsearch | spool (env PLUMBLINE_SOURCE); repeatable',
      collect,
    )
    .option('-c, --config <file>', "the exporter's YAML or JSON config file (its source section is used)")
    .option('--elasticsearch-url <url>', 'Elasticsearch URL (env PLUMBLINE_ELASTICSEARCH_URL)')
    .option('--spool-dir <dir>', "the sidecar's spool directory (env PLUMBLINE_SPOOL_DIR)")
    .action(async (opts: Record<string, unknown>) => {
      // The config loader, the stores and the writers load when the command runs (cli/README.md, "Adding a command").
      const { loadConfig } = require('../config') as typeof import('../config');
      const { createReviewStore } = require('../review/create') as typeof import('../review/create');
      const { datasetFormatOf, exportDataset } =
        require('./export-dataset') as typeof import('./export-dataset');
      const out = String(opts.out);
      const format = datasetFormatOf(out);
      if (!format) throw new UsageError(`--out: the file must end in .parquet, .csv or .jsonl, got ${out}`);
      const sources = (opts.source as string[] | undefined) ?? [];
      const kinds = sources.filter((s) => STORE_KINDS.includes(s));
      const labels = sources.filter((s) => LABEL_SOURCES.includes(s));
      if (kinds.length > 1 || labels.length > 1)
        throw new UsageError(
          '--source: give at most one store (elasticsearch, spool) and one label source (human, any)',
        );
      const from = time('--since', opts.since) ?? 0;
      const to = time('--until', opts.until) ?? Date.now();
      if (to <= from) throw new UsageError('--until must be after --since');
      const flags: FlagValues = {
        'source.kind': kinds[0],
        'source.url': opts.elasticsearchUrl,
        'source.dir': opts.spoolDir,
        models: [{ name: String(opts.model) }],
      };
      const config = loadConfig({ file: opts.config as string | undefined, env: process.env, flags });
      const store = createReviewStore(config);
      if (!store)
        throw new UsageError(
          '--source kafka: the dataset export reads Elasticsearch or the spool store (a Kafka topic cannot be joined by request id)',
        );
      try {
        const result = await exportDataset({
          store,
          model: String(opts.model),
          from,
          to,
          source: (labels[0] ?? 'any') as LabelSourceFilter,
          format,
          out,
        });
        process.stdout.write(
          `wrote ${result.rows} rows (${result.humanRows} with a human label; ${result.rejected} rejected left out) to ${out}\n`,
        );
      } finally {
        await store.close();
      }
    });
}
