/**
 * `captureBacklog`: how far capture may fall behind before exchanges are dropped as capture_backlog. The ring must
 * hold a largest exchange wherever its positions are (twice one, at least 16 MiB): a smaller one is refused at
 * start, naming the key, rather than dropping every large exchange later.
 */
import { ringBytesFor } from '../../src/capture-thread/exchange-ring';
import { parseConfig } from '../../src/config';

const base = { upstream: 'http://127.0.0.1:8081' };

function problem(input: Record<string, unknown>): string {
  try {
    parseConfig({ ...base, ...input });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the config was accepted');
}

test('defaults: 100,000 exchanges, the ring sized from captureMaxBytes', () => {
  expect(parseConfig(base).captureBacklog).toEqual({ exchanges: 100_000, ringBytes: null });
  expect(parseConfig({ ...base, captureBacklog: { ringBytes: 64 * 1024 * 1024 } }).captureBacklog).toEqual({
    exchanges: 100_000,
    ringBytes: 64 * 1024 * 1024,
  });
});

test('a ring too small for a largest exchange is refused, with the least size it needs', () => {
  const least = ringBytesFor(4 * 1024 * 1024);
  expect(problem({ captureBacklog: { ringBytes: least - 8 } })).toBe(
    `invalid config: captureBacklog.ringBytes: must be at least ${least} (twice a largest exchange with captureMaxBytes 4194304, at least 16 MiB), got ${least - 8}`,
  );
  // Larger bodies kept for capture need a larger ring.
  expect(problem({ captureMaxBytes: 16 * 1024 * 1024, captureBacklog: { ringBytes: least } })).toContain(
    `must be at least ${ringBytesFor(16 * 1024 * 1024)}`,
  );
});

test('a ring over 1 GiB, a bound of no exchanges and unknown keys are refused, naming the key', () => {
  expect(problem({ captureBacklog: { ringBytes: 2 ** 31 } })).toMatch(
    /^invalid config: captureBacklog\.ringBytes:/,
  );
  expect(problem({ captureBacklog: { exchanges: 0 } })).toMatch(
    /^invalid config: captureBacklog\.exchanges:/,
  );
  expect(problem({ captureBacklog: { bytes: 1 } })).toMatch(/^invalid config: captureBacklog\.bytes:/);
});
