/** What `plumbline performance` computes, shared by the command and its table renderer. */
import type { Calibration, EstimatedPerformance, Performance } from '../quality/estimate';

export interface PerformanceReport {
  readonly estimated: EstimatedPerformance;
  readonly realized: Performance | null;
  readonly calibration: Calibration;
  readonly rows: number;
  /** Current rows with a target (0 when the file has no target column). */
  readonly labelledRows: number;
}
