/**
 * The one layered config loader every Plumbline service uses: schema defaults < `base` < a YAML/JSON file <
 * `PLUMBLINE_*` environment variables < command-line flags, merged once and validated once by the service's zod
 * schema. Every failure (an unreadable file, a text that is not of its setting's kind, the first zod issue, an
 * unknown key) becomes one {@link ConfigIssue} naming the dotted key, turned into the service's error by its
 * `error` factory (default: a {@link UsageError} reading `invalid config key <key> (from <origin>): <problem>`).
 */
import type { z } from 'zod';
import { UsageError } from '../usage-error';
import { API_TOKEN_ENV, API_TOKEN_FILE_ENV, API_TOKEN_KEY, ApiTokenError, readApiToken } from './api-token';
import { readConfigFile } from './read-config-file';
import { readValue, ValueKindError, type ValueKind } from './value-kinds';

/** One environment variable or flag: the config key it sets and how its text is read. */
export interface Setting {
  /** Dotted config key, e.g. `sinks.kafka.brokers`. */
  key: string;
  kind: ValueKind;
  /** On an old name kept working: the name to use instead (reading the old one prints a one-line warning). */
  replacedBy?: string;
  /**
   * A secret (a password, an API key): taken from the environment only — a config file that holds its key is
   * refused, and its text is never quoted in an error. Only for environment variables, never for flags.
   */
  secret?: boolean;
}

/** Environment variables (`PLUMBLINE_PORT`) or flags (commander's attribute names: `adminPort`) → settings. */
export type Settings = Readonly<Record<string, Setting>>;

/** What is wrong with a config, before the service words it. */
export interface ConfigIssue {
  /** Dotted config key at fault (`models.0.correction`); `config` for the file itself; `(root)` for the whole. */
  key: string;
  /** What is wrong, e.g. `expected a number`, `unknown key`, zod's message. */
  problem: string;
  /** Where the value came from: the file's path, the variable's name, or `command line`. */
  origin?: string;
  /** The text as given, when it could not be read as its setting's kind. */
  received?: string;
  /** How many more problems zod found (only the first is reported). */
  more: number;
  cause?: unknown;
}

/** Turns an issue into the service's own error (a UsageError or a subclass of it, so it exits 2). */
export type ConfigErrorFactory = (issue: ConfigIssue) => Error;

/** Origin of values given as flags. */
export const COMMAND_LINE = 'command line';

/** The default wording: `invalid config key port (from command line): must be a port number, got "eighty"`. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const from = issue.origin === undefined ? '' : ` (from ${issue.origin})`;
  const got = issue.received === undefined ? '' : `, got "${issue.received}"`;
  const more = issue.more > 0 ? ` (and ${issue.more} more)` : '';
  return `invalid config key ${issue.key}${from}: ${issue.problem}${got}${more}`;
}

export interface ConfigLoaderSpec<S extends z.ZodType> {
  /** Strict objects all the way down (z.strictObject) so an unknown key is an error, with defaults next to fields. */
  schema: S;
  /** `PLUMBLINE_*` variables the service reads. */
  env?: Settings;
  /** Flags, keyed by commander's attribute name (`--admin-port` → `adminPort`). */
  flags?: Settings;
  /** @default a UsageError worded by {@link formatConfigIssue} */
  error?: ConfigErrorFactory;
  /**
   * The service takes the shared API token: `load` reads PLUMBLINE_API_TOKEN or the file named by
   * PLUMBLINE_API_TOKEN_FILE (config/api-token.ts) into the `apiToken` key, and refuses that key in a config
   * file. The schema spreads `apiAuthFields`. @default false
   */
  apiToken?: boolean;
  /** Fills in what the merged raw object implies, before validation (e.g. a source's `kind` from its keys). */
  prepare?: (raw: Record<string, unknown>) => void;
  /** A rule across keys, after validation: the key and problem to report, or nothing. */
  check?: (config: z.output<S>) => { key: string; problem: string } | undefined;
}

