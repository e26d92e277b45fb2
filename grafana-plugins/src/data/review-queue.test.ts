import {
  EMPTY_QUEUE,
  enterReview,
  featureColumns,
  formatFeature,
  keyCommand,
  numberClasses,
  queueReducer,
  rejectReview,
  undoReview,
  type QueueState,
} from './review-queue';
import type { ReviewQueueItem } from '../review/types';

function item(n: number, predicted = 'versicolor', probabilities?: Record<string, number>): ReviewQueueItem {
  return {
    event_id: `e${n}`,
    request_id: `r${n}`,
    row: 0,
    '@timestamp': new Date(Date.UTC(2026, 10, 23, 10, 0, 60 - n)).toISOString(),
    model_version: 'v1',
    features: { petal_length: 4.5 + n / 10, region: 'eu-west' },
    predicted,
    confidence: 0.5,
    probabilities: probabilities ?? { versicolor: 0.5, virginica: 0.45, setosa: 0.05 },
  };
}

const loaded = (items: ReviewQueueItem[], next: string | null = null, before: string | null = null): QueueState =>
  queueReducer(EMPTY_QUEUE, { type: 'loaded', before, page: { items, next } });

describe('review queue state', () => {
  it('numbers the classes in natural order and keeps a number once given', () => {
    const first = numberClasses([], [item(1)]);
    expect(first).toEqual(['setosa', 'versicolor', 'virginica']);
    const later = numberClasses(first, [item(2, 'class10', { class10: 0.4, class2: 0.3, setosa: 0.3 })]);
    expect(later).toEqual(['setosa', 'versicolor', 'virginica', 'class2', 'class10']);
    // A loaded page extends the numbering the same way.
    let s = loaded([item(1)], 'c1');
    s = queueReducer(s, {
      type: 'loaded',
      before: 'c1',
      page: { items: [item(9, 'other', { other: 1 })], next: null },
    });
    expect(s.classes).toEqual(['setosa', 'versicolor', 'virginica', 'other']);
  });

  it('moves within the page and clears the picked class when the selection moves', () => {
    let s = loaded([item(1), item(2), item(3)]);
    s = queueReducer(s, { type: 'move', delta: 1 });
    expect(s.selected).toBe(1);
    s = queueReducer(s, { type: 'pick', index: 2 });
    expect(s.picked).toBe('virginica');
    s = queueReducer(s, { type: 'move', delta: 1 });
    expect(s).toMatchObject({ selected: 2, picked: null });
    expect(queueReducer(s, { type: 'move', delta: 1 })).toBe(s); // already on the last row
    expect(queueReducer(loaded([]), { type: 'move', delta: -1 }).selected).toBe(0);
  });

  it('ignores a pick with no class behind the number, and a second press of the same number un-picks', () => {
    let s = loaded([item(1)]);
    expect(queueReducer(s, { type: 'pick', index: 5 })).toBe(s);
    s = queueReducer(s, { type: 'pick', index: 0 });
    expect(s.picked).toBe('setosa');
    expect(queueReducer(s, { type: 'pick', index: 0 }).picked).toBeNull();
  });

  it('Enter confirms the prediction, or corrects to a picked class that differs from it', () => {
    let s = loaded([item(1)]);
    expect(enterReview(s)).toEqual({ request_id: 'r1', row: 0, action: 'confirm' });
    s = queueReducer(s, { type: 'pick', index: 1 }); // versicolor: the predicted class
    expect(enterReview(s)).toEqual({ request_id: 'r1', row: 0, action: 'confirm' });
    s = queueReducer(s, { type: 'pick', index: 2 });
    expect(enterReview(s)).toEqual({ request_id: 'r1', row: 0, action: 'correct', label: 'virginica' });
    expect(rejectReview(s)).toEqual({ request_id: 'r1', row: 0, action: 'reject' });
    expect(enterReview(loaded([]))).toBeNull();
    expect(enterReview(loaded([{ ...item(1), predicted: null }]))).toBeNull(); // nothing to confirm
  });

  it('a handled row leaves the table; undo is a retract of it and puts it back where it was', () => {
    const items = [item(1), item(2), item(3)];
    let s = queueReducer(loaded(items), { type: 'move', delta: 1 });
    s = queueReducer(s, { type: 'reviewed', item: items[1], action: 'correct', label: 'virginica' });
    expect(s.items.map((i) => i.request_id)).toEqual(['r1', 'r3']);
    expect(s.selected).toBe(1); // the next row takes its place
    s = queueReducer(s, { type: 'reviewed', item: items[2], action: 'reject' });
    expect(s.items.map((i) => i.request_id)).toEqual(['r1']);
    expect(s.selected).toBe(0); // the last row went: the one above is selected
    expect(undoReview(s)).toEqual({ request_id: 'r3', row: 0, action: 'retract' });
    s = queueReducer(s, { type: 'undone' });
    expect(s.items.map((i) => i.request_id)).toEqual(['r1', 'r3']);
    expect(s.selected).toBe(1);
    expect(undoReview(s)).toEqual({ request_id: 'r2', row: 0, action: 'retract' });
    s = queueReducer(s, { type: 'undone' });
    expect(s.items.map((i) => i.request_id)).toEqual(['r1', 'r2', 'r3']);
    expect(undoReview(s)).toBeNull();
    expect(queueReducer(s, { type: 'undone' })).toBe(s);
  });

  it('pages by cursor: a new cursor is pushed, an earlier one truncates, reloading the current one keeps it', () => {
    let s = loaded([item(1)], 'c1');
    expect(s).toMatchObject({ pages: [null], next: 'c1' });
    s = queueReducer(s, { type: 'loaded', before: 'c1', page: { items: [item(2), item(3)], next: 'c2' } });
    expect(s).toMatchObject({ pages: [null, 'c1'], next: 'c2', selected: 0 });
    s = queueReducer(s, { type: 'loaded', before: 'c1', page: { items: [item(3)], next: 'c2' } });
    expect(s.pages).toEqual([null, 'c1']);
    s = queueReducer(s, {
      type: 'loaded',
      before: null,
      page: { items: [item(1), item(4)], next: 'c1' },
      selectLast: true,
    });
    expect(s).toMatchObject({ pages: [null], selected: 1 });
  });

  it('undo after the page changed puts the row back at most at the end of the page', () => {
    const items = [item(1), item(2), item(3)];
    let s = queueReducer(loaded(items, 'c1'), { type: 'move', delta: 2 });
    s = queueReducer(s, { type: 'reviewed', item: items[2], action: 'confirm' });
    s = queueReducer(s, { type: 'loaded', before: 'c1', page: { items: [item(7)], next: null } });
    s = queueReducer(s, { type: 'undone' });
    expect(s.items.map((i) => i.request_id)).toEqual(['r7', 'r3']);
    expect(s.selected).toBe(1);
  });
});

