/** `plumbline performance`: the --json contract, the formats, and one line naming the column for bad input. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { isUsageError } from '@plumbline/service-kit';
import { performanceJson, registerPerformanceCommand, runPerformance } from '../../src/performance/command';
import { FIVE_CLASS, logisticData, type LogisticData } from '../helpers/logistic-data';

interface ContractQuality {
  accuracy: number;
  accuracyBand: [number, number];
  perClass: Record<string, object>;
  confusionMatrix: { labels: string[]; counts: number[][] };
}
interface ContractJson {
  estimated: ContractQuality;
  realized: ContractQuality;
  calibration: { method: string };
  rows: number;
}

const dir = mkdtempSync(join(tmpdir(), 'plumbline-performance-'));
const classes = ['setosa', 'versicolor', 'virginica', 'x', 'y'];

function csv(name: string, d: LogisticData, withTarget = true): string {
  const k = classes.length;
  const head = [...(withTarget ? ['label'] : []), 'pred', ...classes.map((c) => `p_${c}`)];
  const lines = [head.join(',')];
  for (let i = 0; i < d.rows; i++) {
    const probs = Array.from({ length: k }, (_, j) => d.probabilities[i * k + j]);
    // Printed with 17 digits so the row still sums to 1 within 1e-6.
    lines.push(
      [...(withTarget ? [classes[d.actual[i]]] : []), classes[d.predicted[i]], ...probs.map(String)].join(
        ',',
      ),
    );
  }
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const ref = logisticData({ rows: 3000, seed: 1, model: FIVE_CLASS, temperature: 1.5 });
const cur = logisticData({ rows: 1500, seed: 2, model: FIVE_CLASS, temperature: 1.5, shift: [0.5, 0, -0.3] });
const refFile = csv('ref.csv', ref);
const curFile = csv('cur.csv', cur);
const base = { reference: refFile, current: curFile, target: 'label', prediction: 'pred' };

async function cli(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerPerformanceCommand(program);
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'plumbline', 'performance', ...args]);
    return out;
  } finally {
    spy.mockRestore();
  }
}

async function usageMessage(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isUsageError(err)).toBe(true);
  return (err as Error).message;
}

describe('plumbline performance', () => {
  it('prints the --json contract key for key, realized present when the current file has the target', async () => {
    const json = JSON.parse(
      await cli([
        '--reference',
        refFile,
        '--current',
        curFile,
        '--target',
        'label',
        '--prediction',
        'pred',
        '--proba-prefix',
        'p_',
        '--json',
      ]),
    ) as ContractJson;
    expect(Object.keys(json)).toEqual(['estimated', 'realized', 'calibration', 'rows']);
    expect(Object.keys(json.estimated)).toEqual([
      'accuracy',
      'accuracyBand',
      'precisionMacro',
      'recallMacro',
      'f1Macro',
      'perClass',
      'confusionMatrix',
    ]);
    expect(Object.keys(json.realized)).toEqual([
      'accuracy',
      'precisionMacro',
      'recallMacro',
      'f1Macro',
      'perClass',
      'confusionMatrix',
    ]);
    expect(Object.keys(json.estimated.perClass.setosa)).toEqual(['precision', 'recall', 'f1', 'support']);
    expect(json.estimated.confusionMatrix.labels).toEqual(classes);
    expect(json.realized.confusionMatrix.counts.flat().reduce((a, b) => a + b, 0)).toBe(1500);
    expect(Object.keys(json.calibration)).toEqual(['method', 'referenceExpectedCalibrationError']);
    expect(json.calibration.method).toBe('isotonic');
    expect(json.rows).toBe(1500);
    const [lo, hi] = json.estimated.accuracyBand as [number, number];
    expect(lo).toBeLessThan(json.estimated.accuracy);
    expect(hi).toBeGreaterThan(json.estimated.accuracy);
    expect(Math.abs(json.estimated.accuracy - json.realized.accuracy)).toBeLessThan(0.04);
  });

  it('gives realized null without the target column, and takes --proba in class order', async () => {
    const unlabelled = csv('cur-unlabelled.csv', cur, false);
    const a = await runPerformance({
      ...base,
      current: unlabelled,
      proba: classes.map((c) => `p_${c}`).join(','),
    });
    expect(performanceJson(a)).toMatchObject({ realized: null, rows: 1500 });
    const b = await runPerformance({ ...base, probaPrefix: 'p_' });
    expect(a.estimated.accuracy).toBe(b.estimated.accuracy);
  });

  it('prints a table with the estimate, its band and the realized figure', async () => {
    const out = await cli([
      '--reference',
      refFile,
      '--current',
      curFile,
      '--target',
      'label',
      '--prediction',
      'pred',
      '--proba-prefix',
      'p_',
    ]);
    expect(out).toMatch(/^accuracy\s+0\.\d{4}\s+\[0\.\d{4}, 0\.\d{4}\]\s+0\.\d{4}$/m);
    expect(out).toMatch(/calibration isotonic/);
  });

  it('names the column and the first bad line for a probability outside [0, 1]', async () => {
    const text = `label,pred,p_a,p_b\na,a,0.9,0.1\nb,b,1.2,-0.2\n`;
    writeFileSync(join(dir, 'bad-range.csv'), text);
    const msg = await usageMessage(
      runPerformance({ ...base, reference: join(dir, 'bad-range.csv'), probaPrefix: 'p_' }),
    );
    expect(msg).toBe(`${join(dir, 'bad-range.csv')}:3: column "p_a": 1.2 is not a probability in [0, 1]`);
  });

  it('names the columns and line whose probabilities do not sum to 1 within 1e-6', async () => {
    writeFileSync(join(dir, 'bad-sum.csv'), `label,pred,p_a,p_b\na,a,0.9,0.1\nb,b,0.5,0.49\n`);
    const msg = await usageMessage(
      runPerformance({ ...base, reference: join(dir, 'bad-sum.csv'), probaPrefix: 'p_' }),
    );
    expect(msg).toMatch(/bad-sum\.csv:3: columns p_a, p_b: probabilities sum to 0\.99, not 1/);
  });

  it('rejects a reference without the target, and a missing probability column in the current file', async () => {
    writeFileSync(join(dir, 'no-target.csv'), `pred,p_a,p_b\na,0.9,0.1\n`);
    expect(
      await usageMessage(
        runPerformance({ ...base, reference: join(dir, 'no-target.csv'), probaPrefix: 'p_' }),
      ),
    ).toMatch(/no-target\.csv:1: missing column "label" \(--target\)/);
    writeFileSync(join(dir, 'two.csv'), `label,pred,p_a,p_b\na,a,0.9,0.1\nb,b,0.2,0.8\n`);
    writeFileSync(join(dir, 'lacks.csv'), `pred,p_a\na,0.9\n`);
    expect(
      await usageMessage(
        runPerformance({
          ...base,
          reference: join(dir, 'two.csv'),
          current: join(dir, 'lacks.csv'),
          probaPrefix: 'p_',
        }),
      ),
    ).toMatch(/lacks\.csv:1: missing column "p_b" \(--proba\)/);
    expect(
      await usageMessage(
        runPerformance({ ...base, reference: join(dir, 'two.csv'), probaPrefix: 'p_', proba: 'p_a' }),
      ),
    ).toMatch(/exactly one of/);
  });

  it('reads JSON Lines with a single binary probability column', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => {
      const p = ((i * 37) % 100) / 100;
      return { y: i % 3 === 0 ? 1 : 0, yhat: p >= 0.5 ? 1 : 0, p1: p };
    });
    writeFileSync(join(dir, 'bin.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
    const r = await runPerformance({
      reference: join(dir, 'bin.jsonl'),
      current: join(dir, 'bin.jsonl'),
      target: 'y',
      prediction: 'yhat',
      proba: 'p1',
    });
    expect(r.estimated.confusionMatrix.labels).toEqual(['0', '1']);
    expect(r.rows).toBe(400);
  });
});

describe('Parquet', () => {
  type HyparquetWriter = typeof import('hyparquet-writer', { with: { 'resolution-mode': 'import' } });

  async function parquet(name: string, d: LogisticData, withTarget = true): Promise<string> {
    const { parquetWriteBuffer } = (await import('hyparquet-writer')) as HyparquetWriter;
    const k = classes.length;
    const columnData = [
      ...(withTarget
        ? [{ name: 'label', data: Array.from(d.actual, (a) => classes[a]), type: 'STRING' as const }]
        : []),
      { name: 'pred', data: Array.from(d.predicted, (p) => classes[p]), type: 'STRING' as const },
      ...classes.map((c, j) => ({
        name: `p_${c}`,
        data: Array.from({ length: d.rows }, (_, i) => d.probabilities[i * k + j]),
        type: 'DOUBLE' as const,
      })),
    ];
    const file = join(dir, name);
    writeFileSync(file, Buffer.from(parquetWriteBuffer({ columnData })));
    return file;
  }

  it('reads Parquet files to the same report as the same rows in CSV', async () => {
    const fromParquet = await runPerformance({
      ...base,
      reference: await parquet('ref.parquet', ref),
      current: await parquet('cur.parquet', cur, false),
      probaPrefix: 'p_',
    });
    const fromCsv = await runPerformance({
      ...base,
      current: csv('cur-no-target.csv', cur, false),
      probaPrefix: 'p_',
    });
    expect(performanceJson(fromParquet)).toEqual(performanceJson(fromCsv));
    expect((performanceJson(fromParquet) as ContractJson).rows).toBe(1500);
  });
});
