import type { Command } from 'commander';
import { registerExporterCommand } from './service/command';
import { registerBaselineCommand } from './baseline/command';
import { registerDriftCommand } from './drift/command';
import { registerPerformanceCommand } from './performance/command';

/** Registers `plumbline exporter`, `plumbline baseline`, `plumbline drift` and `plumbline performance`. */
export function registerExporterCommands(program: Command): void {
  registerExporterCommand(program);
  registerBaselineCommand(program);
  registerDriftCommand(program);
  registerPerformanceCommand(program);
}
