/**
 * `plumbline sidecar`: put Plumbline in front of a model server. Flags win over PLUMBLINE_* variables, which win
 * over the config file; see inference-sidecar/README.md for every key.
 */
import { Option, type Command } from 'commander';
import type { ConfigOverrides } from './config';

/**
 * Flags read as their config kind once, by commander; a bad value is a SIDECAR_ERR_CONFIG naming the key. The
 * config module (zod) is loaded when a flag is read, not when the command is registered: `plumbline --help`
 * stays fast (cli/README.md, "Adding a command").
 */
const read =
  (flag: string) =>
  (text: string): unknown =>
    (require('./config') as typeof import('./config')).sidecarConfigLoader.argParser(flag)(text);

export function registerSidecarCommand(program: Command): void {
  program
    .command('sidecar')
    .description(
      'Reverse proxy in front of a model server: every inference becomes events in Elasticsearch, Kafka, the spool and Prometheus.',
    )
    .option('--upstream <url>', 'model server to wrap, e.g. http://127.0.0.1:8081 (env PLUMBLINE_UPSTREAM)')
    .option('--port <port>', 'proxy port (default 8080; env PLUMBLINE_PORT)', read('port'))
    .option(
      '--admin-port <port>',
      'admin port for /metrics, /healthz, /readyz, /feedback (default 9464; env PLUMBLINE_ADMIN_PORT)',
      read('adminPort'),
    )
    .option('--host <host>', 'listen address (default 127.0.0.1; env PLUMBLINE_HOST)')
    .option(
      '--model <name>',
      'model name when the path does not name one (default "default"; env PLUMBLINE_MODEL)',
    )
    .option(
      '--protocol <protocol>',
      'auto|v2|kserve-v1|tfserving|mlflow|seldon|generic (default auto; env PLUMBLINE_PROTOCOL)',
    )
    .option('--elasticsearch-url <url>', 'Elasticsearch sink URL (env PLUMBLINE_ELASTICSEARCH_URL)')
    .option(
      '--kafka-brokers <brokers>',
      'Kafka sink brokers, host:port[,host:port] (env PLUMBLINE_KAFKA_BROKERS)',
      read('kafkaBrokers'),
    )
    // Old names of --elasticsearch-url and --kafka-brokers, kept working (with a deprecation warning).
    .addOption(new Option('--elasticsearch <url>').hideHelp())
    .addOption(new Option('--kafka <brokers>').argParser(read('kafka')).hideHelp())
    .option(
      '--shadow <url>',
      'challenger that gets a copy of every request after the primary answered; its answers become role "shadow" events (env PLUMBLINE_SHADOW_URL)',
    )
    .option('--spool-dir <dir>', 'local spool directory (default ./plumbline-spool; env PLUMBLINE_SPOOL_DIR)')
    .option(
      '--log-level <level>',
      'fatal|error|warn|info|debug|trace|silent (default info; env PLUMBLINE_LOG_LEVEL)',
    )
    .option('--config <file>', 'YAML or JSON config file (env PLUMBLINE_CONFIG)')
    .action(async (flags: ConfigOverrides & { config?: string }) => {
      const { runSidecar } = require('./main') as typeof import('./main');
      await runSidecar(flags);
    });
}
