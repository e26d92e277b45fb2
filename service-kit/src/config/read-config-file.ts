import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ValueKindError } from './value-kinds';

/**
 * Reads a config file: JSON when the name ends in `.json`, YAML otherwise (YAML is a superset of JSON). An empty
 * file is `{}`. Throws {@link ValueKindError} (the loader reports it under the key `config`) when the file cannot be
 * read, does not parse, or does not hold a mapping of keys at the top level.
 */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ValueKindError(`cannot read config file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const json = extname(path).toLowerCase() === '.json';
  let doc: unknown;
  try {
    doc = json ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const what = json ? 'JSON' : 'YAML/JSON';
    throw new ValueKindError(`config file ${path} is not valid ${what}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ValueKindError(`config file ${path} must hold an object (a mapping of keys) at the top level`);
  }
  return doc as Record<string, unknown>;
}
