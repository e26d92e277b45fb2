/**
 * The process entry of `plumbline sidecar`: the only place that reads the environment, listens and handles
 * signals. Resolves config (file < PLUMBLINE_* < flags), starts the sidecar, and on SIGTERM/SIGINT drains
 * in-flight requests and flushes the pipeline before it returns.
 */
import { startSidecar, type RunningSidecar } from './app';
import { resolveConfig, type ConfigOverrides } from './config';

export interface RunOptions {
  /** Resolves when the process should stop; default: the first SIGTERM or SIGINT. */
  until?: Promise<unknown>;
  env?: NodeJS.ProcessEnv;
  /** Called once listening (tests, `plumbline start`). */
  onListening?(running: RunningSidecar): void;
}

export async function runSidecar(
  flags: ConfigOverrides & { config?: string },
  options: RunOptions = {},
): Promise<void> {
  const config = resolveConfig(flags, options.env ?? process.env);
  const running = await startSidecar(config);
  options.onListening?.(running);
  process.stdout.write(
    `plumbline sidecar: proxy ${running.url} → ${config.upstream}, admin ${running.adminUrl}\n`,
  );
  // A dead capture thread ends the process (non-zero) so a supervisor restarts it and the spool replays.
  let failure: unknown;
  await Promise.race([
    options.until ?? untilSignal(),
    running.failed.catch((err: unknown) => {
      failure = err;
    }),
  ]);
  await running.stop();
  if (failure !== undefined) throw failure;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
