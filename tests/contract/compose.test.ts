/**
 * docker-compose.yml is consistent with the repository (no Docker here, so this is what we can prove): every
 * mounted file exists, every `service:port` it or its mounted configs mention is a service that exposes that port,
 * every dependency is a service with the right kind of health, every PLUMBLINE_* variable is one the code reads,
 * every ${VAR} has a default or a message, Grafana gets what its provisioning files ask for, every secret a service
 * needs comes from a compose secret file, and the README's command makes those files and sets every required
 * variable.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  expose?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  profiles?: string[];
  secrets?: string[];
}

const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, Service>;
  volumes: object;
  secrets?: Record<string, { file?: string; environment?: string }>;
};
const services = compose.services;
const names = Object.keys(services);

/** Files built by a workspace's build script rather than committed, with the script that makes them. */
const BUILT = { 'grafana-plugins/dist': 'grafana-plugins/package.json' } as const;

test('the stack has every part the issue lists', () => {
  expect(names).toEqual(
    expect.arrayContaining([
      'elasticsearch',
      'kafka',
      'prometheus',
      'alertmanager',
      'grafana',
      'model-server',
      'mlserver',
      'sidecar',
      'exporter',
      'traffic',
      'retrain-bridge',
    ]),
  );
  expect(services.kafka.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller'); // KRaft, no ZooKeeper
});

describe.each(names.map((n) => [n, services[n]] as const))('service %s', (name, s) => {
  test('bind-mounted files and directories exist in the repository', () => {
    for (const v of s.volumes ?? []) {
      const source = v.split(':')[0];
      if (!source.startsWith('./')) {
        expect(Object.keys(compose.volumes)).toContain(source);
        continue;
      }
      const rel = source.slice(2);
      if (rel in BUILT) {
        expect(JSON.parse(read(BUILT[rel as keyof typeof BUILT])).scripts.build).toBeTruthy();
        continue;
      }
      expect(existsSync(path.join(ROOT, rel))).toBe(true);
    }
  });

  test('depends_on names services with a healthcheck (healthy) or a one-shot job (completed)', () => {
    for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
      expect(names).toContain(dep);
      if (condition === 'service_healthy') expect(services[dep].healthcheck).toBeDefined();
      else
        expect(condition === 'service_completed_successfully' && services[dep].restart === 'no').toBe(true);
      // A service may not depend on one that only starts under a profile it is not in itself.
      for (const p of services[dep].profiles ?? []) expect(s.profiles ?? []).toContain(p);
    }
  });

  test('long-running services have a healthcheck', () => {
    if (s.restart !== 'no' && name !== 'traffic') expect(s.healthcheck?.test?.length).toBeGreaterThan(0);
  });

  test('${VAR} substitutions have a default or an error message', () => {
    const text = JSON.stringify(s);
    for (const m of text.matchAll(/\$\{([A-Z_]+)([^}]*)\}/g)) expect(m[2]).toMatch(/^(:-|:\?)./);
  });
});

