/**
 * Splits a panel's frames into the realized confusion matrix's and the estimated one's (issue #11): frames of the
 * queries whose refId is `estimatedRefId` (default "estimated"; the Model quality board queries
 * plumbline_estimated_confusion_matrix_rows under it) are the estimate; every other frame is realized. Pure.
 */
import type { DataFrame } from '@grafana/data';

export const DEFAULT_ESTIMATED_REF_ID = 'estimated';

export interface SplitFrames {
  realized: DataFrame[];
  estimated: DataFrame[];
}

export function splitEstimatedFrames(
  frames: DataFrame[] | undefined,
  estimatedRefId: string = DEFAULT_ESTIMATED_REF_ID
): SplitFrames {
  const realized: DataFrame[] = [];
  const estimated: DataFrame[] = [];
  const id = estimatedRefId.trim();
  for (const f of frames ?? []) {
    (id !== '' && f.refId === id ? estimated : realized).push(f);
  }
  return { realized, estimated };
}

/** Which matrices the panel draws: realized alone, the estimate alone (no labels), or both side by side. */
export type MatrixLayout = 'realized' | 'estimated' | 'both' | 'none';

export function matrixLayout(realizedOk: boolean, estimatedOk: boolean): MatrixLayout {
  if (realizedOk && estimatedOk) {
    return 'both';
  }
  if (realizedOk) {
    return 'realized';
  }
  return estimatedOk ? 'estimated' : 'none';
}
