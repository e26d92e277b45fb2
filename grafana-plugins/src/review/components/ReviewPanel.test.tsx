import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { config } from '@grafana/runtime';
import { ReviewPanel } from './ReviewPanel';
import { PlumblineClientProvider } from '../../api/client-context';
import { PlumblineHttpError } from '../../api/plumbline-client';
import { panelProps } from '../../test-utils/panel-props';
import { recordingClient, type RecordingClient } from '../../test-utils/recording-client';
import { DEFAULT_REVIEW_OPTIONS, type ReviewOptions, type ReviewQueueItem } from '../types';

jest.setTimeout(20_000);

const item = (n: number, predicted = 'legit'): ReviewQueueItem => ({
  event_id: `e${n}`,
  request_id: `r${n}`,
  row: 0,
  '@timestamp': '2026-11-23T10:00:00.000Z',
  model_version: 'v1',
  features: { amount: n },
  predicted,
  confidence: 0.55,
  probabilities: { fraud: 0.45, legit: 0.55 },
});

function renderPanel(client: RecordingClient, options: Partial<ReviewOptions> = {}, model = 'fraud') {
  Object.assign(config.bootData.user, { orgRole: 'Editor', login: 'alice', isGrafanaAdmin: false });
  return render(
    <PlumblineClientProvider client={client}>
      <ReviewPanel {...panelProps({ options: { ...DEFAULT_REVIEW_OPTIONS, ...options }, variables: { model } })} />
    </PlumblineClientProvider>
  );
}

const panel = () => screen.getByTestId('review-panel');

describe('ReviewPanel', () => {
  it('asks for the queue with the options as query parts', async () => {
    const queries: unknown[] = [];
    const client = recordingClient({
      queue: async (_model, query) => {
        queries.push(query);
        return { items: [item(1)], next: null };
      },
    });
    renderPanel(client, { pageSize: 20, classFilter: 'fraud', maxConfidence: 0.7 });
    await screen.findAllByTestId('review-row');
    expect(queries).toEqual([{ limit: 20, before: null, class: 'fraud', maxConfidence: 0.7 }]);
  });

  it('shows a refused write with the API message and keeps the row', async () => {
    const client = recordingClient({
      queue: async () => ({ items: [item(1), item(2)], next: null }),
      review: async () => {
        throw new PlumblineHttpError(
          401,
          'review writes need Authorization: Bearer <token> (EXPORTER_ERR_UNAUTHORIZED)',
          null
        );
      },
    });
    renderPanel(client);
    await screen.findAllByTestId('review-row');
    fireEvent.keyDown(panel(), { key: 'Enter' });
    expect(await screen.findByTestId('review-error')).toHaveTextContent(
      'review writes need Authorization: Bearer <token> (EXPORTER_ERR_UNAUTHORIZED)'
    );
    expect(screen.getAllByTestId('review-row')).toHaveLength(2);
    expect(client.reviews).toEqual([{ model: 'fraud', body: { request_id: 'r1', row: 0, action: 'confirm' } }]);
  });

  it('sends one review per key press while a write is in flight, and ignores keys typed into inputs', async () => {
    let release: () => void = () => {};
    const client = recordingClient({
      queue: async () => ({ items: [item(1), item(2)], next: null }),
      review: () =>
        new Promise((resolve) => {
          release = () => resolve({ changed: true, label: { kind: 'rejected', label: null, label_source: null } });
        }),
    });
    renderPanel(client);
    await screen.findAllByTestId('review-row');
    fireEvent.keyDown(panel(), { key: 'r' });
    fireEvent.keyDown(panel(), { key: 'r' }); // a second press while the first is on its way: dropped
    expect(client.reviews).toHaveLength(1);
    release();
    await waitFor(() => expect(screen.getAllByTestId('review-row')).toHaveLength(1));
    const input = document.createElement('input');
    panel().appendChild(input);
    fireEvent.keyDown(input, { key: 'r' });
    expect(client.reviews).toHaveLength(1);
  });

  it('refills an emptied page from the same cursor', async () => {
    const befores: unknown[] = [];
    let served = 0;
    const client = recordingClient({
      queue: async (_model, query) => {
        befores.push(query.before);
        served += 1;
        return served === 1 ? { items: [item(1)], next: 'c1' } : { items: [item(3)], next: null };
      },
      review: async () => ({ changed: true, label: { kind: 'label', label: 'legit', label_source: 'human' } }),
    });
    renderPanel(client);
    await screen.findAllByTestId('review-row');
    fireEvent.keyDown(panel(), { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('review-row')).toHaveAttribute('data-request-id', 'r3'));
    expect(befores).toEqual([null, null]);
  });

  it('after emptying the last of several pages, starts again from the newest', async () => {
    const befores: unknown[] = [];
    const client = recordingClient({
      queue: async (_model, query) => {
        befores.push(query.before);
        if (query.before === null) {
          return befores.length === 1 ? { items: [item(1)], next: 'c1' } : { items: [item(1)], next: null };
        }
        return befores.length === 2 ? { items: [item(2)], next: null } : { items: [], next: null };
      },
      review: async () => ({ changed: true, label: { kind: 'label', label: 'legit', label_source: 'human' } }),
    });
    renderPanel(client);
    await screen.findAllByTestId('review-row');
    fireEvent.keyDown(panel(), { key: 'j' }); // past the last row: page 2
    await waitFor(() => expect(screen.getByTestId('review-row')).toHaveAttribute('data-request-id', 'r2'));
    fireEvent.keyDown(panel(), { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('review-page')).toHaveTextContent(/^Page 1 · 1 waiting$/));
    expect(befores).toEqual([null, 'c1', 'c1', null]);
  });

  it('starts a fresh queue for another model: nothing left to undo there', async () => {
    const client = recordingClient({
      queue: async (model) => ({ items: [item(model === 'fraud' ? 1 : 7)], next: null }),
      review: async () => ({ changed: true, label: { kind: 'label', label: 'legit', label_source: 'human' } }),
    });
    const view = renderPanel(client);
    await screen.findAllByTestId('review-row');
    fireEvent.keyDown(panel(), { key: 'Enter' });
    await waitFor(() => expect(client.reviews).toHaveLength(1));
    view.rerender(
      <PlumblineClientProvider client={client}>
        <ReviewPanel {...panelProps({ options: DEFAULT_REVIEW_OPTIONS, variables: { model: 'churn' } })} />
      </PlumblineClientProvider>
    );
    await waitFor(() => expect(screen.getByTestId('review-row')).toHaveAttribute('data-request-id', 'r7'));
    fireEvent.keyDown(panel(), { key: 'u' });
    expect(client.reviews).toEqual([{ model: 'fraud', body: { request_id: 'r1', row: 0, action: 'confirm' } }]);
  });

  it('asks for the model while the variable is unset', () => {
    renderPanel(recordingClient({}), {}, '$model');
    expect(panel()).toHaveTextContent('Set the model in the panel options.');
  });
});
