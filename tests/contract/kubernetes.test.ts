/**
 * examples/kubernetes: every object validates against the Kubernetes JSON schemas (kubernetes-models, schemas
 * shipped in the npm package — nothing downloaded), and the parts agree with each other: selectors match pod labels,
 * Service targetPorts and probe ports name container ports, scrape annotations point at a container port that
 * serves /metrics under a job name the alert rules use, the sidecar's upstream is the model container's port, and
 * every PLUMBLINE_* variable is one the code reads. The scrape config passes `promtool check config`.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import type { IContainer } from 'kubernetes-models/v1/Container';

const ROOT = path.join(__dirname, '..', '..');
const DIR = path.join(ROOT, 'examples/kubernetes');

const MODELS = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
} as const;

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

const objects: { file: string; obj: Obj }[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(DIR, file), 'utf8')).map((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      return { file, obj: doc.toJSON() as Obj };
    }),
  );

const deployments = objects.filter((o) => o.obj.kind === 'Deployment').map((o) => o.obj);
const podSpec = (d: Obj) =>
  (
    d.spec as {
      template: {
        metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
        spec: { containers: IContainer[] };
      };
    }
  ).template;

test('the example has a model Deployment with the sidecar as second container, Services and a scrape config', () => {
  expect(objects.map((o) => `${o.obj.kind}/${o.obj.metadata.name}`)).toEqual(
    expect.arrayContaining([
      'Deployment/iris',
      'Service/iris',
      'Deployment/plumbline-exporter',
      'ConfigMap/prometheus-plumbline',
    ]),
  );
  expect(
    podSpec(deployments.find((d) => d.metadata.name === 'iris')!).spec.containers.map((c) => c.name),
  ).toEqual(['model', 'plumbline-sidecar']);
});

describe.each(objects.map((o) => [`${o.file}: ${o.obj.kind}/${o.obj.metadata.name}`, o.obj] as const))(
  '%s',
  (_, obj) => {
    test('validates against the Kubernetes schema', () => {
      const Model = MODELS[`${obj.apiVersion}/${obj.kind}` as keyof typeof MODELS];
      expect(Model).toBeDefined();
      expect(() => new Model(obj as never).validate()).not.toThrow();
    });
  },
);

test('the schema validator rejects a broken object (so the tests above can fail)', () => {
  const broken = JSON.parse(JSON.stringify(deployments[0])) as Obj;
  (podSpec(broken).spec.containers[0].ports![0] as { containerPort: unknown }).containerPort = 'http';
  expect(() => new Deployment(broken as never).validate()).toThrow(/containerPort must be integer/);
});

describe.each(deployments.map((d) => [d.metadata.name, d] as const))('Deployment %s', (name, d) => {
  const template = podSpec(d);
  const containers = template.spec.containers;
  const portNames = new Map(
    containers.flatMap((c) => (c.ports ?? []).map((p) => [p.name!, p.containerPort])),
  );
  const portNumbers = new Set(portNames.values());

  test('its selector matches the pod labels, and a Service routes to a named container port', () => {
    const selector = (d.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    expect(template.metadata.labels).toMatchObject(selector);
    const services = objects.filter(
      (o) => o.obj.kind === 'Service' && o.obj.metadata.namespace === d.metadata.namespace,
    );
    const svc = services.find(
      (s) => JSON.stringify((s.obj.spec as { selector: object }).selector) === JSON.stringify(selector),
    );
    expect(svc).toBeDefined();
    for (const p of (svc!.obj.spec as { ports: { targetPort: string | number }[] }).ports) {
      expect(
        typeof p.targetPort === 'string' ? portNames.has(p.targetPort) : portNumbers.has(p.targetPort),
      ).toBe(true);
    }
  });

  test('probes use declared ports', () => {
    for (const c of containers) {
      for (const probe of [c.readinessProbe, c.livenessProbe]) {
        const port = probe?.httpGet?.port;
        if (port !== undefined)
          expect(typeof port === 'string' ? portNames.has(port) : portNumbers.has(port)).toBe(true);
      }
    }
  });

  test('scrape annotations point at a declared port, /metrics, and a job the alert rules know', () => {
    const a = template.metadata.annotations ?? {};
    expect(a['prometheus.io/scrape']).toBe('true');
    expect(portNumbers.has(Number(a['prometheus.io/port']))).toBe(true);
    expect(a['prometheus.io/path']).toBe('/metrics');
    expect(['plumbline-sidecar', 'plumbline-exporter']).toContain(a['prometheus.io/job']);
  });

  test('PLUMBLINE_* variables are ones the code reads; the sidecar targets the model container', () => {
    const sources = [
      'inference-sidecar/src/config.ts',
      'exporter/src/config.ts',
      'exporter/src/retrain/config.ts',
      'service-kit/src/config/api-token.ts', // PLUMBLINE_API_TOKEN(_FILE), read by every service's loader
    ]
      .map((f) => readFileSync(path.join(ROOT, f), 'utf8'))
      .join('\n');
    for (const c of containers) {
      for (const e of c.env ?? []) {
        if (e.name.startsWith('PLUMBLINE_'))
          expect({
            name,
            env: e.name,
            read: sources.includes(`'${e.name}'`) || sources.includes(`${e.name}:`),
          }).toEqual({ name, env: e.name, read: true });
      }
      const upstream = (c.env ?? []).find((e) => e.name === 'PLUMBLINE_UPSTREAM')?.value;
      if (upstream) {
        const u = new URL(upstream);
        expect(u.hostname).toBe('127.0.0.1'); // same pod
        const model = containers.find(
          (x) => x !== c && (x.ports ?? []).some((p) => p.containerPort === Number(u.port)),
        );
        expect(model?.name).toBe('model');
      }
    }
  });
});

test("the exporter posts reviews to the sidecars' admin port through their Service, with the API token they check", () => {
  const containerOf = (deployment: string, name: string) =>
    podSpec(deployments.find((d) => d.metadata.name === deployment)!).spec.containers.find(
      (c) => c.name === name,
    )!;
  const exporter = containerOf('plumbline-exporter', 'exporter');
  const sidecar = containerOf('iris', 'plumbline-sidecar');
  const envOf = (c: IContainer, name: string) => (c.env ?? []).find((e) => e.name === name);
  // Unset, review writes answer 503 (EXPORTER_ERR_REVIEW_WRITE).
  const url = new URL(envOf(exporter, 'PLUMBLINE_REVIEW_FEEDBACK_URL')!.value!);
  const [service, namespace] = url.hostname.split('.');
  const svc = objects.find(
    (o) =>
      o.obj.kind === 'Service' && o.obj.metadata.name === service && o.obj.metadata.namespace === namespace,
  )!.obj;
  const port = (svc.spec as { ports: { port: number; targetPort: string }[] }).ports.find(
    (p) => p.port === Number(url.port),
  );
  expect(port).toBeDefined();
  const admin = sidecar.ports!.find((p) => p.name === port!.targetPort);
  expect(admin?.containerPort).toBe(Number(envOf(sidecar, 'PLUMBLINE_ADMIN_PORT')!.value));
  // Both read PLUMBLINE_API_TOKEN from the one Secret: the token the exporter sends is the one the sidecar checks.
  const secret = (c: IContainer) => envOf(c, 'PLUMBLINE_API_TOKEN')?.valueFrom?.secretKeyRef;
  expect(secret(exporter)).toBeDefined();
  expect(secret(sidecar)).toEqual(secret(exporter));
});

test('the scrape config passes promtool check config (relabelling, rule file)', () => {
  const cm = objects.find((o) => o.obj.kind === 'ConfigMap')!.obj;
  const dir = mkdtempSync(path.join(tmpdir(), 'k8s-prom-'));
  try {
    const rules = path.join(ROOT, 'alerting/generated/prometheus/plumbline.rules.yml');
    // Debian's Prometheus build leaves out Kubernetes service discovery; swap it for a static target so promtool
    // still checks everything else (relabel regexes and actions, the rule file).
    const config = cm
      .data!['prometheus.yml'].replace('/etc/prometheus/rules/plumbline.rules.yml', rules)
      .replace(
        /kubernetes_sd_configs:\n\s+- role: pod/,
        "static_configs:\n          - targets: ['127.0.0.1:9464']",
      );
    expect(config).not.toContain('kubernetes_sd_configs');
    writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const r = spawnSync('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')], {
      encoding: 'utf8',
    });
    expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
    expect(r.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
