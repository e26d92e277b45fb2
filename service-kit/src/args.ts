/**
 * Command-line argument parsers for commander's `.option(flags, description, parser)` and `.argument(...)`: a flag's
 * text is read once, when commander parses it, and a bad value throws a {@link UsageError} (exit 2) whose message
 * names the flag. Defaults given to `.option` are not parsed by commander: pass them typed (`8080`, not `'8080'`).
 */
import { durationSeconds } from './config/value-kinds';
import { UsageError } from './usage-error';

/** A whole number in [min, max]: `integerArg('--port', 0, 65535)`. */
export function integerArg(flag: string, min: number, max = Infinity): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^\s*[-+]?\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new UsageError(`${flag}: expected an integer ${range(min, max)}, got "${text}"`, { key: flag });
    }
    return n;
  };
}

/** A port number (0 picks a free one). */
export function portArg(flag: string): (text: string) => number {
  return integerArg(flag, 0, 65535);
}

/** A finite number in [min, max]: `numberArg('--rate', 0.1, 500)`. */
export function numberArg(flag: string, min: number, max = Infinity): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new UsageError(`${flag}: expected a number ${range(min, max)}, got "${text}"`, { key: flag });
    }
    return n;
  };
}

/**
 * A duration in seconds, in [min, max] seconds: plain seconds (`90`, `0.5`) as the flags always took, or a number
 * with a unit (`500ms`, `30s`, `5m`, `1.5h`, `1d`). `integer` refuses fractions of a second (after the unit).
 * Example: `durationArg('--window', { min: 1, max: 86400, integer: true })('5m')` → 300.
 */
export function durationArg(
  flag: string,
  options: { min: number; max?: number; integer?: boolean },
): (text: string) => number {
  const { min, max = Infinity, integer = false } = options;
  return (text) => {
    const seconds = durationSeconds(text);
    if (seconds === undefined || seconds < min || seconds > max || (integer && !Number.isInteger(seconds))) {
      const what = integer ? 'a whole number of seconds' : 'a duration';
      throw new UsageError(
        `${flag}: expected ${what} ${range(min, max)} (seconds, or with a unit: 30s, 5m, 1h), got "${text}"`,
        { key: flag },
      );
    }
    return seconds;
  };
}

function range(min: number, max: number): string {
  return max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`;
}
