/**
 * The demo-traffic flags `plumbline start` and `plumbline traffic` share (--rate, --feedback-share, --drift-after,
 * --drift, --duration): declared once, read once, so the two commands cannot drift apart.
 */
import type { Command } from 'commander';
import { durationArg, numberArg, UsageError } from '@plumbline/service-kit/cli';
import { DEFAULT_DRIFT, parseDriftShifts, type DriftShifts } from './demo/drift-plan';
import { neverOr } from './never-or';

/** The shared flags as commander hands them over, every number already read by its parser. */
export interface DemoTrafficFlags {
  rate: number;
  feedbackShare: number;
  driftAfter: number | 'never';
  drift?: string;
  duration?: number;
}

const WEEK = 7 * 24 * 3600;

/** Adds the shared flags to `command`; only the default of --drift-after differs between the commands. */
export function addDemoTrafficOptions(command: Command, defaults: { driftAfterSeconds: number }): Command {
  return command
    .option('--rate <rps>', 'demo requests per second', numberArg('--rate', 0.1, 500), 20)
    .option(
      '--feedback-share <share>',
      'share of demo rows whose ground truth is posted (0..1)',
      numberArg('--feedback-share', 0, 1),
      0.5,
    )
    .option(
      '--drift-after <seconds>',
      'plant drift this long after start ("never" to not)',
      neverOr(durationArg('--drift-after', { min: 0, max: WEEK })),
      defaults.driftAfterSeconds,
    )
    .option(
      '--drift <shifts>',
      'the planted drift, FEATURE=AMOUNT,… (default: petal_length_cm=+1.2,sepal_width_cm=-0.6)',
    )
    .option(
      '--duration <seconds>',
      'stop by itself after this long (seconds, or 30s, 5m, 1h)',
      durationArg('--duration', { min: 1, max: WEEK }),
    );
}

/** The planted drift --drift names (DEFAULT_DRIFT without it); a bad one is a UsageError naming --drift. */
export function driftFromFlag(text: string | undefined, features: readonly string[]): DriftShifts {
  if (text === undefined) return DEFAULT_DRIFT;
  try {
    return parseDriftShifts(text, features);
  } catch (err) {
    throw new UsageError((err as Error).message, { key: '--drift', cause: err });
  }
}
