/**
 * The review panel's pure core: the queue on screen as a state machine (pages by cursor, the selected row, the class
 * picked for it, what was handled and can be undone) and the keyboard map. No React, no HTTP: the panel sends the
 * review a command asks for and feeds the answer back in as an event.
 */
import type { ReviewAction, ReviewQueueItem, ReviewQueuePage, ReviewRequest } from '../review/types';

/** A review written from the panel, kept so `u` can take it back. */
export interface HandledReview {
  item: ReviewQueueItem;
  /** Where the row stood in the table, to put it back there. */
  index: number;
  action: Exclude<ReviewAction, 'retract'>;
  label?: string;
}

export interface QueueState {
  /** The rows of the current page still waiting, newest first. */
  items: ReviewQueueItem[];
  /** Index of the selected row in `items` (0 when empty). */
  selected: number;
  /** Class picked with 1–9 for the selected row; cleared when the selection moves. */
  picked: string | null;
  /** Classes numbered 1, 2, …: a class keeps its number once shown (new ones are appended, sorted). */
  classes: string[];
  /** The `before` cursor of each page visited: [null] is the newest page; the last entry is the current page. */
  pages: Array<string | null>;
  /** The cursor for the page after the current one (null: this is the last). */
  next: string | null;
  /** Reviews written from this panel, the latest last (the undo stack). */
  handled: HandledReview[];
}

export const EMPTY_QUEUE: QueueState = {
  items: [],
  selected: 0,
  picked: null,
  classes: [],
  pages: [null],
  next: null,
  handled: [],
};

const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** The classes of a page's probabilities not yet numbered, sorted naturally, after the ones already numbered. */
export function numberClasses(known: readonly string[], items: readonly ReviewQueueItem[]): string[] {
  const seen = new Set(known);
  const fresh = new Set<string>();
  for (const item of items) {
    for (const c of Object.keys(item.probabilities ?? {})) {
      if (!seen.has(c)) {
        fresh.add(c);
      }
    }
    if (item.predicted !== null && !seen.has(item.predicted)) {
      fresh.add(item.predicted);
    }
  }
  return [...known, ...[...fresh].sort(natural.compare)];
}

export type QueueEvent =
  /** A page arrived: `before` is the cursor it was asked with; `selectLast` when paging back with k. */
  | { type: 'loaded'; before: string | null; page: ReviewQueuePage; selectLast?: boolean }
  | { type: 'move'; delta: number }
  | { type: 'pick'; index: number }
  /** The API took a review of `item` (the row leaves the table). */
  | { type: 'reviewed'; item: ReviewQueueItem; action: HandledReview['action']; label?: string }
  /** The API took the retract of the latest handled review (the row comes back where it was). */
  | { type: 'undone' };

export function queueReducer(state: QueueState, event: QueueEvent): QueueState {
  switch (event.type) {
    case 'loaded': {
      const pages = [...state.pages];
      const at = pages.lastIndexOf(event.before);
      if (at >= 0) {
        pages.length = at + 1; // reloading this page, or back to an earlier one
      } else {
        pages.push(event.before);
      }
      const items = event.page.items;
      return {
        ...state,
        items,
        pages,
        next: event.page.next,
        selected: event.selectLast ? Math.max(0, items.length - 1) : 0,
        picked: null,
        classes: numberClasses(state.classes, items),
      };
    }
    case 'move': {
      const selected = clamp(state.selected + event.delta, state.items.length);
      return selected === state.selected ? state : { ...state, selected, picked: null };
    }
    case 'pick': {
      const cls = state.classes[event.index];
      if (cls === undefined || state.items.length === 0) {
        return state;
      }
      return { ...state, picked: state.picked === cls ? null : cls };
    }
    case 'reviewed': {
      const index = state.items.findIndex((i) => i.event_id === event.item.event_id);
      if (index < 0) {
        return state;
      }
      const items = state.items.filter((_, n) => n !== index);
      const handled: HandledReview = { item: event.item, index, action: event.action };
      if (event.label !== undefined) {
        handled.label = event.label;
      }
      return {
        ...state,
        items,
        selected: clamp(index, items.length),
        picked: null,
        handled: [...state.handled, handled],
      };
    }
    case 'undone': {
      const last = state.handled[state.handled.length - 1];
      if (!last) {
        return state;
      }
      const without = state.items.filter((i) => i.event_id !== last.item.event_id);
      const index = Math.min(last.index, without.length);
      const items = [...without.slice(0, index), last.item, ...without.slice(index)];
      return { ...state, items, selected: index, picked: null, handled: state.handled.slice(0, -1) };
    }
  }
}

