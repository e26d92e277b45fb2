// The label horizon store applies labels as the window's label join does: one precedence rule
// (schema/src/label-precedence.ts) for a human label, a reject and a retract — not the latest label whatever its source.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeedbackEvent } from '@plumbline/schema';
import { feedbackEvent, inferenceEvent } from '../../test/helpers/events';
import { createLabelJoinCompanion } from '../windows/store';
import { withLabelHorizon } from './horizon-companion';
import { DAY_MS, createLabelHorizonStore, type LabelHorizonStore } from './label-horizon-store';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const BUCKET = T0 - (T0 % 60_000);
let dir: string;
let store: LabelHorizonStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'horizon-reviews-'));
  store = createLabelHorizonStore({
    dir,
    models: [{ name: 'iris', task: 'classification' }],
    horizonMs: 14 * DAY_MS,
    now: () => T0 + 600_000,
  });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a human label, a reject and a retract reach the store as the window join resolves them', () => {
  const inner = createLabelJoinCompanion({ task: 'classification', bucketWidthMs: 60_000 });
  const companion = withLabelHorizon(inner, 'iris', () => store);
  companion.prediction(inferenceEvent({ requestId: 'r1', at: T0, label: 'a' }), BUCKET);
  const other = (truth: string, s: number) => feedbackEvent({ requestId: 'r1', at: T0 + s * 1000, truth });
  const review = (action: FeedbackEvent['action'], truth: string, s: number): FeedbackEvent => ({
    ...other(truth, s),
    event_id: `review-${s}`,
    source: 'human',
    action,
    reviewer: 'ana',
  });
  /** The store's last hour and the window join agree on the row's label. */
  const state = () => {
    store.flush();
    const [hour] = store.rangeQuality('iris', [{ range: '1h', seconds: 3600 }], 10);
    const window = inner.join.truths([BUCKET]).values;
    return { labelled: hour.labelled, accuracy: hour.accuracy, window };
  };

  companion.label(other('b', 10));
  expect(state()).toEqual({ labelled: 1, accuracy: 0, window: ['b'] });
  companion.label(review('correct', 'a', 20));
  expect(state()).toEqual({ labelled: 1, accuracy: 1, window: ['a'] });
  // A later label of another source does not replace the human one.
  companion.label(other('c', 30));
  expect(state()).toEqual({ labelled: 1, accuracy: 1, window: ['a'] });
  // Rejected: no label, in the store as in the window.
  companion.label(review('reject', 'a', 40));
  expect(state()).toEqual({ labelled: 0, accuracy: null, window: [] });
  // Retracted: the latest label of the other source is back.
  companion.label(review('retract', 'a', 50));
  expect(state()).toEqual({ labelled: 1, accuracy: 0, window: ['c'] });
});

test('a review that comes before its prediction waits resolved, and a reject takes a waiting label away', () => {
  const inner = createLabelJoinCompanion({ task: 'classification', bucketWidthMs: 60_000 });
  const companion = withLabelHorizon(inner, 'iris', () => store);
  const human = (
    requestId: string,
    action: FeedbackEvent['action'],
    truth: string,
    s: number,
  ): FeedbackEvent => ({
    ...feedbackEvent({ requestId, at: T0 + s * 1000, truth }),
    event_id: `${requestId}-${s}`,
    source: 'human',
    action,
    reviewer: 'ana',
  });
  companion.label(feedbackEvent({ requestId: 'r2', at: T0 + 30_000, truth: 'b' }));
  companion.label(human('r2', 'correct', 'a', 20));
  companion.label(feedbackEvent({ requestId: 'r3', at: T0 + 10_000, truth: 'a' }));
  companion.label(human('r3', 'reject', 'a', 20));
  companion.prediction(inferenceEvent({ requestId: 'r2', at: T0, label: 'a' }), BUCKET);
  companion.prediction(inferenceEvent({ requestId: 'r3', at: T0, label: 'a' }), BUCKET);
  store.flush();
  const [hour] = store.rangeQuality('iris', [{ range: '1h', seconds: 3600 }], 10);
  expect(hour).toMatchObject({ predictions: 2, labelled: 1, accuracy: 1 });
  expect(store.stats().pendingLabels).toBe(0);
});
