import type { Command } from 'commander';
import { registerExporterCommand } from './service/command';
import { registerBaselineCommand } from './baseline/command';
import { registerDriftCommand } from './drift/command';
import { registerDatasetCommand } from './dataset/command';
import { registerReviewCommand } from './review/command';
import { registerPerformanceCommand } from './performance/command';

/**
 * Registers `plumbline exporter`, `plumbline baseline`, `plumbline drift`, `plumbline dataset`, `plumbline review`
 * and `plumbline performance`.
 */
export function registerExporterCommands(program: Command): void {
  registerExporterCommand(program);
  registerBaselineCommand(program);
  registerDriftCommand(program);
  registerDatasetCommand(program);
  registerReviewCommand(program);
  registerPerformanceCommand(program);
}
