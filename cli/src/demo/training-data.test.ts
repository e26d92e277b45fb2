import { SHIPPED_MODEL } from '@plumbline/sidecar';
import { parseTrainingCsv, readTrainingData } from './training-data';

it('reads the shipped training split: 120 rows of 4 numeric features and a species', () => {
  const data = readTrainingData(SHIPPED_MODEL.trainCsvPath);
  expect(data.features).toEqual(['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm']);
  expect(data.target).toBe('species');
  expect(data.rows).toHaveLength(120);
  expect(data.rows[0]).toEqual([4.4, 2.9, 1.4, 0.2]);
  expect(new Set(data.labels)).toEqual(new Set(['setosa', 'versicolor', 'virginica']));
  // train.py splits stratified: 40 of each class.
  expect(data.labels.filter((l) => l === 'setosa')).toHaveLength(40);
});

it('takes the label column by name, wherever it is', () => {
  const data = parseTrainingCsv('y,a,b\nx,1,2\nz,3,4.5\n', { target: 'y' });
  expect(data).toEqual({
    features: ['a', 'b'],
    target: 'y',
    rows: [
      [1, 2],
      [3, 4.5],
    ],
    labels: ['x', 'z'],
  });
});

it.each([
  ['a,label\n', 'needs a header and at least one row'],
  ['a,b\n1,2\n', 'no column "species"'],
  ['a,species\n1\n', 'line 2 has 1 cells, the header has 2'],
  ['a,species\n1,x\nfoo,y\n', 'line 3, column "a": "foo" is not a number'],
  ['a,species\n,x\n', 'line 2, column "a": "" is not a number'],
  ['a,species\n"1,x\n', 'malformed CSV: Quoted field unterminated'],
])('refuses %j with the line and column', (text, message) => {
  const target = text.startsWith('a,b') ? 'species' : undefined;
  expect(() => parseTrainingCsv(text, { target, source: 't.csv' })).toThrow(message);
});
