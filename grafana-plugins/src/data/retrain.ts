/** Pure helpers of the retrain panel: who may click, and how status reads. */
import type { RetrainAuditEvent, RetrainStatus } from '@plumbline/exporter/retrain-types';
import { formatInTimeZone } from './time-zone';

/** "1h 02m", "9m 12s", "45s". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.ceil(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) {
    return `${h}h ${String(m).padStart(2, '0')}m`;
  }
  if (m > 0) {
    return `${m}m ${String(sec).padStart(2, '0')}s`;
  }
  return `${sec}s`;
}

export interface Viewer {
  /** Grafana org role: 'Viewer' | 'Editor' | 'Admin' | 'None' | ''. */
  orgRole: string;
  isGrafanaAdmin: boolean;
  /** PanelContext.canExecuteActions (false in public / snapshot dashboards). */
  canExecuteActions?: boolean;
}

/** Editors and Admins may trigger (Grafana enforces the same with the route's reqRole; this only shapes the UI). */
export function canTrigger(viewer: Viewer): boolean {
  if (viewer.canExecuteActions === false) {
    return false;
  }
  return viewer.isGrafanaAdmin || viewer.orgRole === 'Editor' || viewer.orgRole === 'Admin';
}

/** Seconds of cooldown left at `nowMs`, counting down from the status fetched at `fetchedAtMs`. */
export function cooldownLeft(status: RetrainStatus | null, fetchedAtMs: number, nowMs: number): number {
  if (!status) {
    return 0;
  }
  // The panel's clock may read earlier than the fetch time (state set in a different tick): never count up.
  const elapsed = Math.max(0, Math.floor((nowMs - fetchedAtMs) / 1000));
  return Math.max(0, status.cooldownRemainingSeconds - elapsed);
}

const OUTCOME_TEXT: Record<RetrainAuditEvent['outcome'], string> = {
  triggered: 'pipeline started',
  failed: 'failed',
  cooldown: 'refused (cooldown)',
  duplicate: 'duplicate',
  unauthorized: 'unauthorized',
};

export function outcomeText(event: RetrainAuditEvent): string {
  const http = event.webhookStatus ? ` (HTTP ${event.webhookStatus})` : '';
  return `${OUTCOME_TEXT[event.outcome] ?? event.outcome}${http}`;
}

/** "2026-11-23 10:00 UTC" in the dashboard's time zone when given, else UTC. */
export function formatWhen(iso: string, timeZone?: string): string {
  return formatInTimeZone(iso, timeZone, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
}
