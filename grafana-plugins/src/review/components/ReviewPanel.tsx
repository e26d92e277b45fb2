import React, { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2, PanelProps } from '@grafana/data';
import { config } from '@grafana/runtime';
import { Alert, Button, Spinner, usePanelContext, useStyles2 } from '@grafana/ui';
import { usePlumblineClient } from '../../api/client-context';
import { canTrigger } from '../../data/retrain';
import { formatInTimeZone } from '../../data/time-zone';
import {
  EMPTY_QUEUE,
  enterReview,
  featureColumns,
  formatFeature,
  formatShare,
  keyCommand,
  queueReducer,
  rejectReview,
  undoReview,
  type HandledReview,
  type QueueEvent,
  type QueueState,
} from '../../data/review-queue';
import type { ReviewOptions, ReviewRequest } from '../types';

const ACTION_TEXT: Record<HandledReview['action'], string> = {
  confirm: 'Confirmed',
  correct: 'Corrected',
  reject: 'Rejected',
};

/** Dashboard variables not set yet (`$model`) read as unset. */
function resolved(text: string): string {
  const t = text.trim();
  return t.startsWith('$') ? '' : t;
}

/**
 * The panel: one queue per model and filter. Another model or filter mounts a fresh queue (React's `key`), so
 * nothing of the old one stays on screen or in the undo stack — `u` never retracts a review of another model.
 */
export function ReviewPanel(props: PanelProps<ReviewOptions>) {
  const { options, replaceVariables } = props;
  const key = [
    replaceVariables(options.model ?? ''),
    replaceVariables(options.classFilter ?? ''),
    options.pageSize,
    options.maxConfidence,
  ].join('\u0000');
  return <ReviewQueue key={key} {...props} />;
}

/**
 * The review queue of one model, keyboard first: j/k move, 1–9 pick a class, Enter confirms (or corrects to the
 * picked class), r rejects, u undoes the last review. Editors and Admins act; Viewers read. Every call goes through
 * the app plugin's `models/*` proxy route, which adds the exporter's token and the reviewer server-side.
 */
