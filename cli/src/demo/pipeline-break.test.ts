// The demo's pipeline break (issue #12 item 6), pure: its phases, the rows it sends, the flags and the line that
// lists failing data-quality checks. The whole demo with the break: start.int.test.ts.
import { Command } from 'commander';
import {
  addPipelineBreakOptions,
  applyBreak,
  breakPhase,
  BREAK_FEATURE,
  formatDataQualityLine,
  pipelineBreakFromFlags,
  type PipelineBreak,
} from './pipeline-break';

const FEATURES = ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm'];
const plan: PipelineBreak = {
  feature: 'petal_width_cm',
  afterMs: 90_000,
  missingForMs: 30_000,
  unitFactor: 10,
};

test('intact before the break, missing for its span, then in the wrong unit for good', () => {
  expect(breakPhase(plan, 0)).toBe('intact');
  expect(breakPhase(plan, 89_999)).toBe('intact');
  expect(breakPhase(plan, 90_000)).toBe('missing');
  expect(breakPhase(plan, 119_999)).toBe('missing');
  expect(breakPhase(plan, 120_000)).toBe('wrong_unit');
  expect(breakPhase(plan, 1e9)).toBe('wrong_unit');
});

test('only the broken feature changes: null while missing, ×10 once back', () => {
  const row = [5.1, 3.5, 1.4, 0.2];
  expect(applyBreak(row, FEATURES, plan, 'intact')).toEqual(row);
  expect(applyBreak(row, FEATURES, plan, 'missing')).toEqual([5.1, 3.5, 1.4, null]);
  expect(applyBreak(row, FEATURES, plan, 'wrong_unit')).toEqual([5.1, 3.5, 1.4, 2]);
  expect(row).toEqual([5.1, 3.5, 1.4, 0.2]);
});

test('the data-quality line lists the failed checks only, and is absent when none fails', () => {
  const checks = [
    { feature: 'petal_width_cm', check: 'missing_share', value: 0.48, threshold: 0.05, failed: true },
    { feature: 'petal_width_cm', check: 'missing_column', value: 1, threshold: 0, failed: true },
    { feature: 'sepal_width_cm', check: 'missing_share', value: 0, threshold: 0.05, failed: false },
  ];
  expect(formatDataQualityLine({ checks, failed: 2 })).toBe(
    '          data quality: 2 failed  petal_width_cm missing_share 0.48 > 0.05, petal_width_cm missing_column 1 > 0',
  );
  expect(formatDataQualityLine({ checks: checks.slice(2), failed: 0 })).toBeNull();
  expect(formatDataQualityLine(null)).toBeNull();
});

function parse(args: string[]): { breakAfter: number | 'never'; breakMissingFor: number } {
  const command = addPipelineBreakOptions(new Command().exitOverride());
  command.parse(['node', 'x', ...args]);
  return command.opts();
}

test('flags: defaults 90 s and 30 s, "never" plants no break, a bad value names its flag', () => {
  expect(pipelineBreakFromFlags(parse([]), FEATURES)).toEqual({
    feature: BREAK_FEATURE,
    afterMs: 90_000,
    missingForMs: 30_000,
    unitFactor: 10,
  });
  expect(pipelineBreakFromFlags(parse(['--break-after', 'never']), FEATURES)).toBeNull();
  expect(
    pipelineBreakFromFlags(parse(['--break-after', '2m', '--break-missing-for', '10']), FEATURES),
  ).toMatchObject({
    afterMs: 120_000,
    missingForMs: 10_000,
  });
  expect(() => parse(['--break-missing-for', '0'])).toThrow('--break-missing-for: expected');
  expect(() => pipelineBreakFromFlags(parse([]), ['x', 'y'])).toThrow(`no feature ${BREAK_FEATURE}`);
});
