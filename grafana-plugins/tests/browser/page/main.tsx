/**
 * The browser-suite page: mounts one panel with the real @grafana/ui, the real theme and the real HTTP client
 * (getBackendSrv → the test server, which plays Grafana's app-plugin proxy). Chosen by the URL:
 *   ?panel=confusionmatrix|drift|retrain|review&theme=dark|light&w=640&h=420&role=Editor&classes=3&norm=column&estimated=only|both
 *   (review: &model=iris&pageSize=50)
 * Grafana normally provides getBackendSrv, app events and the boot config; this page provides the minimum.
 */
import React from 'react';
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { from, type Observable } from 'rxjs';
import { createTheme, EventBusSrv, type DataFrame } from '@grafana/data';
import {
  config,
  setAppEvents,
  setBackendSrv,
  type BackendSrv,
  type BackendSrvRequest,
  type FetchResponse,
} from '@grafana/runtime';
import { ThemeContext } from '@grafana/ui';
import { ConfusionMatrixPanel } from '../../../src/confusionmatrix/components/ConfusionMatrixPanel';
import { DriftPanel } from '../../../src/drift/components/DriftPanel';
import { RetrainPanel } from '../../../src/retrain/components/RetrainPanel';
import { ReviewPanel } from '../../../src/review/components/ReviewPanel';
import { DEFAULT_OPTIONS, type ConfusionMatrixOptions } from '../../../src/confusionmatrix/types';
import { DEFAULT_DRIFT_OPTIONS } from '../../../src/drift/types';
import { DEFAULT_RETRAIN_OPTIONS } from '../../../src/retrain/types';
import { DEFAULT_REVIEW_OPTIONS } from '../../../src/review/types';
import { panelProps } from '../../../src/test-utils/panel-props';
import { IRIS, instantFrames, manyClasses, tableFrame } from '../../../src/data/test-frames';

declare global {
  interface Window {
    __plumbline: { renderMs?: number; frameMs?: number; ready: boolean };
  }
}

/** Just enough of Grafana's BackendSrv: fetch() relative to the page, errors shaped like FetchError. */
function fetchOnlyBackendSrv(): BackendSrv {
  const doFetch = async <T,>(req: BackendSrvRequest): Promise<FetchResponse<T>> => {
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    let body: string | undefined;
    if (req.data !== undefined) {
      body = JSON.stringify(req.data);
      headers['content-type'] = 'application/json';
    }
    const res = await window.fetch(`/${req.url.replace(/^\/+/, '')}`, { method: req.method ?? 'GET', headers, body });
    const text = await res.text();
    let data: unknown = text;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      // keep text
    }
    const out = {
      data: data as T,
      status: res.status,
      statusText: res.statusText,
      ok: res.ok,
      headers: res.headers,
      redirected: false,
      type: res.type,
      url: res.url,
      config: req,
    } as FetchResponse<T>;
    if (!res.ok) {
      throw { status: res.status, statusText: res.statusText, data, config: req };
    }
    return out;
  };
  return {
    fetch: <T,>(req: BackendSrvRequest): Observable<FetchResponse<T>> => from(doFetch<T>(req)),
  } as unknown as BackendSrv;
}

const q = new URLSearchParams(window.location.search);
const panel = q.get('panel') ?? 'confusionmatrix';
const mode = q.get('theme') === 'light' ? 'light' : 'dark';
const width = Number(q.get('w') ?? 640);
const height = Number(q.get('h') ?? 420);
const theme = createTheme({ colors: { mode } });

setBackendSrv(fetchOnlyBackendSrv());
setAppEvents(new EventBusSrv());
Object.assign(config.bootData.user, {
  orgRole: q.get('role') ?? 'Editor',
  login: q.get('login') ?? 'alice',
  isGrafanaAdmin: false,
});
config.theme2 = theme;
document.body.style.background = theme.colors.background.canvas;
document.body.style.margin = '0';
window.__plumbline = { ready: false };

/** The estimated matrix (issue #11): iris with fractional expected rows, under the refId the panel reads. */
function estimatedFrames(): DataFrame[] {
  return instantFrames(IRIS.map(([a, p, n]) => [a, p, n === 0 ? 0.4 : n * 0.96 + 0.3] as (typeof IRIS)[number])).map(
    (f) => ({ ...f, refId: 'estimated' })
  );
}

