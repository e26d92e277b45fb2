/**
 * How a text from a `PLUMBLINE_*` variable or a command-line flag becomes a config value. Values from a config file
 * are typed already (YAML/JSON) and are never read through these.
 */

/** The kinds a setting's text can be read as. */
export type ValueKind = 'string' | 'number' | 'integer' | 'boolean' | 'list' | 'json' | 'port' | 'duration';

/** A text that is not of its setting's kind; `problem` says what was expected (the caller adds the key and text). */
export class ValueKindError extends Error {
  constructor(
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(problem, options);
    this.name = 'ValueKindError';
  }
}

/**
 * Reads `text` as `kind`:
 *  - `number`: any finite decimal (`0.5`, `1e3`); `integer`: digits with an optional sign;
 *  - `port`: digits only (the schema checks the range, so its message stays the service's own);
 *  - `boolean`: `true`/`1` or `false`/`0`; `list`: comma-separated, items trimmed, empty items dropped;
 *  - `duration`: seconds, plain (`90`, `0.5`) or with a unit (`500ms`, `30s`, `5m`, `1.5h`, `1d`);
 *  - `json`: JSON text; `string`: as is.
 * Throws {@link ValueKindError}. Example: `readValue('a, b,', 'list')` → `['a', 'b']`.
 */
export function readValue(text: string, kind: ValueKind): unknown {
  switch (kind) {
    case 'string':
      return text;
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new ValueKindError('expected a number');
      return n;
    }
    case 'integer': {
      const n = Number(text);
      if (!/^\s*[-+]?\d+\s*$/.test(text) || !Number.isSafeInteger(n)) {
        throw new ValueKindError('expected an integer');
      }
      return n;
    }
    case 'port':
      if (!/^\d+$/.test(text)) throw new ValueKindError('must be a port number');
      return Number(text);
    case 'duration': {
      const seconds = durationSeconds(text);
      if (seconds === undefined) {
        throw new ValueKindError('expected a duration (seconds, or with a unit: 30s, 5m, 1h)');
      }
      return seconds;
    }
    case 'boolean':
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      throw new ValueKindError('expected true or false');
    case 'list':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new ValueKindError(`not JSON: ${(err as Error).message}`);
      }
  }
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Seconds in a duration text: plain seconds (`90`, `0.5`) or a number with a unit (`500ms`, `30s`, `5m`, `1.5h`,
 * `1d`), rounded to the millisecond; undefined when the text is not a duration. Example: `durationSeconds('5m')` → 300.
 */
export function durationSeconds(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_SECONDS[m[2] ?? 's'] * 1000) / 1000;
}
