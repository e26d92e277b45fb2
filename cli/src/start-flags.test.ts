// `plumbline start` reads its number and duration flags once, through commander's parsers: typed defaults, plain
// seconds as before or a unit, `never` for --drift-after, and a bad value is a UsageError naming the flag.
import { isUsageError } from '@plumbline/service-kit';
import { Command } from 'commander';
import { registerStartCommand, startOptionsFromFlags } from './start';

function startOptions(args: string[]): Record<string, unknown> {
  const program = new Command('plumbline').exitOverride();
  registerStartCommand(program);
  const start = program.commands.find((c) => c.name() === 'start')!;
  start.parseOptions(args);
  return start.opts();
}

it('has typed defaults', () => {
  expect(startOptions([])).toMatchObject({
    port: 8080,
    adminPort: 9464,
    rate: 20,
    feedbackShare: 0.5,
    driftAfter: 45,
    window: 60,
    evaluateEvery: 10,
    minSamples: 50,
    statusEvery: 15,
  });
});

it('takes durations as plain seconds or with a unit, and --drift-after never', () => {
  expect(
    startOptions([
      '--window',
      '2m',
      '--evaluate-every',
      '30s',
      '--duration',
      '1.5',
      '--drift-after',
      'never',
    ]),
  ).toMatchObject({ window: 120, evaluateEvery: 30, duration: 1.5, driftAfter: 'never' });
});

it('--drift-after never plants no drift (regression: a parser returning null reached the stack as "")', () => {
  const flags = startOptions(['--drift-after', 'never']) as unknown as Parameters<
    typeof startOptionsFromFlags
  >[0];
  expect(startOptionsFromFlags(flags).driftAfterSeconds).toBeNull();
  const later = startOptions(['--drift-after', '2m']) as unknown as Parameters<
    typeof startOptionsFromFlags
  >[0];
  expect(startOptionsFromFlags(later).driftAfterSeconds).toBe(120);
});

it.each([
  [['--port', '70000'], '--port: expected an integer from 0 to 65535, got "70000"'],
  [['--window', '1.5'], '--window: expected a whole number of seconds from 1 to 86400'],
  [['--feedback-share', '2'], '--feedback-share: expected a number from 0 to 1, got "2"'],
])('%j is a usage error naming the flag', (args, message) => {
  let error: unknown;
  try {
    startOptions(args);
  } catch (err) {
    error = err;
  }
  expect(isUsageError(error)).toBe(true);
  expect((error as Error).message).toContain(message);
});
