/**
 * The examples run `plumbline sidecar` with the environment `npm run bench:sidecar`'s memory mode measures
 * (SIDECAR_MEMORY_ENV: the proxy thread's young generation; inference-sidecar/README.md, Memory), so the
 * resident memory the README reports is the one a deployment copied from them gets.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { SIDECAR_MEMORY_ENV } from '@plumbline/sidecar';

const ROOT = path.join(__dirname, '..', '..');
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');

/** The variables of SIDECAR_MEMORY_ENV that an environment sets, with their values. */
function memoryEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.keys(SIDECAR_MEMORY_ENV).map((name) => [name, env[name]]));
}

test('docker-compose.yml runs the sidecar with SIDECAR_MEMORY_ENV', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, { command?: string[]; environment?: Record<string, string> }>;
  };
  const sidecar = compose.services.sidecar;
  expect(sidecar.command).toEqual(['sidecar']);
  expect(memoryEnv(sidecar.environment ?? {})).toEqual(SIDECAR_MEMORY_ENV);
});

test('examples/kubernetes runs the sidecar container with SIDECAR_MEMORY_ENV', () => {
  const containers = parseAllDocuments(read('examples/kubernetes/iris-model.yaml'))
    .map((doc) => doc.toJSON() as { kind: string; spec?: unknown })
    .filter((obj) => obj.kind === 'Deployment')
    .flatMap(
      (d) =>
        (
          d.spec as {
            template: { spec: { containers: Array<{ name: string; args?: string[]; env?: unknown }> } };
          }
        ).template.spec.containers,
    )
    .filter((c) => c.args?.[0] === 'sidecar');
  expect(containers.map((c) => c.name)).toEqual(['plumbline-sidecar']);
  const env = Object.fromEntries(
    (containers[0].env as Array<{ name: string; value?: string }>).map((e) => [e.name, e.value]),
  );
  expect(memoryEnv(env)).toEqual(SIDECAR_MEMORY_ENV);
});
