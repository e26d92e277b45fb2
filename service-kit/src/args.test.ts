import { durationArg, integerArg, numberArg, portArg } from './args';
import { UsageError } from './usage-error';

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

test('integerArg takes whole numbers in range and names the flag otherwise', () => {
  expect(integerArg('--threads', 1, 64)('8')).toBe(8);
  expect(usageMessage(() => portArg('--port')('70000'))).toBe(
    '--port: expected an integer from 0 to 65535, got "70000"',
  );
  expect(usageMessage(() => integerArg('--bins', 2)('2.5'))).toBe(
    '--bins: expected an integer ≥ 2, got "2.5"',
  );
  expect(usageMessage(() => integerArg('--bins', 2)(''))).toMatch(/^--bins: /);
});

test('numberArg takes finite numbers in range', () => {
  expect(numberArg('--rate', 0.1, 500)('0.5')).toBe(0.5);
  expect(usageMessage(() => numberArg('--rate', 0.1, 500)('fast'))).toBe(
    '--rate: expected a number from 0.1 to 500, got "fast"',
  );
  expect(usageMessage(() => numberArg('--share', 0, 1)(' '))).toMatch(/^--share: /);
});

test('durationArg takes plain seconds or a number with a unit', () => {
  const d = durationArg('--window', { min: 1, max: 86_400 });
  expect(['90', '30s', '5m', '1.5h', '1d', '2500ms', '0.5m'].map(d)).toEqual([
    90, 30, 300, 5400, 86_400, 2.5, 30,
  ]);
  expect(usageMessage(() => d('0'))).toMatch(/^--window: expected a duration from 1 to 86400 .*got "0"$/);
  expect(usageMessage(() => d('soon'))).toMatch(/got "soon"$/);
  expect(usageMessage(() => d('2w'))).toMatch(/^--window: /);
  const whole = durationArg('--window', { min: 1, integer: true });
  expect(whole('2m')).toBe(120);
  expect(usageMessage(() => whole('1.5'))).toMatch(/^--window: expected a whole number of seconds ≥ 1/);
});
