/**
 * Prometheus (Debian's /usr/bin/prometheus) with the caller's prometheus.yml as given: the harness fills nothing
 * in, it only writes the rule files beside it (so `rule_files: [alerts.yml]` resolves) and checks both with
 * promtool first, so a bad config fails with promtool's message instead of a start-up timeout.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { answers200 } from './http';
import { assertInstalled } from './installed';
import { freePort, instanceDir, startService, type ServiceHandle, type ServiceOptions } from './process';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';

/** startTimeoutMs @default 60000 */
export interface PrometheusOptions extends ServiceOptions {
  /** prometheus.yml text, used verbatim. */
  config: string;
  /** Rule files by file name (no directories), written next to prometheus.yml. */
  ruleFiles?: Record<string, string>;
  /** Listen port (when the config must name it, e.g. to scrape itself). @default a free port */
  port?: number;
}

/** Throws with the tool's output when a promtool/amtool check fails. */
export function checkWith(tool: string, args: string[], what: string): void {
  const result = spawnSync(tool, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${what} rejected by ${basename(tool)}:\n${`${result.stdout}\n${result.stderr}`.trim()}`);
  }
}

/**
 * Prometheus and Alertmanager start alike: `<name>.yml` written to a fresh instance directory (rule files beside
 * it) and accepted by their check tool first, a data directory, the web port on loopback, ready when /-/ready
 * answers 200 (start-up deadline 60 s by default).
 */
export async function startPrometheusStyle(s: {
  name: 'prometheus' | 'alertmanager';
  command: string;
  options: ServiceOptions & { config: string; port?: number };
  /** Rule files written beside the config, by plain file name. */
  ruleFiles?: Record<string, string>;
  /** The check tool's command line for the config file. */
  check: (configFile: string) => [tool: string, ...args: string[]];
  /** The flag that takes the data directory. */
  storageFlag: string;
  /** Flags after --web.listen-address, before --log.level. */
  flags: string[];
}): Promise<ServiceHandle> {
  assertInstalled(s.command, s.name === 'prometheus' ? 'Prometheus' : 'Alertmanager');
  const dir = instanceDir(s.options.group ?? 'dedicated', s.name);
  const configFile = join(dir, `${s.name}.yml`);
  writeFileSync(configFile, s.options.config);
  for (const [name, text] of Object.entries(s.ruleFiles ?? {})) {
    if (name !== basename(name)) throw new Error(`rule file name "${name}" must be a plain file name`);
    writeFileSync(join(dir, name), text);
  }
  const [tool, ...args] = s.check(configFile);
  checkWith(tool, args, `${s.name} config`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const port = s.options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  return startService({
    name: s.name,
    url,
    port,
    dir,
    options: s.options,
    process: {
      command: s.command,
      args: [
        `--config.file=${configFile}`,
        `${s.storageFlag}=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        ...s.flags,
        '--log.level=info',
      ],
      startTimeoutMs: 60_000,
      stopGraceMs: 10_000,
      healthy: () => answers200(`${url}/-/ready`),
    },
  });
}

export function startPrometheus(options: PrometheusOptions): Promise<ServiceHandle> {
  return startPrometheusStyle({
    name: 'prometheus',
    command: PROMETHEUS_BIN,
    options,
    ruleFiles: options.ruleFiles,
    check: (configFile) => [PROMTOOL_BIN, 'check', 'config', configFile],
    storageFlag: '--storage.tsdb.path',
    flags: ['--web.enable-lifecycle'],
  });
}
