/** `plumbline baseline import` with probability columns stores the quality baseline (issue #11, profile.quality). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUsageError } from '@plumbline/service-kit';
import { runBaselineImport } from '../../src/baseline/command';
import { createFileBaselineStore } from '../../src/baseline/file-store';
import { runPerformance } from '../../src/performance/command';
import {
  calibrationFromJson,
  estimatePerformance,
  estimateSumsOfRows,
  performanceFromMatrix,
} from '../../src/quality/estimate';
import { FIVE_CLASS, logisticData } from '../helpers/logistic-data';

const dir = mkdtempSync(join(tmpdir(), 'plumbline-baseline-quality-'));
const ref = logisticData({ rows: 2000, seed: 5, model: FIVE_CLASS, temperature: 1.5 });
const k = 5;
const lines = ['f0,f1,f2,label,pred,p_0,p_1,p_2,p_3,p_4'];
for (let i = 0; i < ref.rows; i++)
  lines.push(
    [
      ...Array.from(ref.x.subarray(i * 3, i * 3 + 3)),
      ref.actual[i],
      ref.predicted[i],
      ...Array.from(ref.probabilities.subarray(i * k, (i + 1) * k)),
    ].join(','),
  );
const file = join(dir, 'train.csv');
writeFileSync(file, `${lines.join('\n')}\n`);
const store = join(dir, 'store');
const flags = { model: 'm', file, store, labelColumn: 'label', predictionColumn: 'pred', probaPrefix: 'p_' };

describe('baseline import with probability columns', () => {
  it("stores the reference's realized quality and the calibration the CLI uses", async () => {
    await runBaselineImport(flags);
    const stored = await createFileBaselineStore(store).get('m');
    const q = stored!.profile.quality!;
    const counts = [0, 1, 2, 3, 4].map(() => new Array<number>(k).fill(0));
    for (let i = 0; i < ref.rows; i++) counts[ref.actual[i]][ref.predicted[i]]++;
    const realized = performanceFromMatrix(['0', '1', '2', '3', '4'], counts);
    expect(q.realized.accuracy).toBe(realized.accuracy);
    expect(q.realized.f1Macro).toBe(realized.f1Macro);
    expect(q.probabilityColumns).toEqual(['p_0', 'p_1', 'p_2', 'p_3', 'p_4']);
    expect(q.rows).toBe(2000);
    // The stored calibration gives the estimate `plumbline performance` prints on the same files.
    const cal = calibrationFromJson(q.calibration);
    const fromProfile = estimatePerformance(
      cal.labels,
      estimateSumsOfRows(cal, ref.probabilities, ref.predicted),
    );
    const cli = await runPerformance({
      reference: file,
      current: file,
      target: 'label',
      prediction: 'pred',
      probaPrefix: 'p_',
    });
    expect(fromProfile.accuracy).toBeCloseTo(cli.estimated.accuracy, 12);
    expect(q.calibration.method).toBe(cli.calibration.method);
  });

  it('leaves profile.quality out without probability columns (older profiles look the same)', async () => {
    await runBaselineImport({ model: 'plain', file, store });
    expect((await createFileBaselineStore(store).get('plain'))!.profile.quality).toBeUndefined();
  });

  it('needs the target column with probability columns', async () => {
    const err = await runBaselineImport({ model: 'x', file, store, probaPrefix: 'p_' }).catch(
      (e: unknown) => e,
    );
    expect(isUsageError(err)).toBe(true);
    expect((err as Error).message).toMatch(/--label-column is required/);
  });
});