function clamp(index: number, length: number): number {
  return length === 0 ? 0 : Math.min(Math.max(0, index), length - 1);
}

export function selectedItem(state: QueueState): ReviewQueueItem | null {
  return state.items[state.selected] ?? null;
}

/** The review Enter sends: `correct` with the picked class when it differs from the prediction, else `confirm`. */
export function enterReview(state: QueueState): ReviewRequest | null {
  const item = selectedItem(state);
  if (!item) {
    return null;
  }
  if (state.picked !== null && state.picked !== item.predicted) {
    return { request_id: item.request_id, row: item.row, action: 'correct', label: state.picked };
  }
  if (item.predicted === null) {
    return null; // nothing to confirm: pick the class first
  }
  return { request_id: item.request_id, row: item.row, action: 'confirm' };
}

export function rejectReview(state: QueueState): ReviewRequest | null {
  const item = selectedItem(state);
  return item ? { request_id: item.request_id, row: item.row, action: 'reject' } : null;
}

/** Undo of any review is a `retract` of that row: it withdraws the row's human label (confirm, correct or reject). */
export function undoReview(state: QueueState): ReviewRequest | null {
  const last = state.handled[state.handled.length - 1];
  return last ? { request_id: last.item.request_id, row: last.item.row, action: 'retract' } : null;
}

export type KeyCommand =
  | { type: 'move'; delta: 1 | -1 }
  | { type: 'pick'; index: number }
  | { type: 'enter' }
  | { type: 'reject' }
  | { type: 'undo' };

/**
 * The keyboard map: j/k (and the arrow keys) move, 1–9 pick the numbered class, Enter confirms or corrects, r
 * rejects, u undoes. Only moving is open to those who may not act (Viewers). Keys with Ctrl, Alt or Meta are left
 * to the browser and Grafana.
 */
export function keyCommand(
  event: { key: string; ctrlKey?: boolean; altKey?: boolean; metaKey?: boolean },
  canAct: boolean
): KeyCommand | null {
  if (event.ctrlKey || event.altKey || event.metaKey) {
    return null;
  }
  switch (event.key) {
    case 'j':
    case 'ArrowDown':
      return { type: 'move', delta: 1 };
    case 'k':
    case 'ArrowUp':
      return { type: 'move', delta: -1 };
  }
  if (!canAct) {
    return null;
  }
  if (/^[1-9]$/.test(event.key)) {
    return { type: 'pick', index: Number(event.key) - 1 };
  }
  switch (event.key) {
    case 'Enter':
      return { type: 'enter' };
    case 'r':
      return { type: 'reject' };
    case 'u':
      return { type: 'undo' };
  }
  return null;
}

/** The feature columns of a page: every feature key, in first-seen order. */
export function featureColumns(items: readonly ReviewQueueItem[]): string[] {
  const out = new Set<string>();
  for (const item of items) {
    for (const k of Object.keys(item.features ?? {})) {
      out.add(k);
    }
  }
  return [...out];
}

/** A feature value for a table cell: numbers to 4 significant digits, objects as JSON, null as an em dash. */
export function formatFeature(value: unknown): string {
  if (value === null || value === undefined) {
    return '—';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  }
  if (typeof value === 'object') {
    return JSON.stringify(value);
  }
  return String(value);
}

/** "0.42" → "42.0%"; null → "—". */
export function formatShare(p: number | null | undefined): string {
  return typeof p === 'number' && Number.isFinite(p) ? `${(p * 100).toFixed(1)}%` : '—';
}
