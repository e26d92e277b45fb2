/**
 * `plumbline serve-model` — serve an ONNX model on the Open Inference Protocol (REST) until SIGINT / SIGTERM.
 */
import { integerArg, portArg, UsageError } from '@plumbline/service-kit/cli';
import type { Command } from 'commander';
import { SHIPPED_MODEL } from './shipped-model';

interface ServeModelFlags {
  model: string;
  metadata?: string;
  name?: string;
  modelVersion?: string;
  port: number;
  host: string;
  threads: number;
}

/** Resolves on the first SIGINT or SIGTERM and removes its listeners. */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerServeModelCommand(program: Command): void {
  program
    .command('serve-model')
    .description(
      'Serve an ONNX model on the Open Inference Protocol (KServe V2 REST) through onnxruntime-node.',
    )
    .option(
      '--model <file>',
      'the .onnx file (default: the shipped iris classifier)',
      SHIPPED_MODEL.modelPath,
    )
    .option(
      '--metadata <file>',
      'feature and class names (default: metadata.json beside the model, if present)',
    )
    .option('--name <name>', 'model name in the URL (default: metadata name, else the file name)')
    .option('--model-version <version>', 'model version (default: metadata version, else 1)')
    .option('--port <port>', 'port to listen on (0 = any free port)', portArg('--port'), 8000)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--threads <n>', 'onnxruntime intra-op threads', integerArg('--threads', 1, 64), 1)
    .action(async (flags: ServeModelFlags) => {
      if (flags.name !== undefined && !/^[\w.-]+$/.test(flags.name)) {
        throw new UsageError(`--name: use letters, digits, "_", "." or "-", got "${flags.name}"`, {
          key: '--name',
        });
      }
      const { port, threads } = flags;
      // onnxruntime-node is loaded when the command runs, not when it is registered (cli/README.md).
      const { startModelServer } = require('./server') as typeof import('./server');
      const server = await startModelServer({
        modelPath: flags.model,
        metadataPath: flags.metadata,
        name: flags.name,
        version: flags.modelVersion,
        port,
        host: flags.host,
        threads,
      });
      const { model } = server;
      process.stdout.write(
        `plumbline serve-model: "${model.name}" version ${model.version} on ${server.url}` +
          ` (POST ${server.url}/v2/models/${model.name}/infer); Ctrl-C stops\n`,
      );
      const signal = await waitForStopSignal();
      process.stdout.write(`plumbline serve-model: ${signal}, stopping\n`);
      await server.stop();
    });
}