export interface LoadConfigOptions {
  /** Values under the file (a caller's own defaults). */
  base?: Record<string, unknown>;
  /** Path of a YAML or JSON config file. */
  file?: string;
  /** Usually process.env; only a process's main passes it. Empty values count as unset. */
  env?: Record<string, string | undefined>;
  /** Flag values by attribute name: texts, or values already read by {@link ConfigLoader.argParser}. */
  flags?: Record<string, unknown>;
  /** Where deprecation warnings go. @default one line on stderr */
  warn?: (line: string) => void;
}

export interface ConfigLoader<T> {
  /** Merges base < file < env < flags and validates once. */
  load(options?: LoadConfigOptions): T;
  /** Validates a raw object; `origins` maps keys to where their value came from, for the message. */
  parse(raw: unknown, origins?: Record<string, string>): T;
  /** The file layer alone (YAML, or JSON for `.json`); errors name the key `config`. */
  readFile(path: string): Record<string, unknown>;
  /** A commander argument parser for a declared flag: the text is read once, at parse time, as its kind. */
  argParser(flag: string): (text: string) => unknown;
  /** Throws the service's error for a key. */
  fail(issue: Omit<ConfigIssue, 'more'> & { more?: number }): never;
}

/** `adminPort` → `--admin-port`. */
export function flagName(attribute: string): string {
  return `--${attribute.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export function createConfigLoader<S extends z.ZodType>(
  spec: ConfigLoaderSpec<S>,
): ConfigLoader<z.output<S>> {
  const toError: ConfigErrorFactory =
    spec.error ??
    ((issue) => new UsageError(formatConfigIssue(issue), { key: issue.key, cause: issue.cause }));
  const envSettings = oldNamesFirst(spec.env ?? {});
  const flagSettings = spec.flags ?? {};
  for (const [name, setting] of Object.entries(flagSettings)) {
    if (setting.secret)
      throw new Error(`config loader: flag "${name}" cannot be a secret (secrets never come from flags)`);
  }

  const fail = (issue: Omit<ConfigIssue, 'more'> & { more?: number }): never => {
    throw toError({ more: 0, ...issue });
  };

  const read = (text: unknown, setting: Setting, origin: string): unknown => {
    if (typeof text !== 'string') return text;
    try {
      return readValue(text, setting.kind);
    } catch (err) {
      if (!(err instanceof ValueKindError)) throw err;
      return fail({
        key: setting.key,
        problem: err.problem,
        origin,
        received: setting.secret ? undefined : text,
      });
    }
  };

  const readFile = (path: string): Record<string, unknown> => {
    try {
      return readConfigFile(path);
    } catch (err) {
      if (!(err instanceof ValueKindError)) throw err;
      return fail({ key: 'config', problem: err.problem, cause: err.cause });
    }
  };

  const parse = (raw: unknown, origins: Record<string, string> = {}): z.output<S> => {
    const result = spec.schema.safeParse(raw);
    if (!result.success) return fail(issueOf(result.error, origins));
    const broken = spec.check?.(result.data);
    if (broken) return fail({ ...broken, origin: originOf(broken.key, origins) });
    return result.data;
  };

  const load = (options: LoadConfigOptions = {}): z.output<S> => {
    const warn = options.warn ?? ((line: string) => void process.stderr.write(`${line}\n`));
    const raw = clone(options.base ?? {});
    const origins: Record<string, string> = {};
    if (options.file !== undefined) {
      const fromFile = readFile(options.file);
      refuseSecretsInFile(fromFile, options.file);
      for (const [key, value] of Object.entries(fromFile)) {
        raw[key] = value;
        origins[key] = options.file;
      }
    }
    for (const [name, setting] of envSettings) {
      const text = options.env?.[name];
      if (text === undefined || text === '') continue;
      if (setting.replacedBy !== undefined)
        warn(`plumbline: ${name} is deprecated, use ${setting.replacedBy}`);
      setPath(raw, setting.key, read(text, setting, name));
      origins[setting.key] = name;
    }
    if (spec.apiToken) readToken(raw, origins, options);
    const flags = options.flags ?? {};
    for (const name of Object.keys(flags)) {
      if (!(name in flagSettings)) throw new Error(`config loader: no flag "${name}" is declared`);
    }
    for (const [name, setting] of oldNamesFirst(flagSettings)) {
      const value = flags[name];
      if (value === undefined) continue;
      if (setting.replacedBy !== undefined) {
        warn(`plumbline: ${flagName(name)} is deprecated, use ${flagName(setting.replacedBy)}`);
      }
      setPath(raw, setting.key, read(value, setting, COMMAND_LINE));
      origins[setting.key] = COMMAND_LINE;
    }
    spec.prepare?.(raw);
    return parse(raw, origins);
  };

  /** A config file must not hold a secret setting's key (it gets committed): its variable is the one way in. */
  const refuseSecretsInFile = (fromFile: Record<string, unknown>, file: string): void => {
    for (const [name, setting] of envSettings) {
      if (setting.secret && getPath(fromFile, setting.key) !== undefined) {
        fail({ key: setting.key, origin: file, problem: `set it through ${name}, not in a config file` });
      }
    }
  };

  /** The token from the environment only: a config file that holds one is refused (it gets committed). */
  const readToken = (
    raw: Record<string, unknown>,
    origins: Record<string, string>,
    options: LoadConfigOptions,
  ): void => {
    if (origins[API_TOKEN_KEY] !== undefined) {
      fail({
        key: API_TOKEN_KEY,
        origin: origins[API_TOKEN_KEY],
        problem: `set the token through ${API_TOKEN_ENV} or ${API_TOKEN_FILE_ENV}, not in a config file`,
      });
    }
    let found: ReturnType<typeof readApiToken>;
    try {
      found = readApiToken(options.env ?? {});
    } catch (err) {
      if (!(err instanceof ApiTokenError)) throw err;
      return fail({ key: API_TOKEN_KEY, origin: err.origin, problem: err.problem, cause: err.cause });
    }
    if (found === undefined) return;
    raw[API_TOKEN_KEY] = found.token;
    origins[API_TOKEN_KEY] = found.origin;
  };

  const argParser = (flag: string): ((text: string) => unknown) => {
    const setting = flagSettings[flag];
    if (setting === undefined) throw new Error(`config loader: no flag "${flag}" is declared`);
    return (text) => read(text, setting, COMMAND_LINE);
  };

  return { load, parse, readFile, argParser, fail };
}

/** The first zod issue as a ConfigIssue: unknown keys by name, a record's bad key by its own message. */
function issueOf(
  error: z.ZodError,
  origins: Record<string, string>,
): Omit<ConfigIssue, 'more'> & { more: number } {
  const first = error.issues[0];
  let path = first.path.map(String);
  let problem = first.message;
  if (first.code === 'unrecognized_keys' && first.keys.length > 0) {
    path = [...path, first.keys[0]];
    problem =
      first.keys.length > 1 ? `unknown key (also unknown: ${first.keys.slice(1).join(', ')})` : 'unknown key';
  } else if (first.code === 'invalid_key' && first.issues.length > 0) {
    problem = first.issues[0].message;
  }
  const key = path.length > 0 ? path.join('.') : '(root)';
  return { key, problem, origin: originOf(key, origins), more: error.issues.length - 1 };
}

/** Where the value at `key` came from: the origin of the longest key that is `key` or contains it. */
function originOf(key: string, origins: Record<string, string>): string | undefined {
  const best = Object.keys(origins)
    .filter((k) => key === k || key.startsWith(`${k}.`))
    .sort((a, b) => b.length - a.length)[0];
  return best === undefined ? undefined : origins[best];
}

/** Old (deprecated) names are applied first, so the new name wins when both are given. */
function oldNamesFirst(settings: Settings): [string, Setting][] {
  const entries = Object.entries(settings);
  return [
    ...entries.filter(([, s]) => s.replacedBy !== undefined),
    ...entries.filter(([, s]) => !s.replacedBy),
  ];
}

function getPath(source: Record<string, unknown>, key: string): unknown {
  let node: unknown = source;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    else node[part] = { ...(next as Record<string, unknown>) };
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

function clone(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
