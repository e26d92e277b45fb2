/**
 * Issue #15 item 2: the four users of Elasticsearch (the sidecar's sink, the exporter's source, the baseline store,
 * the retrain audit store) against the harness's real Elasticsearch with security and TLS on. Each authenticates as
 * docs/security.md says (API key or basic auth, CA file or CA fingerprint) with exactly the role that page
 * documents, created here from the page itself: the role is enough, and a role without it fails with an error
 * naming the missing privilege.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import {
  repoRoot,
  startElasticsearch,
  testSecret,
  type ElasticsearchHandle,
  type ElasticsearchSecurity,
} from '@plumbline/harness';
import { createElasticsearchSink } from '@plumbline/sidecar';
import { buildReferenceProfile, createElasticsearchBaselineStore, createSource } from '@plumbline/exporter';
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