function ReviewQueue({ options, width, height, replaceVariables, timeZone }: PanelProps<ReviewOptions>) {
  const styles = useStyles2(getStyles);
  const client = usePlumblineClient();
  const panelContext = usePanelContext();
  const model = resolved(replaceVariables(options.model ?? ''));
  const classFilter = resolved(replaceVariables(options.classFilter ?? ''));
  const pageSize = Math.min(1000, Math.max(1, Math.round(options.pageSize || 50)));
  const maxConfidence = options.maxConfidence > 0 ? options.maxConfidence : undefined;
  const user = config.bootData?.user;
  const canAct = canTrigger({
    orgRole: user?.orgRole ?? '',
    isGrafanaAdmin: Boolean(user?.isGrafanaAdmin),
    canExecuteActions: panelContext.canExecuteActions?.(),
  });

  const [state, dispatch] = useReducer(queueReducer, EMPTY_QUEUE);
  // The latest state for key handlers and the refill after a review (both run after renders, never during one).
  const stateRef = useRef<QueueState>(state);
  useEffect(() => {
    stateRef.current = state;
  }, [state]);
  const [loading, setLoading] = useState(false);
  const [sending, setSending] = useState(false);
  const busy = useRef(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const selectedRow = useRef<HTMLTableRowElement | null>(null);

  const load = useCallback(
    /** Loads the page after cursor `before`; answers how many rows it holds (null when the request failed). */
    async (before: string | null, selectLast = false): Promise<number | null> => {
      if (!model) {
        return null;
      }
      setLoading(true);
      try {
        const page = await client.reviewQueue(model, { limit: pageSize, before, class: classFilter, maxConfidence });
        dispatch({ type: 'loaded', before, page, selectLast });
        setError(null);
        setLoaded(true);
        return page.items.length;
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
        return null;
      } finally {
        setLoading(false);
      }
    },
    [client, model, pageSize, classFilter, maxConfidence]
  );

  useEffect(() => {
    // Fetching on mount and when the options change: state is set after the awaited response.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void load(null);
  }, [load]);

  useEffect(() => {
    selectedRow.current?.scrollIntoView?.({ block: 'nearest' });
  }, [state.selected, state.items]);

  /** Sends one review; on success feeds `then` into the queue and refills an emptied page. */
  const send = async (body: ReviewRequest, then: QueueEvent, done: string) => {
    busy.current = true;
    setSending(true);
    try {
      await client.review(model, body);
      const after = queueReducer(stateRef.current, then);
      dispatch(then);
      setError(null);
      setNotice(done);
      if (after.items.length === 0 && (after.next !== null || after.pages.length > 1)) {
        // The page is done: ask for it again (handled rows are no longer in the queue, older ones move up); past
        // the last page, start again from the newest.
        const rows = await load(after.pages[after.pages.length - 1]);
        if (rows === 0 && after.pages.length > 1) {
          await load(null);
        }
      }
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      busy.current = false;
      setSending(false);
    }
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    if (target.closest('input, textarea, select, button, [contenteditable="true"]')) {
      return;
    }
    const command = keyCommand(event, canAct);
    if (!command) {
      return;
    }
    // Handled here: neither the browser nor Grafana's own shortcuts (bound on the document) act on it too.
    event.preventDefault();
    event.stopPropagation();
    if (busy.current || loading) {
      return;
    }
    const s = stateRef.current;
    switch (command.type) {
      case 'move':
        if (command.delta > 0 && s.selected >= s.items.length - 1 && s.next !== null) {
          void load(s.next);
        } else if (command.delta < 0 && s.selected === 0 && s.pages.length > 1) {
          void load(s.pages[s.pages.length - 2], true);
        } else {
          dispatch(command);
        }
        return;
      case 'pick':
        dispatch(command);
        return;
      case 'enter': {
        const body = enterReview(s);
        const item = s.items[s.selected];
        if (body && item && body.action !== 'retract') {
          const label = body.label ?? item.predicted ?? '';
          void send(
            body,
            { type: 'reviewed', item, action: body.action, label: body.label },
            `${ACTION_TEXT[body.action]} ${item.request_id}#${item.row} as ${label}. Press u to undo.`
          );
        }
        return;
      }
      case 'reject': {
        const body = rejectReview(s);
        const item = s.items[s.selected];
        if (body && item) {
          void send(
            body,
            { type: 'reviewed', item, action: 'reject' },
            `Rejected ${item.request_id}#${item.row}. Press u to undo.`
          );
        }
        return;
      }
      case 'undo': {
        const body = undoReview(s);
        const last = s.handled[s.handled.length - 1];
        if (body && last) {
          void send(
            body,
            { type: 'undone' },
            `Undone: ${ACTION_TEXT[last.action].toLowerCase()} ${last.item.request_id}#${last.item.row} is back.`
          );
        }
        return;
      }
    }
  };

  if (!model) {
    return (
      <div className={styles.message} style={{ width, height }} role="status" data-testid="review-panel">
        Set the model in the panel options.
      </div>
    );
  }

  const features = featureColumns(state.items);
  const pageNumber = state.pages.length;
  const empty = loaded && state.items.length === 0;

  return (
    <div
      className={styles.root}
      style={{ width, height }}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="review-panel"
      aria-label={`Review queue of ${model}`}
    >
      <div className={styles.bar}>
        <span className={styles.classes} data-testid="review-classes">
          {state.classes.map((c, i) => (
            <span key={c} className={cx(styles.classChip, state.picked === c && styles.picked)}>
              {i < 9 && <kbd className={styles.kbd}>{i + 1}</kbd>} {c}
            </span>
          ))}
        </span>
        {(loading || sending) && <Spinner inline />}
      </div>
      {canAct ? (
        <div className={styles.help} data-testid="review-help">
          <kbd className={styles.kbd}>j</kbd>/<kbd className={styles.kbd}>k</kbd> move ·{' '}
          <kbd className={styles.kbd}>1</kbd>–<kbd className={styles.kbd}>9</kbd> pick class ·{' '}
          <kbd className={styles.kbd}>Enter</kbd> confirm (or correct to the picked class) ·{' '}
          <kbd className={styles.kbd}>r</kbd> reject · <kbd className={styles.kbd}>u</kbd> undo
        </div>
      ) : (
        <div className={styles.help} data-testid="review-viewer-note">
          Read only: reviewing is limited to Editors and Admins (<kbd className={styles.kbd}>j</kbd>/
          <kbd className={styles.kbd}>k</kbd> move).
        </div>
      )}
      {error && (
        <Alert severity="error" title="Review API error" className={styles.alert} data-testid="review-error">
          {error}
        </Alert>
      )}
      {notice && !error && (
        <div className={styles.notice} role="status" data-testid="review-notice">
          {notice}
        </div>
      )}
      {empty ? (
        <div className={styles.message} role="status" data-testid="review-empty">
          Nothing to review: no prediction of {model} below its confidence limit is waiting for a person.
        </div>
      ) : (
        <div className={styles.scroll}>
          <table className={styles.table} data-testid="review-table">
            <thead>
              <tr>
                <th>Time</th>
                {features.map((f) => (
                  <th key={f}>{f}</th>
                ))}
                <th>Predicted</th>
                <th>Confidence</th>
                <th>Probabilities</th>
              </tr>
            </thead>
            <tbody>
              {state.items.map((item, n) => {
                const selected = n === state.selected;
                return (
                  <tr
                    key={item.event_id}
                    ref={selected ? selectedRow : undefined}
                    className={cx(styles.row, selected && styles.selected)}
                    aria-selected={selected}
                    data-testid="review-row"
                    data-request-id={item.request_id}
                    data-row={item.row}
                  >
                    <td className={styles.time}>{formatTime(item['@timestamp'], timeZone)}</td>
                    {features.map((f) => (
                      <td key={f} className={styles.num}>
                        {formatFeature(item.features?.[f])}
                      </td>
                    ))}
                    <td data-testid="review-predicted">{item.predicted ?? '—'}</td>
                    <td className={styles.num}>{formatShare(item.confidence)}</td>
                    <td className={styles.probs}>
                      {state.classes
                        .filter((c) => item.probabilities?.[c] !== undefined)
                        .map((c) => (
                          <span
                            key={c}
                            className={cx(
                              styles.prob,
                              c === item.predicted && styles.predicted,
                              selected && state.picked === c && styles.picked
                            )}
                            data-testid={selected && state.picked === c ? 'review-picked' : undefined}
                          >
                            {c} {formatShare(item.probabilities?.[c])}
                          </span>
                        ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <div className={styles.footer}>
        <span data-testid="review-page">
          Page {pageNumber} · {state.items.length} waiting{state.next ? ' · older rows on the next page' : ''}
        </span>
        <Button
          size="sm"
          variant="secondary"
          disabled={pageNumber < 2 || loading}
          onClick={() => void load(state.pages[state.pages.length - 2])}
        >
          Newer
        </Button>
        <Button
          size="sm"
          variant="secondary"
          disabled={state.next === null || loading}
          onClick={() => void load(state.next)}
        >
          Older
        </Button>
        <Button size="sm" variant="secondary" icon="sync" disabled={loading} onClick={() => void load(null)}>
          Newest
        </Button>
      </div>
    </div>
  );
}

function formatTime(iso: string, timeZone?: string): string {
  return formatInTimeZone(iso, timeZone, {
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
    padding: theme.spacing(0.5),
    overflow: 'hidden',
    outline: 'none',
    '&:focus-visible': { boxShadow: `inset 0 0 0 1px ${theme.colors.primary.border}` },
  }),
  bar: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), minHeight: theme.spacing(3) }),
  classes: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5), flex: 1 }),
  classChip: css({
    fontSize: theme.typography.bodySmall.fontSize,
    padding: theme.spacing(0, 0.75),
    borderRadius: theme.shape.radius.default,
    border: `1px solid ${theme.colors.border.weak}`,
    color: theme.colors.text.primary,
  }),
  kbd: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    padding: theme.spacing(0, 0.5),
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.medium}`,
    color: theme.colors.text.primary,
  }),
  help: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary }),
  notice: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.success.text }),
  alert: css({ margin: 0 }),
  message: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    flex: 1,
    padding: theme.spacing(2),
    textAlign: 'center',
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  scroll: css({ flex: 1, overflow: 'auto', minHeight: 0 }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.primary,
    'th, td': {
      padding: theme.spacing(0.25, 0.75),
      textAlign: 'left',
      whiteSpace: 'nowrap',
      borderBottom: `1px solid ${theme.colors.border.weak}`,
    },
    th: {
      position: 'sticky',
      top: 0,
      background: theme.colors.background.primary,
      color: theme.colors.text.secondary,
      fontWeight: theme.typography.fontWeightMedium,
    },
  }),
  row: css({ cursor: 'default' }),
  selected: css({
    background: theme.colors.action.selected,
    boxShadow: `inset 3px 0 0 ${theme.colors.primary.main}`,
  }),
  time: css({ color: theme.colors.text.secondary }),
  num: css({ fontVariantNumeric: 'tabular-nums' }),
  probs: css({ '& > span + span': { marginLeft: theme.spacing(0.75) } }),
  prob: css({ color: theme.colors.text.secondary }),
  predicted: css({ color: theme.colors.text.primary, fontWeight: theme.typography.fontWeightMedium }),
  picked: css({
    color: theme.colors.primary.contrastText,
    background: theme.colors.primary.main,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0, 0.5),
  }),
  footer: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    '& > span': { flex: 1 },
  }),
});
