import React, { useCallback, useEffect, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { AppEvents, type GrafanaTheme2, type PanelProps } from '@grafana/data';
import { config, getAppEvents } from '@grafana/runtime';
import {
  Alert,
  Button,
  ConfirmModal,
  Field,
  Spinner,
  TextArea,
  Tooltip,
  usePanelContext,
  useStyles2,
} from '@grafana/ui';
import { usePlumblineClient } from '../../api/client-context';
import type { RetrainResponse, RetrainStatus } from '@plumbline/exporter/retrain-types';
import { PlumblineHttpError } from '../../api/plumbline-client';
import { canTrigger, cooldownLeft, formatDuration, formatWhen, outcomeText } from '../../data/retrain';
import type { RetrainOptions } from '../types';

const MIN_REASON = 3;

function newKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function toast(kind: 'success' | 'error', text: string): void {
  try {
    getAppEvents().publish({
      type: (kind === 'success' ? AppEvents.alertSuccess : AppEvents.alertError).name,
      payload: [text],
    });
  } catch {
    // Outside Grafana (no app event bus): the inline message below is enough.
  }
}

/** A guarded retrain button: Editors only, confirmation with a reason, status polled through Grafana's proxy. */
export function RetrainPanel({ options, width, height, replaceVariables, timeZone }: PanelProps<RetrainOptions>) {
  const styles = useStyles2(getStyles);
  const client = usePlumblineClient();
  const panelContext = usePanelContext();
  const model = replaceVariables(options.model ?? '').trim();
  const user = config.bootData?.user;
  const allowed = canTrigger({
    orgRole: user?.orgRole ?? '',
    isGrafanaAdmin: Boolean(user?.isGrafanaAdmin),
    canExecuteActions: panelContext.canExecuteActions?.(),
  });

  const [status, setStatus] = useState<RetrainStatus | null>(null);
  const [fetchedAt, setFetchedAt] = useState(0);
  const [statusError, setStatusError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [modalOpen, setModalOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const idempotencyKey = useRef(newKey());

  const refresh = useCallback(async () => {
    if (!model || model.startsWith('$')) {
      return;
    }
    try {
      const s = await client.retrainStatus(model);
      setStatus(s);
      setFetchedAt(Date.now());
      setStatusError(null);
    } catch (e) {
      setStatusError(e instanceof Error ? e.message : String(e));
    }
  }, [client, model]);

  useEffect(() => {
    // Fetching on mount: state is set after the awaited response, not synchronously in the effect.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void refresh();
    const every = Math.max(2, options.pollSeconds || 15) * 1000;
    const timer = setInterval(() => void refresh(), every);
    return () => clearInterval(timer);
  }, [refresh, options.pollSeconds]);

  const remaining = cooldownLeft(status, fetchedAt, now);
  useEffect(() => {
    if (remaining <= 0) {
      return;
    }
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [remaining]);

  const openModal = () => {
    idempotencyKey.current = newKey(); // one key per confirmation: a double submit is answered, not re-run
    setReason('');
    setResult(null);
    setModalOpen(true);
  };

  const confirm = async () => {
    setSending(true);
    try {
      const res: RetrainResponse = await client.triggerRetrain({
        model,
        reason: reason.trim(),
        idempotencyKey: idempotencyKey.current,
        requestedBy: user?.login ?? '',
      });
      setResult({ ok: true, text: res.message });
      setStatus(res.status);
      toast('success', res.message);
    } catch (e) {
      const body = e instanceof PlumblineHttpError ? (e.body as Partial<RetrainResponse> | undefined) : undefined;
      if (body?.status) {
        setStatus(body.status);
      }
      const text = e instanceof Error ? e.message : String(e);
      setResult({ ok: false, text });
      toast('error', text);
    } finally {
      setFetchedAt(Date.now());
      setNow(Date.now());
      setSending(false);
      setModalOpen(false);
    }
  };

  const inFlight = sending || Boolean(status?.inFlight);
  const disabledReason = !allowed
    ? 'Only Editors and Admins can trigger retraining.'
    : !model || model.startsWith('$')
      ? 'Set the model in the panel options.'
      : inFlight
        ? 'A retrain is being triggered.'
        : remaining > 0
          ? `Cooldown: ${formatDuration(remaining)} remaining.`
          : null;
  const showButton = allowed || options.viewerMode !== 'hidden';
  const compact = height < 140 || width < 260;

  const button = (
    <Button
      icon={inFlight ? undefined : 'sync'}
      variant="primary"
      disabled={disabledReason !== null}
      onClick={openModal}
      aria-label={`Retrain ${model || 'model'}`}
    >
      {inFlight && <Spinner inline className={styles.spinner} />}
      {inFlight ? 'Triggering…' : `Retrain ${model || 'model'}`}
    </Button>
  );

  return (
    <div className={styles.root} style={{ width, height }} data-testid="retrain-panel">
      {showButton && (disabledReason ? <Tooltip content={disabledReason}>{<span>{button}</span>}</Tooltip> : button)}
      {!allowed && (
        <div className={styles.muted} data-testid="retrain-viewer-note">
          Retraining is limited to Editors and Admins.
        </div>
      )}
      {remaining > 0 && (
        <div className={styles.line} data-testid="retrain-cooldown">
          Cooldown: {formatDuration(remaining)} remaining
        </div>
      )}
      {status?.last ? (
        <div className={styles.line} data-testid="retrain-last">
          Last trigger: {formatWhen(status.last.at, timeZone)} by <b>{status.last.requestedBy}</b> —{' '}
          {outcomeText(status.last)}
          {!compact && <div className={styles.reason}>“{status.last.reason}”</div>}
        </div>
      ) : (
        status && (
          <div className={styles.muted} data-testid="retrain-last">
            Never triggered from Plumbline.
          </div>
        )
      )}
      {statusError && (
        <Alert severity="warning" title="Status unavailable" className={styles.alert}>
          {statusError}
        </Alert>
      )}
      {result && (
        <Alert
          severity={result.ok ? 'success' : 'error'}
          title={result.text}
          className={styles.alert}
          data-testid="retrain-result"
        />
      )}
      <ConfirmModal
        isOpen={modalOpen}
        title={`Retrain ${model}?`}
        body={
          <div>
            <p>
              This starts the retraining pipeline for <b>{model}</b>. Your name and reason go into the audit trail.
            </p>
            <Field label="Reason" description={`Required, at least ${MIN_REASON} characters.`}>
              <TextArea
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
                placeholder="e.g. PSI above 0.2 on petal_length since Monday"
                rows={3}
                aria-label="Reason"
                maxLength={1000}
              />
            </Field>
          </div>
        }
        confirmText={sending ? 'Triggering…' : 'Trigger retraining'}
        confirmVariant="primary"
        disabled={reason.trim().length < MIN_REASON || sending}
        onConfirm={confirm}
        onDismiss={() => setModalOpen(false)}
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    gap: theme.spacing(1),
    padding: theme.spacing(0.5),
    overflow: 'auto',
  }),
  line: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.primary }),
  reason: css({ color: theme.colors.text.secondary, fontStyle: 'italic', wordBreak: 'break-word' }),
  muted: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary }),
  alert: css({ width: '100%', margin: 0 }),
  spinner: css({ marginRight: theme.spacing(1) }),
});
