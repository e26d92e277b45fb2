import React from 'react';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { config } from '@grafana/runtime';
import { RetrainPanel } from './RetrainPanel';
import { PlumblineClientProvider } from '../../api/client-context';
import type { RetrainStatus } from '@plumbline/exporter/retrain-types';
import { PlumblineHttpError } from '../../api/plumbline-client';
import { panelProps } from '../../test-utils/panel-props';
import { recordingClient, type RecordingClient } from '../../test-utils/recording-client';
import { DEFAULT_RETRAIN_OPTIONS, type RetrainOptions } from '../types';

// @grafana/ui's modal renders slowly on a loaded 2-core CI machine; nothing here measures time.
jest.setTimeout(20_000);

const idle: RetrainStatus = {
  model: 'iris',
  cooldownSeconds: 3600,
  cooldownRemainingSeconds: 0,
  inFlight: false,
  last: null,
};
const last = {
  requestId: 'r1',
  idempotencyKey: null,
  model: 'iris',
  requestedBy: 'alice',
  reason: 'PSI 0.31 on petal_length',
  at: '2026-11-23T09:00:00.000Z',
  outcome: 'triggered' as const,
  webhookStatus: 204,
  detail: '',
};

function setUser(orgRole: string, login = 'alice') {
  Object.assign(config.bootData.user, { orgRole, login, isGrafanaAdmin: false });
}

function renderPanel(client: RecordingClient, options: Partial<RetrainOptions> = {}) {
  return render(
    <PlumblineClientProvider client={client}>
      <RetrainPanel
        {...panelProps({ options: { ...DEFAULT_RETRAIN_OPTIONS, ...options }, variables: { model: 'iris' } })}
      />
    </PlumblineClientProvider>
  );
}

describe('RetrainPanel', () => {
  it('lets an Editor confirm with a reason, sends it with an idempotency key and shows the result', async () => {
    setUser('Editor', 'bob');
    const client = recordingClient({
      status: async () => idle,
      trigger: async (input) => ({
        outcome: 'triggered',
        requestId: 'r2',
        message: 'Retraining pipeline triggered.',
        status: {
          ...idle,
          cooldownRemainingSeconds: 3600,
          last: { ...last, requestedBy: 'bob', reason: input.reason },
        },
      }),
    });
    const user = userEvent.setup();
    renderPanel(client);
    expect(await screen.findByText('Never triggered from Plumbline.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Retrain iris' }));
    const confirm = screen.getByRole('button', { name: 'Trigger retraining' });
    expect(confirm).toBeDisabled();
    fireEvent.change(screen.getByRole('textbox', { name: 'Reason' }), {
      target: { value: 'accuracy below 0.9 since Monday' },
    });
    await user.click(confirm);
    expect(await screen.findByTestId('retrain-result')).toHaveTextContent('Retraining pipeline triggered.');
    expect(client.triggers).toEqual([
      {
        model: 'iris',
        reason: 'accuracy below 0.9 since Monday',
        idempotencyKey: expect.any(String),
        requestedBy: 'bob',
      },
    ]);
    expect(screen.getByTestId('retrain-last')).toHaveTextContent('by bob — pipeline started (HTTP 204)');
    expect(screen.getByTestId('retrain-cooldown')).toHaveTextContent('Cooldown: 1h 00m remaining');
    expect(screen.getByRole('button', { name: 'Retrain iris' })).toBeDisabled();
  });

  it('shows the server refusal (cooldown) and the status it carries', async () => {
    setUser('Admin');
    const refusal = {
      outcome: 'cooldown',
      requestId: 'r3',
      message: 'Model iris was retrained recently; try again in 540s.',
      status: { ...idle, cooldownRemainingSeconds: 540, last },
    };
    const client = recordingClient({
      status: async () => idle,
      trigger: async () => {
        throw new PlumblineHttpError(429, refusal.message, refusal);
      },
    });
    const user = userEvent.setup();
    renderPanel(client);
    await user.click(await screen.findByRole('button', { name: 'Retrain iris' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Reason' }), { target: { value: 'again' } });
    await user.click(screen.getByRole('button', { name: 'Trigger retraining' }));
    expect(await screen.findByTestId('retrain-result')).toHaveTextContent('try again in 540s');
    expect(screen.getByTestId('retrain-cooldown')).toHaveTextContent('9m 00s');
  });

  it('gives Viewers a disabled button (or none) and never calls the trigger', async () => {
    setUser('Viewer');
    const client = recordingClient({ status: async () => ({ ...idle, last }) });
    const { unmount } = renderPanel(client);
    expect(await screen.findByTestId('retrain-last')).toHaveTextContent('by alice — pipeline started (HTTP 204)');
    expect(screen.getByRole('button', { name: 'Retrain iris' })).toBeDisabled();
    expect(screen.getByTestId('retrain-viewer-note')).toBeInTheDocument();
    unmount();
    renderPanel(client, { viewerMode: 'hidden' });
    await screen.findByTestId('retrain-last');
    expect(screen.queryByRole('button', { name: 'Retrain iris' })).toBeNull();
    expect(client.triggers).toHaveLength(0);
  });

  it('polls the status and reports when it is unavailable', async () => {
    jest.useFakeTimers();
    setUser('Editor');
    let calls = 0;
    const client = recordingClient({
      status: async () => {
        calls++;
        if (calls === 1) {
          throw new PlumblineHttpError(502, 'Grafana could not reach the Plumbline service', null);
        }
        return { ...idle, inFlight: true };
      },
    });
    renderPanel(client, { pollSeconds: 5 });
    expect(await screen.findByText('Grafana could not reach the Plumbline service')).toBeInTheDocument();
    await act(async () => {
      jest.advanceTimersByTime(5000);
    });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Retrain iris' })).toHaveTextContent('Triggering…'));
    jest.useRealTimers();
  });
});
