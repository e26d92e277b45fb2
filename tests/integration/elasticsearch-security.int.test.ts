/**
 * Issue #15 item 2: the four users of Elasticsearch (the sidecar's sink, the exporter's source, the baseline store,
 * the retrain audit store) against the harness's real Elasticsearch with security and TLS on. Each authenticates as
 * docs/security.md says (API key or basic auth, CA file or CA fingerprint) with exactly the role that page
 * documents, taken here from the page itself: the role is enough, and a role without it fails with an error
 * naming the missing privilege. Twice: as file-realm users holding the roles (basic auth), and with API keys the
 * cluster issues here (`POST /_security/api_key` with the page's role descriptor; the harness's analysis plugin
 * lets the integ-test-zip cluster do that), in both forms the config takes (`encoded`, `id:api_key`), from a file
 * and from the environment through the services' own config loaders.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import {
  recordTestSecret,
  repoRoot,
  startElasticsearch,
  testSecret,
  type ElasticsearchHandle,
  type ElasticsearchSecurity,
} from '@plumbline/harness';
import { createElasticsearchSink, resolveConfig } from '@plumbline/sidecar';
import {
  buildReferenceProfile,
  createElasticsearchBaselineStore,
  createSource,
  loadConfig,
} from '@plumbline/exporter';
import { createElasticsearchAuditStore } from '@plumbline/exporter/retrain';
import { makeEvents } from '@plumbline/schema/testing';
import type { SourceConfig } from '@plumbline/exporter';

jest.setTimeout(300_000);

type RoleDescriptor = Record<string, unknown>;

/** The `### role: <name>` sections of docs/security.md, each with its JSON role descriptor. */
function documentedRoles(): Record<string, RoleDescriptor> {
  const text = readFileSync(join(repoRoot(), 'docs', 'security.md'), 'utf8');
  const roles: Record<string, RoleDescriptor> = {};
  for (const match of text.matchAll(/^### role: (\S+)\n[\s\S]*?```json\n([\s\S]*?)```/gm)) {
    roles[match[1]] = JSON.parse(match[2]) as RoleDescriptor;
  }
  return roles;
}

let es: ElasticsearchHandle;
let security: ElasticsearchSecurity;
let admin: Client;
let dir: string;
const roles = documentedRoles();

/** An API key as Elasticsearch returns it: both forms the config takes are made from it. */
interface ApiKey {
  id: string;
  apiKey: string;
  encoded: string;
}
/** One API key per documented role, limited to exactly that role descriptor (made in beforeAll). */
const apiKeys: Record<string, ApiKey> = {};

/** `POST /_security/api_key` as the superuser with one documented role descriptor: the key gets just that. */
async function createApiKey(role: string): Promise<ApiKey> {
  const key = await admin.security.createApiKey({
    name: `${role}-test-key`,
    expiration: '1d',
    role_descriptors: { [role]: roles[role] } as never,
  });
  recordTestSecret(key.api_key, `elasticsearch API key of ${role}`);
  recordTestSecret(key.encoded, `elasticsearch API key of ${role} (encoded)`);
  return { id: key.id, apiKey: key.api_key, encoded: key.encoded };
}

const idAndKey = (key: ApiKey) => `${key.id}:${key.apiKey}`;

function secretFile(name: string, value: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return path;
}

/** Basic auth of a file-realm user the harness made: its password in a file, or as the value itself. */
function login(username: string, via: 'file' | 'value') {
  const password = security.passwords[username];
  return via === 'file'
    ? { username, passwordFile: secretFile(`${username}-password`, password) }
    : { username, password };
}

beforeAll(async () => {
  expect(Object.keys(roles).sort()).toEqual([
    'plumbline-baselines',
    'plumbline-exporter-source',
    'plumbline-retrain-audit',
    'plumbline-sidecar',
  ]);
  // The integ-test-zip cluster has no `.security` index (see harness/elasticsearch.ts): roles and users are
  // file-realm ones, each user holding one documented role.
  es = await startElasticsearch({
    security: {
      roles,
      users: [
        { username: 'sidecar', roles: ['plumbline-sidecar'] },
        { username: 'exporter', roles: ['plumbline-exporter-source'] },
        { username: 'baselines', roles: ['plumbline-baselines'] },
        { username: 'retrain', roles: ['plumbline-retrain-audit'] },
      ],
    },
  });
  security = es.security!;
  admin = new Client({
    node: es.url,
    auth: { username: security.username, password: security.password },
    tls: { ca: readFileSync(security.caFile, 'utf8') },
  });
  dir = mkdtempSync(join(tmpdir(), 'es-security-'));
  for (const role of Object.keys(roles)) apiKeys[role] = await createApiKey(role);
}, 300_000);

afterAll(async () => {
  await admin?.close();
  await es?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const events = makeEvents(20);
const W0 = Date.parse(events[0]['@timestamp']);

function sourceConfig(extra: Record<string, unknown>): SourceConfig {
  return {
    kind: 'elasticsearch',
    url: es.url,
    inferenceIndex: 'plumbline-inference',
    feedbackIndex: 'plumbline-feedback',
    pageSize: 100,
    maxEventsPerWindow: 1000,
    timeoutMs: 10_000,
    ...extra,
  } as SourceConfig;
}

const counters = { consumed: () => undefined, invalid: () => undefined };
const window = { model: 'iris', version: null, range: { from: W0 - 1, to: W0 + 60_000 }, minimumSamples: 0 };

test('without credentials, or with an API key the cluster does not know, the cluster answers 401', async () => {
  expect(es.url).toMatch(/^https:/);
  const records = events.slice(0, 1).map((event) => ({ kind: 'inference' as const, event }));
  const anonymous = createElasticsearchSink({ url: es.url, caFile: security.caFile, requestTimeoutMs: 5000 });
  const unknownKey = createElasticsearchSink({
    url: es.url,
    apiKeyFile: secretFile('unknown-api-key', `unknown-id:${testSecret('an API key nobody issued')}`),
    caFingerprint: security.caFingerprint,
    requestTimeoutMs: 5000,
  });
  try {
    for (const sink of [anonymous, unknownKey]) {
      const result = await sink.write(records);
      expect(result.status).toBe('retryable');
      expect(result.error).toMatch(/HTTP 401/);
    }
  } finally {
    await anonymous.close();
    await unknownKey.close();
  }
});

test('the sidecar sink writes as a user of the plumbline-sidecar role (CA file)', async () => {
  const sink = createElasticsearchSink({
    url: es.url,
    ...login('sidecar', 'value'),
    caFile: security.caFile,
  });
  try {
    const result = await sink.write(events.map((event) => ({ kind: 'inference', event })));
    expect(result).toMatchObject({ status: 'success', rejected: [] });
  } finally {
    await sink.close();
  }
  await admin.indices.refresh({ index: 'plumbline-inference' });
  expect((await admin.count({ index: 'plumbline-inference' })).count).toBe(events.length);
});

test('the exporter source reads as a user of the plumbline-exporter-source role (CA fingerprint)', async () => {
  const source = createSource(
    sourceConfig({ ...login('exporter', 'file'), caFingerprint: security.caFingerprint }),
    { counters, retentionMs: 3_600_000 },
  );
  try {
    await source.start();
    const read = await source.read(window);
    expect(read.total).toBe(events.length);
    expect(read.inference.map((e) => e.event_id).sort()).toEqual(events.map((e) => e.event_id).sort());
  } finally {
    await source.close();
  }
});

test('retention deletes old events with the plumbline-sidecar role', async () => {
  const sink = createElasticsearchSink({ url: es.url, ...login('sidecar', 'file'), caFile: security.caFile });
  try {
    // makeEvents' timestamps are W0 + i ms: a cutoff at W0 + 10 ms takes the first ten.
    expect(await sink.expire!(W0 + 10)).toBe(10);
  } finally {
    await sink.close();
  }
  await admin.indices.refresh({ index: 'plumbline-inference' });
  expect((await admin.count({ index: 'plumbline-inference' })).count).toBe(events.length - 10);
});

test('the baseline store and the audit store work with their documented roles', async () => {
  const baselines = createElasticsearchBaselineStore({
    url: es.url,
    ...login('baselines', 'file'),
    caFingerprint: security.caFingerprint,
  });
  const profile = buildReferenceProfile({ x: [1, 2, 3, 4, 5, 6, 7, 8] });
  try {
    await baselines.put({ model: 'iris', version: '1', source: 'train.csv', profile });
    expect((await baselines.get('iris'))?.version).toBe('1');
  } finally {
    await baselines.close?.();
  }

  const audit = createElasticsearchAuditStore({
    url: es.url,
    index: 'plumbline-retrain-audit',
    ...login('retrain', 'value'),
    caFile: security.caFile,
  });
  const event = {
    requestId: 'r-1',
    idempotencyKey: 'k-1',
    model: 'iris',
    requestedBy: 'carol',
    reason: 'drift',
    at: new Date(W0).toISOString(),
    outcome: 'triggered' as const,
    webhookStatus: 202,
    detail: 'webhook answered 202',
  };
  try {
    await audit.record(event);
    await admin.indices.refresh({ index: 'plumbline-retrain-audit' });
    expect(await audit.latest('iris', ['triggered'])).toMatchObject({ requestId: 'r-1' });
  } finally {
    await audit.close();
  }
});

test('a role without the documented privileges fails with an error naming the missing privilege', async () => {
  // The sink as the source's read-only user: the template install is refused, the batch stays retryable.
  const sink = createElasticsearchSink({
    url: es.url,
    ...login('exporter', 'file'),
    caFile: security.caFile,
  });
  try {
    const result = await sink.write(events.slice(0, 2).map((event) => ({ kind: 'inference', event })));
    expect(result.status).toBe('retryable');
    expect(result.error).toMatch(/HTTP 403/);
    expect(result.error).toMatch(/unauthorized for user \[exporter\]/);
    expect(result.error).toContain('manage_index_templates');
  } finally {
    await sink.close();
  }

  // The source as the sidecar's write-only user: start-up fails with a coded error naming the cluster privilege.
  const source = createSource(sourceConfig({ ...login('sidecar', 'file'), caFile: security.caFile }), {
    counters,
    retentionMs: 3_600_000,
  });
  try {
    const err = (await source.start().then(
      () => new Error('expected a refusal'),
      (e: unknown) => e,
    )) as Error & { code?: string };
    expect(err.code).toBe('EXPORTER_ERR_SOURCE_QUERY');
    expect(err.message).toMatch(/unauthorized for user \[sidecar\]/);
    expect(err.message).toMatch(/cluster privileges \[[^\]]*\bmonitor\b/);
  } finally {
    await source.close();
  }

  // The baseline store as the audit user: its role names another index.
  const baselines = createElasticsearchBaselineStore({
    url: es.url,
    ...login('retrain', 'file'),
    caFile: security.caFile,
  });
  try {
    const err = (await baselines
      .put({ model: 'iris', version: '2', source: 'x', profile: buildReferenceProfile({ x: [1, 2, 3] }) })
      .then(
        () => new Error('expected a refusal'),
        (e: unknown) => e,
      )) as Error;
    expect(err.message).toMatch(/unauthorized for user \[retrain\]/);
    expect(err.message).toMatch(/view_index_metadata|create_index/);
  } finally {
    await baselines.close?.();
  }
});

// ---------------------------------------------------------------------------------------------------------------
// API keys the cluster issued, each limited to one documented role descriptor.

/** Events of their own (other ids, timestamps W0 + 100…119 ms), so the counts do not mix with the tests above. */
const keyEvents = makeEvents(20, 100);

test('the native realm works too: a user with an e-mail (the .security index analyses it) is stored and found', async () => {
  await admin.security.putUser({
    username: 'native-check',
    password: testSecret('elasticsearch password of native-check'),
    roles: ['plumbline-exporter-source'],
    email: 'Data.Team@Example.org',
    refresh: 'wait_for',
  });
  expect((await admin.security.getUser({ username: 'native-check' }))['native-check']).toMatchObject({
    email: 'Data.Team@Example.org',
    roles: ['plumbline-exporter-source'],
  });
});

test('the cluster issues API keys limited to each documented role descriptor', async () => {
  for (const [role, key] of Object.entries(apiKeys)) {
    const { api_keys: found } = await admin.security.getApiKey({ id: key.id });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ name: `${role}-test-key`, invalidated: false });
    expect(Object.keys(found[0].role_descriptors ?? {})).toEqual([role]);
  }
});

test('the sidecar sink writes with a plumbline-sidecar API key (encoded, from PLUMBLINE_ELASTICSEARCH_API_KEY)', async () => {
  const config = resolveConfig(
    {},
    {
      PLUMBLINE_UPSTREAM: 'http://127.0.0.1:9',
      PLUMBLINE_ELASTICSEARCH_URL: es.url,
      PLUMBLINE_ELASTICSEARCH_API_KEY: apiKeys['plumbline-sidecar'].encoded,
      PLUMBLINE_ELASTICSEARCH_CA_FILE: security.caFile,
    },
  );
  expect(config.sinks.elasticsearch).toMatchObject({ url: es.url, caFile: security.caFile });
  const sink = createElasticsearchSink(config.sinks.elasticsearch!);
  const before = (await admin.count({ index: 'plumbline-inference' })).count;
  try {
    const result = await sink.write(keyEvents.map((event) => ({ kind: 'inference', event })));
    expect(result).toMatchObject({ status: 'success', rejected: [] });
  } finally {
    await sink.close();
  }
  await admin.indices.refresh({ index: 'plumbline-inference' });
  expect((await admin.count({ index: 'plumbline-inference' })).count).toBe(before + keyEvents.length);
});

test('retention deletes with a plumbline-sidecar API key (id:api_key, from apiKeyFile)', async () => {
  const sink = createElasticsearchSink({
    url: es.url,
    apiKeyFile: secretFile('sidecar-api-key', idAndKey(apiKeys['plumbline-sidecar'])),
    caFingerprint: security.caFingerprint,
    retentionMaxAgeMs: 30 * 86_400_000,
  });
  const before = (await admin.count({ index: 'plumbline-inference' })).count;
  try {
    // The test cluster has no index lifecycle management: the sweep, with the documented role's privileges.
    expect(await sink.retentionPath()).toEqual({
      kind: 'sweep',
      reason: 'the cluster has no index lifecycle management',
    });
    // The earlier tests' events left are at W0 + 10…19 ms, these at W0 + 100…119: a cutoff at W0 + 110 ms takes
    // all ten of the former and the first ten of these.
    expect(await sink.expire!(W0 + 110)).toBe(20);
  } finally {
    await sink.close();
  }
  await admin.indices.refresh({ index: 'plumbline-inference' });
  expect((await admin.count({ index: 'plumbline-inference' })).count).toBe(before - 20);
});

test('the exporter source reads with a plumbline-exporter-source API key (id:api_key, from the environment)', async () => {
  const config = loadConfig({
    env: {
      PLUMBLINE_MODELS: JSON.stringify([{ name: 'iris' }]),
      PLUMBLINE_SOURCE: 'elasticsearch',
      PLUMBLINE_ELASTICSEARCH_URL: es.url,
      PLUMBLINE_ELASTICSEARCH_API_KEY: idAndKey(apiKeys['plumbline-exporter-source']),
      PLUMBLINE_ELASTICSEARCH_CA_FINGERPRINT: security.caFingerprint,
    },
  });
  expect(config.source.kind).toBe('elasticsearch');
  const source = createSource(config.source, { counters, retentionMs: 3_600_000 });
  try {
    await source.start();
    const read = await source.read(window);
    // What retention left: the last ten of keyEvents.
    expect(read.inference.map((e) => e.event_id).sort()).toEqual(
      keyEvents
        .slice(10)
        .map((e) => e.event_id)
        .sort(),
    );
  } finally {
    await source.close();
  }
});

test('the baseline store (encoded key) and the audit store (id:api_key) work with their documented API keys, from files', async () => {
  const baselines = createElasticsearchBaselineStore({
    url: es.url,
    apiKeyFile: secretFile('baselines-api-key', apiKeys['plumbline-baselines'].encoded),
    caFile: security.caFile,
  });
  try {
    await baselines.put({
      model: 'iris',
      version: '3',
      source: 'train.csv',
      profile: buildReferenceProfile({ x: [1, 2, 3, 4, 5, 6, 7, 8] }),
    });
    expect((await baselines.get('iris'))?.version).toBe('3');
  } finally {
    await baselines.close?.();
  }

  const audit = createElasticsearchAuditStore({
    url: es.url,
    index: 'plumbline-retrain-audit',
    apiKeyFile: secretFile('retrain-api-key', idAndKey(apiKeys['plumbline-retrain-audit'])),
    caFingerprint: security.caFingerprint,
  });
  try {
    await audit.record({
      requestId: 'r-2',
      idempotencyKey: 'k-2',
      model: 'iris',
      requestedBy: 'carol',
      reason: 'drift',
      at: new Date(W0 + 1000).toISOString(),
      outcome: 'triggered',
      webhookStatus: 202,
      detail: 'webhook answered 202',
    });
    await admin.indices.refresh({ index: 'plumbline-retrain-audit' });
    expect(await audit.latest('iris', ['triggered'])).toMatchObject({ requestId: 'r-2' });
  } finally {
    await audit.close();
  }
});

test('an API key without the documented privileges fails with an error naming the missing privilege', async () => {
  const keyOf = (role: string) => apiKeys[role];
  const unauthorized = (role: string) => new RegExp(`unauthorized for API key id \\[${keyOf(role).id}\\]`);

  // The sink with the source's read-only key.
  const sink = createElasticsearchSink({
    url: es.url,
    apiKey: keyOf('plumbline-exporter-source').encoded,
    caFile: security.caFile,
  });
  try {
    const result = await sink.write(keyEvents.slice(0, 2).map((event) => ({ kind: 'inference', event })));
    expect(result.status).toBe('retryable');
    expect(result.error).toMatch(/HTTP 403/);
    expect(result.error).toMatch(unauthorized('plumbline-exporter-source'));
    expect(result.error).toContain('manage_index_templates');
  } finally {
    await sink.close();
  }

  // The source with the sidecar's key: no `monitor`.
  const source = createSource(
    sourceConfig({
      apiKeyFile: secretFile('wrong-source-key', idAndKey(keyOf('plumbline-sidecar'))),
      caFile: security.caFile,
    }),
    { counters, retentionMs: 3_600_000 },
  );
  try {
    const err = (await source.start().then(
      () => new Error('expected a refusal'),
      (e: unknown) => e,
    )) as Error & { code?: string };
    expect(err.code).toBe('EXPORTER_ERR_SOURCE_QUERY');
    expect(err.message).toMatch(unauthorized('plumbline-sidecar'));
    expect(err.message).toMatch(/cluster privileges \[[^\]]*\bmonitor\b/);
  } finally {
    await source.close();
  }

  // The baseline store with the audit key, and the audit store with the baseline key: each names another index.
  const baselines = createElasticsearchBaselineStore({
    url: es.url,
    apiKey: keyOf('plumbline-retrain-audit').encoded,
    caFile: security.caFile,
  });
  const audit = createElasticsearchAuditStore({
    url: es.url,
    index: 'plumbline-retrain-audit',
    apiKey: keyOf('plumbline-baselines').encoded,
    caFile: security.caFile,
  });
  try {
    const baselineErr = (await baselines
      .put({ model: 'iris', version: '4', source: 'x', profile: buildReferenceProfile({ x: [1, 2, 3] }) })
      .then(
        () => new Error('expected a refusal'),
        (e: unknown) => e,
      )) as Error;
    expect(baselineErr.message).toMatch(unauthorized('plumbline-retrain-audit'));
    expect(baselineErr.message).toMatch(/view_index_metadata|create_index/);

    const auditErr = (await audit.latest('iris', ['triggered']).then(
      () => new Error('expected a refusal'),
      (e: unknown) => e,
    )) as Error;
    expect(auditErr.message).toMatch(unauthorized('plumbline-baselines'));
    expect(auditErr.message).toMatch(/\bread\b|view_index_metadata/);
  } finally {
    await baselines.close?.();
    await audit.close();
  }
});
