/**
 * A {@link Calibration} as plain JSON, for the reference profile (`profile.quality.calibration`): the isotonic maps'
 * fitted points as number arrays. Cost: O(fitted points).
 */
import type { Calibration, CalibrationMethod } from './calibration';
import { isotonicFromPoints } from './isotonic-regression';

export interface CalibrationJson {
  readonly labels: string[];
  readonly method: CalibrationMethod;
  readonly referenceExpectedCalibrationError: number;
  readonly calibratedEceThreshold: number;
  /** Per class: the fitted points of its isotonic map; null for method 'none'. */
  readonly maps: { x: number[]; y: number[] }[] | null;
}

export function calibrationToJson(c: Calibration): CalibrationJson {
  return {
    labels: [...c.labels],
    method: c.method,
    referenceExpectedCalibrationError: c.referenceExpectedCalibrationError,
    calibratedEceThreshold: c.calibratedEceThreshold,
    maps: c.maps ? c.maps.map((m) => ({ x: [...m.x], y: [...m.y] })) : null,
  };
}

export function calibrationFromJson(j: CalibrationJson): Calibration {
  if (j.maps && j.maps.length !== j.labels.length)
    throw new RangeError(`calibration: ${j.maps.length} maps for ${j.labels.length} classes`);
  return {
    labels: j.labels,
    method: j.method,
    referenceExpectedCalibrationError: j.referenceExpectedCalibrationError,
    calibratedEceThreshold: j.calibratedEceThreshold,
    maps: j.maps
      ? j.maps.map((m) => {
          return isotonicFromPoints(Float64Array.from(m.x), Float64Array.from(m.y));
        })
      : null,
  };
}
