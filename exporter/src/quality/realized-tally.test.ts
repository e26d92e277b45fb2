import {
  addRealizedTally,
  createRealizedTally,
  realizedRangeQuality,
  realizedTallyFromJson,
  realizedTallyToJson,
  tallyLabel,
  tallyPrediction,
} from './realized-tally';

const RANGE = { range: '1h', seconds: 3600, fromMs: 0, toMs: 3_600_000 };

test("a range's figures are sklearn's on its labelled rows, coverage beside them", () => {
  // y_true = [a, a, b, b, c], y_pred = [a, b, b, b, a]; one more prediction of c without a label.
  // sklearn: accuracy 0.6; precision a 0.5, b 2/3, c 0; recall a 0.5, b 1, c 0.
  const rows: [string, string][] = [
    ['a', 'a'],
    ['a', 'b'],
    ['b', 'b'],
    ['b', 'b'],
    ['c', 'a'],
  ];
  const t = createRealizedTally();
  for (const [, p] of rows) tallyPrediction(t, 'classification', p);
  tallyPrediction(t, 'classification', 'c');
  for (const [a, p] of rows) tallyLabel(t, 'classification', p, a, 1);
  const q = realizedRangeQuality(t, 'classification', RANGE, 10);
  expect(q).toMatchObject({ predictions: 6, labelled: 5, unusable: 0 });
  expect(q.coverage).toBeCloseTo(5 / 6, 15);
  expect(q.accuracy).toBeCloseTo(0.6, 15);
  expect(q.precisionMacro).toBeCloseTo((0.5 + 2 / 3 + 0) / 3, 15);
  expect(q.recallMacro).toBeCloseTo((0.5 + 1 + 0) / 3, 15);
  expect(q.perClass.c).toMatchObject({
    precision: 0,
    recall: 0,
    support: 1,
    predictions: 1,
    labelled: 0,
    coverage: 0,
  });
  expect(q.perClass.b).toMatchObject({ predictions: 3, labelled: 3, coverage: 1 });
});

test('taking a label out restores the tally exactly, and JSON round-trips it', () => {
  const t = createRealizedTally();
  tallyPrediction(t, 'regression', 2.5);
  tallyLabel(t, 'regression', 2.5, 3.1, 1);
  const json = realizedTallyToJson(t);
  tallyLabel(t, 'regression', 2.5, 3.1, -1);
  expect(realizedRangeQuality(t, 'regression', RANGE, 10)).toMatchObject({
    labelled: 0,
    mae: null,
    rmse: null,
  });
  expect(t.sumAbsError).toBe(0);
  const back = realizedTallyFromJson(json);
  const sum = createRealizedTally();
  addRealizedTally(sum, back);
  addRealizedTally(sum, back);
  expect(realizedRangeQuality(sum, 'regression', RANGE, 10)).toMatchObject({ predictions: 2, labelled: 2 });
  expect(realizedRangeQuality(sum, 'regression', RANGE, 10).mae).toBeCloseTo(0.6, 12);
});

test('classes past maxClasses are pooled as other, their predictions and coverage too', () => {
  const t = createRealizedTally();
  for (const c of ['a', 'a', 'a', 'b', 'b', 'c', 'd']) tallyPrediction(t, 'classification', c);
  for (const c of ['a', 'a', 'b', 'c']) tallyLabel(t, 'classification', c, c, 1);
  // The matrix keeps a and pools b and c (labelled) as other; d, predicted but never labelled, is pooled there too.
  const q = realizedRangeQuality(t, 'classification', RANGE, 2);
  expect(Object.keys(q.perClass)).toEqual(['a', 'other']);
  expect(q.perClass.a).toMatchObject({ predictions: 3, labelled: 2 });
  expect(q.perClass.other).toMatchObject({ predictions: 4, labelled: 2, coverage: 0.5 });
});
