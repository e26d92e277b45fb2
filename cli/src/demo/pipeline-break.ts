/**
 * The pipeline break `plumbline start` plants after its drift (issue #12 item 6): one feature goes missing for a
 * while — a broken upstream join sends null in its place, which the model server refuses but the sidecar still
 * captures — then comes back in the wrong unit (millimetres instead of centimetres, ×10). Also the terminal line
 * that lists the data-quality checks a window fails. Pure, apart from the flags' registration.
 */
import type { Command } from 'commander';
import { durationArg, UsageError } from '@plumbline/service-kit/cli';
import { neverOr } from '../never-or';

export interface PipelineBreak {
  /** The feature that breaks. */
  readonly feature: string;
  /** When the break starts, in ms after the traffic starts. */
  readonly afterMs: number;
  /** How long the feature stays missing before it returns in the wrong unit. */
  readonly missingForMs: number;
  /** The wrong unit: every value multiplied by this once the feature is back. */
  readonly unitFactor: number;
}

export type BreakPhase = 'intact' | 'missing' | 'wrong_unit';

/** The feature the demo breaks: not one the planted drift shifts, so the checks, not drift, must catch it. */
export const BREAK_FEATURE = 'petal_width_cm';
/** Centimetres read as millimetres. */
export const BREAK_UNIT_FACTOR = 10;

/** Where the break is `elapsedMs` after the traffic started. */
export function breakPhase(plan: PipelineBreak, elapsedMs: number): BreakPhase {
  if (elapsedMs < plan.afterMs) return 'intact';
  return elapsedMs < plan.afterMs + plan.missingForMs ? 'missing' : 'wrong_unit';
}

/** A copy of `row` (aligned with `features`) as the broken pipeline sends it in `phase`. */
export function applyBreak(
  row: readonly number[],
  features: readonly string[],
  plan: PipelineBreak,
  phase: BreakPhase,
): (number | null)[] {
  const column = features.indexOf(plan.feature);
  if (phase === 'intact' || column < 0) return [...row];
  return row.map((v, i) => (i !== column ? v : phase === 'missing' ? null : v * plan.unitFactor));
}

/** The line printed as a phase starts. */
export function describeBreakPhase(plan: PipelineBreak, phase: Exclude<BreakPhase, 'intact'>): string {
  return phase === 'missing'
    ? `>> pipeline break: ${plan.feature} goes missing for ${plan.missingForMs / 1000} s (a broken join sends null; the model server refuses those requests, the sidecar still captures them)`
    : `>> pipeline break: ${plan.feature} is back, in the wrong unit (×${plan.unitFactor}: millimetres, not centimetres)`;
}

/** The parts of a window report's `dataQuality` (exporter/src/data-quality/types.ts) the line needs. */
export interface DataQualityLike {
  readonly checks: ReadonlyArray<{
    readonly feature: string;
    readonly check: string;
    readonly value: number;
    readonly threshold: number;
    readonly failed: boolean;
  }>;
  readonly failed: number;
}

/**
 * The line under an evaluation when checks fail, null when none does:
 * `          data quality: 2 failed  petal_width_cm missing_share 0.48 > 0.05, petal_width_cm missing_column 1 > 0`.
 */
export function formatDataQualityLine(dataQuality: DataQualityLike | null | undefined): string | null {
  if (!dataQuality || dataQuality.failed === 0) return null;
  const value = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  const failed = dataQuality.checks
    .filter((c) => c.failed)
    .map((c) => `${c.feature} ${c.check} ${value(c.value)} > ${value(c.threshold)}`);
  return `          data quality: ${dataQuality.failed} failed  ${failed.join(', ')}`;
}

/** The flags as commander hands them over. */
export interface PipelineBreakFlags {
  breakAfter: number | 'never';
  breakMissingFor: number;
}

const WEEK = 7 * 24 * 3600;

/** Adds --break-after and --break-missing-for to `plumbline start`. */
export function addPipelineBreakOptions(command: Command): Command {
  return command
    .option(
      '--break-after <seconds>',
      `break ${BREAK_FEATURE} this long after start, as a broken pipeline would: missing, then in the wrong unit ("never" to not)`,
      neverOr(durationArg('--break-after', { min: 0, max: WEEK })),
      90,
    )
    .option(
      '--break-missing-for <seconds>',
      `how long ${BREAK_FEATURE} stays missing before it comes back in the wrong unit`,
      durationArg('--break-missing-for', { min: 1, max: WEEK }),
      30,
    );
}

/** The flags → the break (null for `--break-after never`); the feature must be one the model has. */
export function pipelineBreakFromFlags(
  flags: PipelineBreakFlags,
  features: readonly string[],
): PipelineBreak | null {
  if (flags.breakAfter === 'never') return null;
  if (!features.includes(BREAK_FEATURE))
    throw new UsageError(`--break-after: the model has no feature ${BREAK_FEATURE} to break`, {
      key: '--break-after',
    });
  return {
    feature: BREAK_FEATURE,
    afterMs: flags.breakAfter * 1000,
    missingForMs: flags.breakMissingFor * 1000,
    unitFactor: BREAK_UNIT_FACTOR,
  };
}