function frames(): DataFrame[] {
  const estimated = q.get('estimated');
  if (estimated === 'only') {
    return estimatedFrames();
  }
  if (estimated === 'both') {
    return [...instantFrames(IRIS), ...estimatedFrames()];
  }
  const classes = Number(q.get('classes') ?? 3);
  if (classes === 3) {
    return instantFrames(IRIS);
  }
  if (classes === 2) {
    return instantFrames([
      ['fraud', 'fraud', 182],
      ['fraud', 'legit', 18],
      ['legit', 'fraud', 41],
      ['legit', 'legit', 9759],
    ]);
  }
  return [tableFrame(manyClasses(classes, q.get('prefix') ?? 'category_long_name_'))];
}

function element(): React.ReactElement {
  switch (panel) {
    case 'drift':
      return (
        <DriftPanel
          {...panelProps({
            options: DEFAULT_DRIFT_OPTIONS,
            width,
            height,
            variables: { model: 'iris', feature: q.get('feature') ?? 'petal_length' },
          })}
        />
      );
    case 'retrain':
      return (
        <RetrainPanel
          {...panelProps({
            options: { ...DEFAULT_RETRAIN_OPTIONS, pollSeconds: 2 },
            width,
            height,
            variables: { model: q.get('model') ?? 'iris' },
          })}
        />
      );
    case 'review':
      return (
        <ReviewPanel
          {...panelProps({
            options: {
              ...DEFAULT_REVIEW_OPTIONS,
              pageSize: Number(q.get('pageSize') ?? DEFAULT_REVIEW_OPTIONS.pageSize),
            },
            width,
            height,
            variables: { model: q.get('model') ?? 'iris' },
          })}
        />
      );
    default: {
      const options: ConfusionMatrixOptions = {
        ...DEFAULT_OPTIONS,
        normalization: (q.get('norm') as ConfusionMatrixOptions['normalization']) ?? 'column',
        topN: Number(q.get('topN') ?? 0),
      };
      return (
        <ConfusionMatrixPanel
          {...panelProps({
            options,
            series: frames(),
            width,
            height,
            fieldConfig: {
              defaults: {
                links: [{ title: 'Open rows in Explore', url: '/explore?actual=${actual}&predicted=${predicted}' }],
              },
              overrides: [],
            },
          })}
        />
      );
    }
  }
}

const host = document.getElementById('root')!;
host.style.width = `${width}px`;
host.style.height = `${height}px`;
host.style.position = 'relative';
host.style.background = theme.colors.background.primary;
// ?warm=1: render (and drop) a small matrix first, as in a dashboard where other panels have already rendered,
// so the timed render below is this panel's own cost rather than React's and Emotion's cold start.
if (q.get('warm') === '1') {
  const scratch = document.createElement('div');
  document.body.appendChild(scratch);
  const warmRoot = createRoot(scratch);
  flushSync(() =>
    warmRoot.render(
      <ThemeContext.Provider value={theme}>
        <ConfusionMatrixPanel
          {...panelProps({ options: DEFAULT_OPTIONS, series: instantFrames(IRIS), width: 300, height: 200 })}
        />
      </ThemeContext.Provider>
    )
  );
  warmRoot.unmount();
  scratch.remove();
}
const root = createRoot(host);
// The frames are built before the clock starts: in Grafana they arrive from the query, ready-made.
const panelElement = element();
const started = performance.now();
// renderMs: flushSync makes React render and commit inside this call (layout effects included: the matrix cells'
// canvas is drawn there), so it is the first render's JavaScript up to a committed DOM.
flushSync(() =>
  root.render(
    <ThemeContext.Provider value={theme}>
      <div style={{ width, height, color: theme.colors.text.primary, fontFamily: theme.typography.fontFamily }}>
        {panelElement}
      </div>
    </ThemeContext.Provider>
  )
);
window.__plumbline.renderMs = performance.now() - started;
// frameMs: until the first frame showing it is produced. A requestAnimationFrame callback runs just before that
// frame's style, layout and paint; a message posted from it is handled right after them (and after the canvas is
// flushed), on the same main thread. Rasterising and compositing on other threads are not included.
requestAnimationFrame(() => {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    window.__plumbline.frameMs = performance.now() - started;
    window.__plumbline.ready = true;
  };
  channel.port2.postMessage(null);
});
