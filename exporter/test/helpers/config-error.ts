/** The ConfigError `fn` throws; any other error is rethrown, and returning without one fails the test. */
import { ConfigError } from '../../src/config';

export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
