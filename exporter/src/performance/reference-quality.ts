/**
 * The labelled reference of the label-free estimate, read and calibrated: what `plumbline performance` and
 * `plumbline baseline import` (profile.quality) share. Classes: the probability columns' suffixes (prefix), or the
 * sorted values of the target and prediction columns (a list of columns, one per class in that order, or one column
 * for two classes).
 */
import { UsageError } from '@plumbline/service-kit';
import { fitCalibration, type Calibration } from '../quality/estimate';
import {
  classifierRows,
  classOf,
  readClassifierColumns,
  sortClasses,
  type ClassifierRows,
  type ProbabilityColumns,
} from './read-classifier-table';

export interface CalibratedReference {
  readonly labels: string[];
  readonly probabilityColumns: string[];
  readonly rows: ClassifierRows;
  readonly calibration: Calibration;
}

export async function calibrateReference(
  file: string,
  o: { target: string; prediction: string; probabilities: ProbabilityColumns },
): Promise<CalibratedReference> {
  const ref = await readClassifierColumns(file, { ...o, targetRequired: true });
  const probabilities = o.probabilities;
  let labels: string[];
  if ('prefix' in probabilities) {
    labels = ref.probabilityColumns.map((c) => c.slice(probabilities.prefix.length));
    if (labels.length < 2)
      throw new UsageError(
        `--proba-prefix: one probability column only (${ref.probabilityColumns.join(', ')}); give one per class`,
        { key: '--proba-prefix' },
      );
  } else {
    const seen: string[] = [];
    for (const v of [...ref.target!, ...ref.prediction]) {
      const c = classOf(v);
      if (c !== null) seen.push(c);
    }
    labels = sortClasses(seen);
    const m = probabilities.columns.length;
    if (labels.length < 2)
      throw new UsageError(
        `${file}: column "${o.target}" holds one class only; the estimate needs two or more`,
        {
          key: '--target',
        },
      );
    if (m !== labels.length && !(m === 1 && labels.length === 2))
      throw new UsageError(
        `--proba: ${m} column(s) for the ${labels.length} classes of the reference (${labels.join(', ')}); give one column per class in this order, or one column (the second class's probability) for two classes`,
        { key: '--proba' },
      );
  }
  const rows = classifierRows(ref, labels, {
    target: o.target,
    prediction: o.prediction,
    targetRequired: true,
  });
  const calibration = fitCalibration(labels, {
    probabilities: rows.probabilities,
    classes: labels.length,
    predicted: rows.predicted,
    actual: rows.actual!,
  });
  return { labels, probabilityColumns: [...ref.probabilityColumns], rows, calibration };
}
