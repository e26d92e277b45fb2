/**
 * `plumbline` — one command for every part of Plumbline.
 *
 * Each workspace owns its subcommands (their flags, their help) and registers them here; this file only
 * assembles the program and turns errors into exit codes: 0 ok, 1 runtime failure, 2 usage or configuration
 * error (unknown command, bad flag, invalid config — the message names the key).
 */
import { Command, CommanderError } from 'commander';
import { isUsageError } from '@plumbline/service-kit/cli';
// The workspaces' `./cli` entries: registration only. What a command runs is required in its action handler, so
// `plumbline --version` and `plumbline <command> --help` load commander and little else (cli/README.md).
import { registerSidecarCommands } from '@plumbline/sidecar/cli';
import { registerExporterCommands } from '@plumbline/exporter/cli';
import { registerStartCommand } from './start';
import { registerTrafficCommand } from './traffic-command';

export function buildProgram(): Command {
  const program = new Command('plumbline')
    .description(
      'ML-model observability for Grafana: capture inferences, detect drift, export to Prometheus.',
    )
    .version(require('../package.json').version as string)
    .exitOverride()
    .showHelpAfterError('(run `plumbline --help` for usage)')
    .configureHelp({ sortSubcommands: false });
  registerStartCommand(program);
  registerSidecarCommands(program);
  registerExporterCommands(program);
  registerTrafficCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  if (argv.length <= 2) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version end with exitCode 0; every parse error (unknown command, bad flag) is a usage error.
      return err.exitCode === 0 ? 0 : 2;
    }
    // A UsageError (service-kit): bad flags, bad config, a bad input file. The message is for the user as is.
    if (isUsageError(err)) {
      process.stderr.write(`plumbline: ${err.message}\n`);
      return 2;
    }
    throw err; // a runtime failure: bin/plumbline.js prints the stack and exits 1
  }
}
