// A label horizon store that cannot write (a full disk) must not throw into the source's sink call: the window's own
// label join still takes the event, and the error is reported.
import { inferenceEvent, feedbackEvent } from '../../test/helpers/events';
import { createLabelJoinCompanion } from '../windows/store';
import { withLabelHorizon } from './horizon-companion';
import type { LabelHorizonStore } from './label-horizon-store';

test('a failing store reports its errors and the window join goes on', () => {
  const failing = {
    addPrediction() {
      throw new Error('MDB_MAP_FULL');
    },
    addLabel() {
      throw new Error('MDB_MAP_FULL');
    },
  } as unknown as LabelHorizonStore;
  const errors: unknown[] = [];
  const inner = createLabelJoinCompanion({ task: 'classification', bucketWidthMs: 60_000 });
  const companion = withLabelHorizon(
    inner,
    'iris',
    () => failing,
    (err) => errors.push(err),
  );
  const at = Date.parse('2026-01-01T00:00:10Z');
  expect(() =>
    companion.prediction(
      inferenceEvent({ requestId: 'r1', at, label: 'a' }),
      Date.parse('2026-01-01T00:00:00Z'),
    ),
  ).not.toThrow();
  expect(() => companion.label(feedbackEvent({ requestId: 'r1', at: at + 1000, truth: 'a' }))).not.toThrow();
  expect(errors.map((e) => (e as Error).message)).toEqual(['MDB_MAP_FULL', 'MDB_MAP_FULL']);
  expect(inner.join.stats()).toMatchObject({ predictions: 1, labels: 1 });
});
