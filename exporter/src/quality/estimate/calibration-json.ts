/**
 * A {@link Calibration} as plain JSON, for the reference profile (`profile.quality.calibration`): the isotonic maps'
 * fitted points as number arrays. Cost: O(fitted points).
 */
import type { Calibration, CalibrationMethod } from './calibration';

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
          if (m.x.length !== m.y.length || m.x.length === 0)
            throw new RangeError('calibration: a map needs as many y as x, at least one');
          return { x: Float64Array.from(m.x), y: Float64Array.from(m.y) };
        })
      : null,
  };
}
