import { createDataFrame, FieldType, ReducerID } from '@grafana/data';
import {
  buildConfusionMatrix,
  DEFAULT_EXTRACT_OPTIONS,
  extractCells,
  formatCount,
  orderClasses,
  parseClassList,
  type Cell,
  type MatrixOptions,
} from './confusion-matrix';
import { IRIS, instantFrames, manyClasses, rangeFrames, tableFrame } from './test-frames';

const MATRIX: MatrixOptions = { normalization: 'none', order: 'alphabetical', customOrder: [], topN: 0 };

function cellsOf(result: ReturnType<typeof extractCells>): Cell[] {
  if (result.kind !== 'ok') {
    throw new Error(`expected cells, got ${result.kind}: ${result.message}`);
  }
  return result.cells;
}

describe('extractCells', () => {
  it('reads Prometheus instant series by their actual / predicted labels', () => {
    const cells = cellsOf(extractCells(instantFrames(IRIS), DEFAULT_EXTRACT_OPTIONS));
    expect(cells).toHaveLength(5);
    expect(cells).toContainEqual({ actual: 'versicolor', predicted: 'virginica', count: 3 });
  });

  it('reduces range series with the chosen reducer (sum of increases, or last value of a gauge)', () => {
    const frames = rangeFrames(IRIS, [1, 2, 3]);
    const summed = cellsOf(extractCells(frames, { ...DEFAULT_EXTRACT_OPTIONS, reducer: ReducerID.sum }));
    expect(summed.find((c) => c.actual === 'setosa')!.count).toBe(50 * 6);
    const last = cellsOf(extractCells(frames, { ...DEFAULT_EXTRACT_OPTIONS, reducer: ReducerID.lastNotNull }));
    expect(last.find((c) => c.actual === 'setosa')!.count).toBe(150);
  });

  it('reads a "Format: Table" frame and finds the numeric count column by itself', () => {
    const cells = cellsOf(extractCells([tableFrame(IRIS)], DEFAULT_EXTRACT_OPTIONS));
    expect(cells).toContainEqual({ actual: 'virginica', predicted: 'versicolor', count: 1 });
  });

  it('uses picked column names, and counts one per row when a table has no numeric column', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'label', type: FieldType.string, values: ['cat', 'cat', 'dog', 'cat'] },
        { name: 'prediction', type: FieldType.string, values: ['cat', 'dog', 'dog', 'cat'] },
      ],
    });
    const cells = cellsOf(
      extractCells([frame], { ...DEFAULT_EXTRACT_OPTIONS, actualField: 'label', predictedField: 'prediction' })
    );
    expect(cells).toEqual([
      { actual: 'cat', predicted: 'cat', count: 2 },
      { actual: 'cat', predicted: 'dog', count: 1 },
      { actual: 'dog', predicted: 'dog', count: 1 },
    ]);
  });

  it('sums duplicate pairs (e.g. two model versions) and reports rows it had to skip', () => {
    const frames = [
      ...instantFrames([
        ['a', 'a', 2],
        ['a', 'b', 1],
      ]),
      ...instantFrames([
        ['a', 'a', 3],
        ['b', 'b', Number.NaN],
      ]),
    ];
    const result = extractCells(frames, DEFAULT_EXTRACT_OPTIONS);
    expect(cellsOf(result)).toEqual([
      { actual: 'a', predicted: 'a', count: 5 },
      { actual: 'a', predicted: 'b', count: 1 },
    ]);
    expect(result.kind === 'ok' && result.warnings).toEqual([
      '1 value without a class or with a missing/negative count ignored.',
    ]);
  });

  it('says "no data" for no frames or empty frames', () => {
    expect(extractCells([], DEFAULT_EXTRACT_OPTIONS).kind).toBe('empty');
    expect(extractCells([createDataFrame({ fields: [] })], DEFAULT_EXTRACT_OPTIONS).kind).toBe('empty');
  });

  it('explains malformed data: series without the labels, or a missing count column', () => {
    const cpu = createDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: [1] },
        { name: 'Value', type: FieldType.number, values: [0.5], labels: { instance: 'node1' } },
      ],
    });
    const r = extractCells([cpu], DEFAULT_EXTRACT_OPTIONS);
    expect(r.kind).toBe('malformed');
    expect(r.kind !== 'ok' && r.message).toMatch(
      /Expected series labelled "actual" and "predicted".*Found: Time, Value\{instance\}/
    );
    const noCount = extractCells([tableFrame(IRIS)], { ...DEFAULT_EXTRACT_OPTIONS, countField: 'n' });
    expect(noCount.kind !== 'ok' && noCount.message).toMatch(
      /Count field "n" not found; the table has: Time, actual, model, predicted, Value #A/
    );
  });
});

