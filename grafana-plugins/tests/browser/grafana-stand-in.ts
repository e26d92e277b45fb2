/**
 * A real HTTP server that stands in for the parts of Grafana the panels talk to: it serves the test page and plays
 * the app plugin's proxy routes exactly as src/plugin.json declares them — `retrain` (POST, Editor+) and
 * `retrain/status` (GET) forwarded to the real retrain endpoint with `Authorization: Bearer <token>` added
 * server-side and the user in X-Grafana-User. The exporter routes (`exporter/*` to an exporter-shaped JSON
 * server, and the review routes `models/*`) are played from src/plugin.json itself, the way Grafana's plugin proxy applies a route:
 * method and path pattern (`*` takes the rest, appended to the url), reqRole, the url and headers templated from
 * jsonData / secureJsonData, and X-Grafana-User set to the signed-in login ([dataproxy] send_user_header).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listenLoopback } from '@plumbline/harness';
import type { ReviewApiStandIn } from './review-api-stand-in';
import { driftFeature, driftReportBody, PETAL_LENGTH_TESTS, REGION_TESTS } from '../../src/test-utils/exporter-drift';

const APP = '/api/plugin-proxy/plumbline-mlobservability-app/';

export interface StandIn {
  url: string;
  /** The signed-in user Grafana would know (role gates the POST route like `reqRole: Editor`). */
  user: { login: string; role: 'Viewer' | 'Editor' | 'Admin' };
  /** Requests that reached the proxy routes: method + path. */
  proxied: string[];
  close(): Promise<void>;
}

const ROLE_RANK = { Viewer: 1, Editor: 2, Admin: 3 } as const;

interface AppRoute {
  path: string;
  method: string;
  url: string;
  reqRole?: keyof typeof ROLE_RANK;
  headers?: Array<{ name: string; content: string }>;
}

const appRoutes: AppRoute[] = JSON.parse(readFileSync(join(__dirname, '../../src/plugin.json'), 'utf8')).routes;

/** `{{ .JsonData.x }}` / `{{ .SecureJsonData.x }}` as Grafana's route templates fill them. */
function template(text: string, data: { JsonData: Record<string, string>; SecureJsonData: Record<string, string> }) {
  return text.replace(
    /\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g,
    (_, kind: keyof typeof data, key: string) => {
      return data[kind][key] ?? '';
    }
  );
}

/** The first route of plugin.json whose method and path pattern match, and the part `*` took. */
function matchRoute(method: string, rest: string): { route: AppRoute; tail: string } | null {
  for (const route of appRoutes) {
    if (route.method !== method) {
      continue;
    }
    if (route.path.endsWith('/*') ? rest.startsWith(route.path.slice(0, -1)) : rest === route.path) {
      return { route, tail: route.path.endsWith('/*') ? rest.slice(route.path.length - 1) : '' };
    }
  }
  return null;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

export async function startGrafanaStandIn(options: {
  pageDir: string;
  retrainUrl: string;
  retrainToken: string;
  exporterUrl: string;
}): Promise<StandIn> {
  const proxied: string[] = [];
  const user: StandIn['user'] = { login: 'alice', role: 'Editor' };

  async function forward(req: IncomingMessage, res: ServerResponse, target: string, headers: Record<string, string>) {
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    const upstream = await fetch(target, {
      method: req.method,
      headers: {
        ...headers,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(req.headers['idempotency-key'] ? { 'idempotency-key': String(req.headers['idempotency-key']) } : {}),
      },
      body: body?.toString('utf8'),
    });
    const text = await upstream.text();
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(text);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname;
    const run = async () => {
      if (path === '/' || path === '/index.html' || path === '/bundle.js') {
        const file = path === '/bundle.js' ? 'bundle.js' : 'index.html';
        res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' });
        res.end(readFileSync(join(options.pageDir, file)));
        return;
      }
      if (!path.startsWith(APP)) {
        res.writeHead(404);
        res.end();
        return;
      }
      const rest = path.slice(APP.length);
      proxied.push(`${req.method} ${rest}${url.search}`);
      const auth = { authorization: `Bearer ${options.retrainToken}`, 'x-grafana-user': user.login };
      if (rest === 'retrain/status' && req.method === 'GET') {
        await forward(req, res, `${options.retrainUrl}/status${url.search}`, auth);
      } else if (rest === 'retrain' && req.method === 'POST') {
        if (ROLE_RANK[user.role] < ROLE_RANK.Editor) {
          res.writeHead(403, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: 'Access denied' }));
          return;
        }
        await forward(req, res, options.retrainUrl, auth);
      } else if (rest.startsWith('models/') || rest.startsWith('exporter/')) {
        const matched = matchRoute(req.method ?? 'GET', rest);
        if (!matched) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: 'plugin route match not found' }));
          return;
        }
        if (ROLE_RANK[user.role] < ROLE_RANK[matched.route.reqRole ?? 'Viewer']) {
          res.writeHead(403, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: 'plugin proxy route access denied' }));
          return;
        }
        const data = {
          JsonData: { exporterUrl: options.exporterUrl, retrainUrl: options.retrainUrl },
          SecureJsonData: { retrainToken: options.retrainToken },
        };
        const headers: Record<string, string> = { 'x-grafana-user': user.login };
        for (const h of matched.route.headers ?? []) {
          headers[h.name.toLowerCase()] = template(h.content, data);
        }
        await forward(req, res, `${template(matched.route.url, data)}/${matched.tail}${url.search}`, headers);
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Plugin route not found' }));
      }
    };
    run().catch((err: unknown) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `Bad Gateway: ${String(err)}` }));
    });
  });
  const { url, close } = await listenLoopback(server);
  return { url, user, proxied, close };
}

