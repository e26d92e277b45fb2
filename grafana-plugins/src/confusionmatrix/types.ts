import type { ClassOrder, Normalization } from '../data/confusion-matrix';

export interface ConfusionMatrixOptions {
  /** Label (series) or column (table) with the ground truth. */
  actualField: string;
  /** Label or column with the prediction. */
  predictedField: string;
  /** Table column with counts; empty = first numeric column, or one per row. */
  countField: string;
  /** How a range series becomes one number (Grafana reducer id). */
  reducer: string;
  normalization: Normalization;
  order: ClassOrder;
  /** Comma- or line-separated class names for order = custom. */
  customOrder: string;
  /** Keep the N classes with most support, fold the rest into "other"; 0 = all. */
  topN: number;
  showMargins: boolean;
  /** Show the value in each cell when it fits. */
  showValues: boolean;
  /** refId of the query with the estimated matrix (plumbline_estimated_confusion_matrix_rows); empty = none. */
  estimatedRefId: string;
}

export const DEFAULT_OPTIONS: ConfusionMatrixOptions = {
  actualField: 'actual',
  predictedField: 'predicted',
  countField: '',
  reducer: 'sum',
  normalization: 'column',
  order: 'alphabetical',
  customOrder: '',
  topN: 0,
  showMargins: true,
  showValues: true,
  estimatedRefId: 'estimated',
};