describe('buildConfusionMatrix', () => {
  const iris = cellsOf(extractCells(instantFrames(IRIS), DEFAULT_EXTRACT_OPTIONS));

  it('counts, totals, precision, recall and accuracy (iris hold-out)', () => {
    const m = buildConfusionMatrix(iris, MATRIX);
    expect(m.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(m.counts).toEqual([
      [50, 0, 0],
      [0, 47, 3],
      [0, 1, 49],
    ]);
    expect(m.rowTotals).toEqual([50, 50, 50]);
    expect(m.colTotals).toEqual([50, 48, 52]);
    expect(m.total).toBe(150);
    expect(m.accuracy).toBeCloseTo(146 / 150, 12);
    expect(m.recall).toEqual([1, 47 / 50, 49 / 50]);
    expect(m.precision).toEqual([1, 47 / 48, 49 / 52]);
  });

  it('normalises by column (precision), row (recall) and overall', () => {
    const col = buildConfusionMatrix(iris, { ...MATRIX, normalization: 'column' });
    expect(col.values[2][1]).toBeCloseTo(1 / 48, 12);
    expect(col.values.map((r) => r[1] ?? 0).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    const row = buildConfusionMatrix(iris, { ...MATRIX, normalization: 'row' });
    expect(row.values[1]).toEqual([0, 0.94, 0.06]);
    const all = buildConfusionMatrix(iris, { ...MATRIX, normalization: 'all' });
    expect(all.values[0][0]).toBeCloseTo(50 / 150, 12);
    expect(all.maxValue).toBeCloseTo(50 / 150, 12);
  });

  it('gives null (not NaN) shares for a class that is never predicted or never occurs', () => {
    const m = buildConfusionMatrix(
      [
        { actual: 'a', predicted: 'a', count: 3 },
        { actual: 'b', predicted: 'a', count: 2 },
      ],
      { ...MATRIX, normalization: 'column' }
    );
    expect(m.precision).toEqual([0.6, null]);
    expect(m.values[0][1]).toBeNull();
    expect(m.recall).toEqual([1, 0]);
  });

  it('orders classes alphabetically (natural), by support, or by a custom list', () => {
    const support = new Map([
      ['class_10', 5],
      ['class_2', 9],
      ['b', 1],
    ]);
    expect(orderClasses(['class_10', 'class_2', 'b'], support, 'alphabetical')).toEqual(['b', 'class_2', 'class_10']);
    expect(orderClasses(['class_10', 'class_2', 'b'], support, 'support')).toEqual(['class_2', 'class_10', 'b']);
    expect(
      orderClasses(['class_10', 'class_2', 'b'], support, 'custom', parseClassList('class_10,\n nope, b'))
    ).toEqual(['class_10', 'b', 'class_2']);
  });

  it('keeps the top-N classes by support and folds the rest into "other" without inventing correct answers', () => {
    const cells = cellsOf(extractCells(instantFrames(manyClasses(12)), DEFAULT_EXTRACT_OPTIONS));
    const full = buildConfusionMatrix(cells, MATRIX);
    const top = buildConfusionMatrix(cells, { ...MATRIX, topN: 5 });
    expect(top.classes).toHaveLength(6);
    expect(top.classes[5]).toBe('other');
    expect(top.folded).toHaveLength(7);
    expect(top.total).toBe(full.total);
    // Two different folded classes confused with each other are not a hit: accuracy can only drop.
    expect(top.accuracy!).toBeLessThanOrEqual(full.accuracy!);
    const otherIdx = 5;
    expect(top.recall[otherIdx]).toBe(0);
    expect(top.warnings[0]).toMatch(/"other" holds 7 classes/);
  });

  it('names the fold bucket "(other)" when a real class is called "other"', () => {
    const cells: Cell[] = [
      { actual: 'other', predicted: 'other', count: 9 },
      { actual: 'x', predicted: 'x', count: 5 },
      { actual: 'y', predicted: 'y', count: 1 },
    ];
    const m = buildConfusionMatrix(cells, { ...MATRIX, topN: 2 });
    expect(m.classes).toEqual(['other', 'x', '(other)']);
  });
});

describe('formatCount', () => {
  it("writes counts as toLocaleString('en-US') does, without Intl", () => {
    for (const n of [0, 7, 999, 1000, 9759, 12345.5, 1234567, 1234567.125, 0.3333333, 1e15]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    }
  });
});
