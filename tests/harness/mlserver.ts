/**
 * Seldon MLServer from the project venv, serving the model dir(s) under `modelDir` (each with a
 * model-settings.json) over the Open Inference Protocol (V2 REST at `url`). HTTP, gRPC and metrics ports are all
 * free loopback ports; one process (parallel workers off) to stay small. Ready when /v2/health/ready answers 200,
 * which MLServer gives once every model has loaded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { answers200 } from './http';
import { assertInstalled } from './installed';
import { harnessSourceDir, pythonBin, venvDir } from './paths';
import { freePort, instanceDir, startService, type ServiceHandle, type ServiceOptions } from './process';
import { run } from './run-command';

/** startTimeoutMs @default 180000 */
export interface MlServerOptions extends ServiceOptions {
  /** A directory with model-settings.json (or sub-directories with one each). */
  modelDir: string;
}

export interface MlServerHandle extends ServiceHandle {
  /** Names of the models found in model-settings.json files directly in modelDir. */
  models: string[];
}

export async function startMlServer(options: MlServerOptions): Promise<MlServerHandle> {
  const mlserver = join(venvDir(), 'bin', 'mlserver');
  assertInstalled(mlserver, 'MLServer (project venv)');
  const modelDir = resolve(options.modelDir);
  const settingsFile = join(modelDir, 'model-settings.json');
  const models = existsSync(settingsFile)
    ? [(JSON.parse(readFileSync(settingsFile, 'utf8')) as { name: string }).name]
    : [];
  const dir = instanceDir(options.group ?? 'dedicated', 'mlserver');
  const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const url = `http://127.0.0.1:${httpPort}`;
  const handle = await startService({
    name: 'mlserver',
    url,
    port: httpPort,
    dir,
    options,
    process: {
      command: mlserver,
      args: ['start', modelDir],
      env: {
        PATH: `${join(venvDir(), 'bin')}:${process.env.PATH ?? ''}`,
        HOME: process.env.HOME,
        LANG: 'C.UTF-8',
        MLSERVER_HOST: '127.0.0.1',
        MLSERVER_HTTP_PORT: String(httpPort),
        MLSERVER_GRPC_PORT: String(grpcPort),
        MLSERVER_METRICS_PORT: String(metricsPort),
        MLSERVER_METRICS_DIR: join(dir, 'metrics'),
        MLSERVER_PARALLEL_WORKERS: '0',
      },
      startTimeoutMs: 180_000,
      stopGraceMs: 10_000,
      healthy: async () =>
        (await answers200(`${url}/v2/health/ready`)) &&
        (await Promise.all(models.map((m) => answers200(`${url}/v2/models/${m}/ready`)))).every(Boolean),
    },
  });
  return Object.assign(handle, { models });
}

/**
 * Writes the iris scikit-learn model dir (tests/harness/models/make_sklearn_model.py) into `outDir` and returns
 * it: model name `name` (default 'iris-sklearn'), input FP64 [n, 4], output class ids.
 */
export function makeSklearnIrisModel(
  outDir: string,
  options: { name?: string; version?: string } = {},
): string {
  run(pythonBin(), [
    join(harnessSourceDir(), 'models', 'make_sklearn_model.py'),
    outDir,
    '--name',
    options.name ?? 'iris-sklearn',
    '--version',
    options.version ?? 'v1',
  ]);
  return outDir;
}