describe('review keys', () => {
  it('maps j/k, 1–9, Enter, r and u for those who may act', () => {
    expect(keyCommand({ key: 'j' }, true)).toEqual({ type: 'move', delta: 1 });
    expect(keyCommand({ key: 'ArrowUp' }, true)).toEqual({ type: 'move', delta: -1 });
    expect(keyCommand({ key: '1' }, true)).toEqual({ type: 'pick', index: 0 });
    expect(keyCommand({ key: '9' }, true)).toEqual({ type: 'pick', index: 8 });
    expect(keyCommand({ key: '0' }, true)).toBeNull();
    expect(keyCommand({ key: 'Enter' }, true)).toEqual({ type: 'enter' });
    expect(keyCommand({ key: 'r' }, true)).toEqual({ type: 'reject' });
    expect(keyCommand({ key: 'u' }, true)).toEqual({ type: 'undo' });
    expect(keyCommand({ key: 'x' }, true)).toBeNull();
  });

  it('gives Viewers moving only, and leaves keys with modifiers to the browser', () => {
    expect(keyCommand({ key: 'k' }, false)).toEqual({ type: 'move', delta: -1 });
    for (const key of ['1', 'Enter', 'r', 'u']) {
      expect(keyCommand({ key }, false)).toBeNull();
    }
    expect(keyCommand({ key: 'r', ctrlKey: true }, true)).toBeNull(); // Ctrl+R reloads the page
    expect(keyCommand({ key: 'j', metaKey: true }, true)).toBeNull();
  });
});

describe('review table cells', () => {
  it('lists every feature of the page in first-seen order and formats values', () => {
    expect(featureColumns([item(1), { ...item(2), features: { sepal_width: 3, petal_length: 1 } }])).toEqual([
      'petal_length',
      'region',
      'sepal_width',
    ]);
    expect(formatFeature(4.56789)).toBe('4.568');
    expect(formatFeature(12)).toBe('12');
    expect(formatFeature(null)).toBe('—');
    expect(formatFeature({ a: 1 })).toBe('{"a":1}');
    expect(formatFeature(true)).toBe('true');
  });
});