/** Answers like the exporter's /api/models/:model/drift and /histograms (shapes from exporter/src/api/server.ts). */
export async function startExporterApiStandIn(
  review?: ReviewApiStandIn
): Promise<{ url: string; close(): Promise<void> }> {
  const drift = driftReportBody({
    window: { start: '2026-11-23T09:00:00.000Z', end: '2026-11-23T10:00:00.000Z' },
    driftShare: 0.5,
    features: [
      driftFeature('petal_length', 'numerical', [150, 600], PETAL_LENGTH_TESTS),
      driftFeature('region', 'categorical', [150, 600], REGION_TESTS),
    ],
  });
  const edges = [1, 1.6, 2.2, 2.8, 3.4, 4, 4.6, 5.2, 5.8, 6.4, 7];
  const histograms = {
    model: 'iris',
    features: [
      {
        name: 'petal_length',
        type: 'numerical',
        drift: true,
        histogram: {
          edges,
          reference: [0.2, 0.13, 0.0, 0.01, 0.07, 0.15, 0.17, 0.14, 0.08, 0.05],
          current: [0.02, 0.03, 0.0, 0.01, 0.04, 0.08, 0.15, 0.24, 0.25, 0.18],
        },
      },
      {
        name: 'region',
        type: 'categorical',
        drift: false,
        histogram: {
          categories: ['eu-west', 'us-east', 'ap-south'],
          reference: [0.5, 0.35, 0.15],
          current: [0.48, 0.37, 0.15],
        },
      },
    ],
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://exporter');
    if (review && /\/review$/.test(url.pathname)) {
      review.handle(req, res, url).then(
        (done) => {
          if (!done) {
            res.writeHead(404);
            res.end();
          }
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'EXPORTER_ERR_INTERNAL', message: String(err) } }));
        }
      );
      return;
    }
    const m = /^\/api\/models\/([^/]+)\/(drift|histograms)$/.exec(url.pathname);
    if (!m || decodeURIComponent(m[1]) !== 'iris') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'EXPORTER_ERR_NOT_FOUND', message: `no report for ${url.pathname}` } }));
      return;
    }
    const feature = url.searchParams.get('feature');
    const body =
      m[2] === 'drift'
        ? drift
        : { ...histograms, features: histograms.features.filter((f) => !feature || f.name === feature) };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  const { url, close } = await listenLoopback(server);
  return { url, close };
}