/** Every host:port a service or a config it mounts refers to (URLs, host:port lists, Prometheus targets). */
function references(text: string): { host: string; port: string }[] {
  const out: { host: string; port: string }[] = [];
  for (const m of text.matchAll(/(?:\/\/|['"\s,[])([a-z][a-z0-9-]*):(\d{2,5})\b/g))
    out.push({ host: m[1], port: m[2] });
  return out;
}

test('every service:port reference points to a service exposing that port', () => {
  const mountedConfigs = ['alerting/prometheus/prometheus.yml', 'alerting/alertmanager/alertmanager.yml'];
  const texts = [
    ...names.map((n) => [
      `service ${n}`,
      JSON.stringify(services[n].environment ?? {}) + JSON.stringify(services[n].command ?? ''),
    ]),
    ...mountedConfigs.map((f) => [f, read(f)]),
  ];
  const problems: string[] = [];
  let checked = 0;
  for (const [where, text] of texts) {
    for (const { host, port } of references(text)) {
      if (host === 'localhost') continue;
      checked++;
      if (!names.includes(host)) problems.push(`${where}: ${host}:${port} is not a service`);
      else if (!(services[host].expose ?? []).includes(port))
        problems.push(`${where}: ${host} does not expose ${port}`);
    }
  }
  expect(problems).toEqual([]);
  expect(checked).toBeGreaterThan(15);
});

test('every PLUMBLINE_* variable given to a Plumbline process is one its code reads', () => {
  const sources = [
    'inference-sidecar/src/config.ts',
    'exporter/src/config.ts',
    'exporter/src/retrain/config.ts',
    'alerting/src/bridge/config.ts',
    'service-kit/src/config/api-token.ts', // PLUMBLINE_API_TOKEN(_FILE), read by every service's loader
  ]
    .map(read)
    .join('\n');
  for (const n of names) {
    const env = services[n].environment ?? {};
    const command = JSON.stringify(services[n].command ?? '');
    for (const key of Object.keys(env).filter((k) => k.startsWith('PLUMBLINE_'))) {
      if (n === 'grafana') continue; // checked against the provisioning files below
      const readByCode = sources.includes(`'${key}'`) || sources.includes(`${key}:`);
      const readByCommand = command.includes(`process.env.${key}`);
      expect({ service: n, key, read: readByCode || readByCommand }).toEqual({ service: n, key, read: true });
    }
  }
});

test('Grafana gets every variable its provisioning files use, and allows every plugin we ship unsigned', () => {
  const env = services.grafana.environment ?? {};
  const dir = path.join(ROOT, 'dashboards/provisioning');
  // A variable the entrypoint exports from a secret file (Grafana reads no *_FILE variable of ours) counts as given.
  const entrypoint = (services.grafana.entrypoint ?? []).join(' ');
  const fromSecrets = [...entrypoint.matchAll(/export ([A-Z_]+)="\$\$\(cat "\$\$([A-Z_]+)"\)"/g)]
    .filter(([, , fileVar]) => secretOf(env[fileVar]) !== undefined)
    .filter(([, , fileVar]) => services.grafana.secrets?.includes(secretOf(env[fileVar])!))
    .map(([, variable]) => variable);
  const given = [...Object.keys(env), ...fromSecrets];
  for (const sub of readdirSync(dir)) {
    for (const f of readdirSync(path.join(dir, sub))) {
      for (const m of readFileSync(path.join(dir, sub, f), 'utf8').matchAll(/\$\{([A-Z_]+)\}/g)) {
        expect(given).toContain(m[1]);
      }
    }
  }
  const pluginIds: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f === 'plugin.json')
        pluginIds.push((JSON.parse(readFileSync(p, 'utf8')) as { id: string }).id);
    }
  };
  walk(path.join(ROOT, 'grafana-plugins/src'));
  expect(pluginIds.length).toBeGreaterThanOrEqual(4);
  expect(env.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS.split(',').sort()).toEqual(pluginIds.sort());
  // The dashboards provider reads the directory the generated JSON is mounted at.
  const provider = parse(read('dashboards/provisioning/dashboards/plumbline.yaml')).providers[0];
  expect(services.grafana.volumes).toContain(`./dashboards/generated:${provider.options.path}:ro`);
});

test('Prometheus loads the generated rules and scrapes the jobs the alerts expect', () => {
  const prom = parse(read('alerting/prometheus/prometheus.yml'));
  const mounted = Object.fromEntries(
    (services.prometheus.volumes ?? [])
      .filter((v) => v.startsWith('./'))
      .map((v) => [v.split(':')[1], v.split(':')[0]]),
  );
  for (const file of prom.rule_files as string[])
    expect(mounted[file]).toBe('./alerting/generated/prometheus/plumbline.rules.yml');
  const jobs = (prom.scrape_configs as { job_name: string }[]).map((j) => j.job_name);
  expect(jobs).toEqual(expect.arrayContaining(['plumbline-sidecar', 'plumbline-exporter']));
  expect(read('alerting/generated/prometheus/plumbline.rules.yml')).toContain('up{job="plumbline-exporter"}');
});

test('the plumbline image is built from the Dockerfile and runs the CLI', () => {
  const dockerfile = read('Dockerfile');
  expect(dockerfile).toMatch(/^FROM node:20/m);
  expect(dockerfile).toContain('ENTRYPOINT ["plumbline"]');
  for (const n of names.filter((x) => services[x].image === 'plumbline:dev')) {
    expect(services[n].build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
  }
  // Files the plumbline containers read from the image exist in the repository.
  for (const m of composeText.matchAll(/\/app\/([\w./-]+\.(?:csv|js))/g)) {
    const rel = m[1]
      .replace(/^(\w+)\/dist\/(.*)\.js$/, '$1/src/$2.ts')
      .replace(/^alerting\/dist\//, 'alerting/src/');
    expect({ file: rel, exists: existsSync(path.join(ROOT, rel)) }).toEqual({ file: rel, exists: true });
  }
});

/** The compose secret a `/run/secrets/<name>` path names, or undefined. */
function secretOf(file: string | undefined): string | undefined {
  return /^\/run\/secrets\/([\w.-]+)$/.exec(file ?? '')?.[1];
}

/** The shell lines of the README's "The whole stack with Docker" block. */
function readmeComposeCommand(): string[] {
  const section = read('README.md').split('## The whole stack with Docker')[1] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

describe('secrets', () => {
  const declared = compose.secrets ?? {};

  test('every secret a service mounts is declared, from a file under secrets/ that git and docker ignore', () => {
    const used = new Set(names.flatMap((n) => services[n].secrets ?? []));
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) {
      expect({ name, file: declared[name]?.file }).toEqual({ name, file: `./secrets/${name}` });
    }
    expect(read('.gitignore').split('\n')).toContain('/secrets/');
    expect(read('.dockerignore').split('\n')).toContain('secrets/'); // `COPY . .` must not bake it into the image
  });

  test('every *_FILE variable and mounted secret path names a secret the service mounts', () => {
    for (const n of names) {
      for (const [key, value] of Object.entries(services[n].environment ?? {})) {
        if (!key.endsWith('_FILE')) continue;
        const secret = secretOf(value);
        expect({ service: n, key, secret, mounted: services[n].secrets?.includes(secret ?? '') }).toEqual({
          service: n,
          key,
          secret: expect.any(String),
          mounted: true,
        });
      }
    }
    // Alertmanager reads the bridge's token itself (credentials_file), from a secret compose mounts for it.
    const am = read('alerting/alertmanager/alertmanager.yml');
    const files = [...am.matchAll(/credentials_file:\s*(\S+)/g)].map((m) => m[1]);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(services.alertmanager.secrets ?? []).toContain(secretOf(f));
  });

  test('every Plumbline process that takes writes or sends them gets the API token from the secret', () => {
    const takesToken = names.filter((n) => {
      const s = services[n];
      const cmd = JSON.stringify([s.entrypoint ?? [], s.command ?? []]);
      return s.image === 'plumbline:dev' && /"(sidecar|exporter|traffic)"|bridge\/main\.js/.test(cmd);
    });
    expect(takesToken).toEqual(
      expect.arrayContaining(['sidecar', 'sidecar-mlserver', 'exporter', 'retrain-bridge', 'traffic']),
    );
    for (const n of takesToken) {
      const env = services[n].environment ?? {};
      expect({ service: n, file: env.PLUMBLINE_API_TOKEN_FILE, direct: env.PLUMBLINE_API_TOKEN }).toEqual({
        service: n,
        file: '/run/secrets/plumbline_api_token',
        direct: undefined, // a token in the environment shows in `docker inspect`
      });
    }
    // No token passes through a variable of the host any more: nothing to forget on the command line.
    expect(composeText).not.toMatch(/\$\{PLUMBLINE_(RETRAIN|API)_TOKEN/);
  });

  test("the exporter posts reviews to a sidecar's admin port, sending the token that sidecar checks", () => {
    const env = services.exporter.environment ?? {};
    // Unset, review writes answer 503 (EXPORTER_ERR_REVIEW_WRITE).
    expect(env.PLUMBLINE_REVIEW_FEEDBACK_URL).toBeDefined();
    const url = new URL(env.PLUMBLINE_REVIEW_FEEDBACK_URL);
    const sidecar = services[url.hostname];
    expect(JSON.stringify(sidecar?.command ?? '')).toMatch(/"sidecar"/);
    expect({ admin: sidecar.environment?.PLUMBLINE_ADMIN_PORT, exposed: sidecar.expose }).toEqual({
      admin: url.port,
      exposed: expect.arrayContaining([url.port]),
    });
    expect(sidecar.environment?.PLUMBLINE_API_TOKEN_FILE).toBe(env.PLUMBLINE_API_TOKEN_FILE);
    expect(sidecar.secrets).toEqual(expect.arrayContaining(services.exporter.secrets ?? ['(none)']));
  });

  test("the README's command makes every secret file and sets every required variable before `docker compose up`", () => {
    const lines = readmeComposeCommand();
    const up = lines.findIndex((l) => /\bdocker compose up\b/.test(l));
    expect(up).toBeGreaterThan(-1);
    const before = lines.slice(0, up + 1).join('\n');
    for (const [name, { file }] of Object.entries(declared)) {
      const rel = (file ?? '').replace(/^\.\//, '');
      expect({
        secret: name,
        made: new RegExp(`>\\s*(\\./)?${rel.replace(/[.]/g, '\\.')}\\b`).test(before),
      }).toEqual({
        secret: name,
        made: true,
      });
      expect(before).toContain(`mkdir -p ${path.dirname(rel)}`);
    }
    for (const m of composeText.matchAll(/\$\{([A-Z_]+):\?/g))
      expect(before).toMatch(new RegExp(`\\b${m[1]}=`));
    // docker-compose.yml's header says the same.
    const header = composeText
      .split('\n')
      .filter((l) => l.startsWith('#   '))
      .map((l) =>
        l
          .slice(4)
          .replace(/\s+#.*$/, '')
          .trim(),
      );
    for (const l of lines.filter((x) => /secrets|docker compose up/.test(x))) expect(header).toContain(l);
  });
});
