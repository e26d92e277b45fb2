// Every plugin.json in this workspace validates against Grafana's plugin schema (schema/plugin.schema.json, a
// verbatim copy; see schema/SOURCE.md), and the ids and routes follow what the panels rely on.
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const schema = JSON.parse(readFileSync(join(root, 'schema/plugin.schema.json'), 'utf8'));
const files = [
  'src/plugin.json',
  'src/confusionmatrix/plugin.json',
  'src/drift/plugin.json',
  'src/retrain/plugin.json',
  'src/review/plugin.json',
];
const load = (f: string) => JSON.parse(readFileSync(join(root, f), 'utf8'));

describe('plugin.json', () => {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
  const validate = ajv.compile(schema);

  it.each(files)('%s validates against Grafana plugin.schema.json', (file) => {
    const ok = validate(load(file));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects what Grafana would reject (the schema is really applied)', () => {
    expect(validate({ ...load('src/plugin.json'), id: 'plumbline-ml-observability-app' })).toBe(false);
    expect(validate({ ...load('src/retrain/plugin.json'), info: { version: '1.0.0' } })).toBe(false);
  });

  it('uses the agreed ids', () => {
    expect(files.map((f) => load(f).id)).toEqual([
      'plumbline-mlobservability-app',
      'plumbline-confusionmatrix-panel',
      'plumbline-drift-panel',
      'plumbline-retrain-panel',
      'plumbline-review-panel',
    ]);
  });

  it('guards the retrain route: Editor role, token from secureJsonData, URL from jsonData only', () => {
    const routes: Array<Record<string, any>> = load('src/plugin.json').routes;
    const post = routes.find((r) => r.path === 'retrain')!;
    expect(post).toMatchObject({
      method: 'POST',
      reqRole: 'Editor',
      reqSignedIn: true,
      url: '{{ .JsonData.retrainUrl }}',
    });
    expect(post.headers).toEqual([{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.retrainToken }}' }]);
    const status = routes.find((r) => r.path === 'retrain/status')!;
    expect(status).toMatchObject({ method: 'GET', reqRole: 'Viewer' });
    // The more specific route comes first so a status GET never matches the POST route.
    expect(routes.indexOf(status)).toBeLessThan(routes.indexOf(post));
    for (const r of routes) {
      expect(r.url).toMatch(/^\{\{ \.JsonData\.\w+ \}\}/);
    }
  });

  it('guards the review route: GET for Viewers, POST for Editors, the token added server-side, the user by Grafana', () => {
    const app = load('src/plugin.json');
    const routes: Array<Record<string, any>> = app.routes;
    const review = routes.filter((r) => r.path === 'models/*');
    // Grafana matches app routes as patterns (`*` takes the rest of the path, appended to the url), so a panel call
    // to models/iris/review reaches <exporterUrl>/api/models/iris/review.
    expect(review.map((r) => r.method).sort()).toEqual(['GET', 'POST']);
    for (const r of review) {
      expect(r).toMatchObject({ url: '{{ .JsonData.exporterUrl }}/api/models', reqSignedIn: true });
      expect(r.reqRole).toBe(r.method === 'POST' ? 'Editor' : 'Viewer');
      // The bearer token comes from secureJsonData only (never jsonData, which every Viewer can read).
      expect(r.headers).toEqual([{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.retrainToken }}' }]);
      // The reviewer is never a route header: Grafana's proxy sets X-Grafana-User from the signed-in user
      // ([dataproxy] send_user_header) and drops any the browser sent; route templates know no user fields.
      expect(JSON.stringify(r)).not.toMatch(/X-Grafana-User|SignedInUser/i);
    }
    // No other route takes POST to the exporter, and no route takes any other write method.
    expect(routes.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['retrain', 'models/*']);
    expect(routes.every((r) => r.method === 'GET' || r.method === 'POST')).toBe(true);
    expect(app.includes).toEqual(expect.arrayContaining([{ type: 'panel', name: 'Review queue' }]));
  });

  it('every path the panels call matches a route the way Grafana matches app routes', () => {
    // Grafana (pkg/api/pluginproxy) matches an app route's path as a pattern over the whole proxied path: static
    // segments must be equal, a trailing `*` takes the rest (appended to the route's url), and the first route
    // whose method and pattern match wins. A static path never matches a longer one.
    const routes: Array<Record<string, any>> = load('src/plugin.json').routes;
    const matches = (pattern: string, path: string): string | null => {
      const [p, u] = [pattern.split('/'), path.split('/')];
      for (let i = 0; i < p.length; i++) {
        if (p[i] === '*' && i === p.length - 1) {
          return u.length > i ? u.slice(i).join('/') : null;
        }
        if (u[i] !== p[i]) {
          return null;
        }
      }
      return u.length === p.length ? '' : null;
    };
    const route = (method: string, path: string) => {
      for (const r of routes) {
        const rest = r.method === method ? matches(r.path, path) : null;
        if (rest !== null) {
          return { path: r.path, url: `${r.url}${rest ? `/${rest}` : ''}`, reqRole: r.reqRole };
        }
      }
      return null;
    };
    expect(route('GET', 'retrain/status')).toMatchObject({ path: 'retrain/status', reqRole: 'Viewer' });
    expect(route('POST', 'retrain')).toMatchObject({ path: 'retrain', reqRole: 'Editor' });
    expect(route('GET', 'models/iris/review')).toEqual({
      path: 'models/*',
      url: '{{ .JsonData.exporterUrl }}/api/models/iris/review',
      reqRole: 'Viewer',
    });
    expect(route('POST', 'models/iris/review')).toMatchObject({ path: 'models/*', reqRole: 'Editor' });
    expect(route('PUT', 'models/iris/review')).toBeNull();
    expect(route('GET', 'models')).toBeNull();
    // Regression: the drift panel's calls (exporter/api/models/<m>/drift) matched no route while it was the static
    // path `exporter`: Grafana answered 404 "plugin route match not found".
    expect(route('GET', 'exporter/api/models/iris/drift')).toEqual({
      path: 'exporter/*',
      url: '{{ .JsonData.exporterUrl }}/api/models/iris/drift',
      reqRole: 'Viewer',
    });
  });
});
