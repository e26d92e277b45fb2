/**
 * Issue #15 item 3: the sidecar's Kafka sink and the exporter's Kafka source over SASL_SSL (SCRAM-SHA-512 and
 * PLAIN) against the harness's real KRaft broker, with the StandardAuthorizer on. The ACLs granted are exactly
 * those docs/security.md documents, read from the page: they are enough, and a user without them is refused with
 * an error naming the missing authorization.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  logLevel,
  ResourcePatternTypes,
} from 'kafkajs';
import { repoRoot, startKafka, type KafkaHandle } from '@plumbline/harness';
import { createKafkaSink } from '@plumbline/sidecar';
import { createSource, parseConfig } from '@plumbline/exporter';
import { makeEvent } from '@plumbline/schema/testing';

jest.setTimeout(300_000);

interface DocumentedAcl {
  resourceType: keyof typeof AclResourceTypes;
  resourceName: string;
  patternType: 'LITERAL' | 'PREFIXED';
  operations: (keyof typeof AclOperationTypes)[];
}

/** The `#### acls: <principal>` sections of docs/security.md, each with its JSON list of ACLs. */
function documentedAcls(): Record<string, DocumentedAcl[]> {
  const text = readFileSync(join(repoRoot(), 'docs', 'security.md'), 'utf8');
  const out: Record<string, DocumentedAcl[]> = {};
  for (const match of text.matchAll(/^#### acls: (\S+)\n[\s\S]*?```json\n([\s\S]*?)```/gm)) {
    out[match[1]] = JSON.parse(match[2]) as DocumentedAcl[];
  }
  return out;
}

const acls = documentedAcls();
let kafka: KafkaHandle;
let dir: string;

function passwordFile(user: string): string {
  const path = join(dir, `${user}-password`);
  writeFileSync(path, `${kafka.sasl!.passwords[user]}\n`, { mode: 0o600 });
  return path;
}

/** SASL_SSL settings of a harness user: SCRAM-SHA-512 (password from a file) or PLAIN (the value). */
function saslOf(user: string, mechanism: 'scram-sha-512' | 'plain') {
  return {
    tls: true,
    caFile: kafka.sasl!.caFile,
    saslMechanism: mechanism,
    username: user,
    ...(mechanism === 'plain'
      ? { password: kafka.sasl!.passwords[user] }
      : { passwordFile: passwordFile(user) }),
  };
}

beforeAll(async () => {
  expect(Object.keys(acls).sort()).toEqual(['plumbline-exporter', 'plumbline-sidecar']);
  kafka = await startKafka({
    sasl: {
      acls: true,
      users: [
        { username: 'plumbline-sidecar', mechanism: 'scram-sha-512' },
        { username: 'plumbline-exporter', mechanism: 'plain' },
        { username: 'nobody', mechanism: 'scram-sha-512' },
      ],
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'kafka-sasl-'));
  // Grant the documented ACLs over the PLAINTEXT listener (ANONYMOUS is a super user there).
  const admin = new Kafka({
    clientId: 'acl-admin',
    brokers: kafka.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  await admin.createAcls({
    acl: Object.entries(acls).flatMap(([principal, list]) =>
      list.flatMap((entry) =>
        entry.operations.map((operation) => ({
          resourceType: AclResourceTypes[entry.resourceType],
          resourceName: entry.resourceName,
          resourcePatternType: ResourcePatternTypes[entry.patternType],
          principal: `User:${principal}`,
          host: '*',
          operation: AclOperationTypes[operation],
          permissionType: AclPermissionTypes.ALLOW,
        })),
      ),
    ),
  });
  await admin.disconnect();
}, 300_000);

afterAll(async () => {
  await kafka?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const now = Date.now();
const events = Array.from({ length: 30 }, (_, i) => ({
  ...makeEvent(i),
  '@timestamp': new Date(now - 60_000 + i * 100).toISOString(),
}));
const window = {
  model: 'iris',
  version: null,
  range: { from: now - 120_000, to: now + 1 },
  minimumSamples: 0,
};

function exporterSource(user: string, mechanism: 'scram-sha-512' | 'plain') {
  const config = parseConfig({
    models: [{ name: 'iris' }],
    source: { kind: 'kafka', brokers: kafka.sasl!.brokers, ...saslOf(user, mechanism) },
  }).source;
  return createSource(config, {
    counters: { consumed: () => undefined, invalid: () => undefined },
    retentionMs: 3_600_000,
  });
}

test('the sidecar sink produces over SASL_SSL with SCRAM-SHA-512 and its documented ACLs', async () => {
  const sink = createKafkaSink({
    brokers: kafka.sasl!.brokers,
    ...saslOf('plumbline-sidecar', 'scram-sha-512'),
  });
  try {
    const result = await sink.write(events.map((event) => ({ kind: 'inference', event })));
    expect(result).toMatchObject({ status: 'success', rejected: [] });
  } finally {
    await sink.close();
  }
});

test('the exporter source consumes them over SASL_SSL with PLAIN and its documented ACLs', async () => {
  const source = exporterSource('plumbline-exporter', 'plain');
  try {
    await source.start();
    let read = await source.read(window);
    for (let i = 0; i < 100 && read.total < events.length; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      read = await source.read(window);
    }
    expect(read.total).toBe(events.length);
    expect(read.inference.map((e) => e.event_id).sort()).toEqual(events.map((e) => e.event_id).sort());
  } finally {
    await source.close();
  }
});

test('without ACLs a user is refused, naming the authorization; a wrong password fails authentication', async () => {
  const sink = createKafkaSink({
    brokers: kafka.sasl!.brokers,
    ...saslOf('nobody', 'scram-sha-512'),
    inferenceTopic: 'plumbline.inference',
  });
  try {
    const result = await sink.write(events.slice(0, 1).map((event) => ({ kind: 'inference', event })));
    expect(result.status).not.toBe('success');
    expect(result.error).toMatch(/not authorized/i);
  } finally {
    await sink.close();
  }

  const source = exporterSource('nobody', 'scram-sha-512');
  const refused = (await source.start().then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  )) as Error;
  await source.close().catch(() => undefined);
  expect(refused.message).toMatch(/not authorized/i);

  const wrong = createKafkaSink({
    brokers: kafka.sasl!.brokers,
    tls: true,
    caFile: kafka.sasl!.caFile,
    saslMechanism: 'scram-sha-512',
    username: 'plumbline-sidecar',
    password: `${kafka.sasl!.passwords['plumbline-sidecar']}-wrong`,
  });
  try {
    const result = await wrong.write(events.slice(0, 1).map((event) => ({ kind: 'inference', event })));
    expect(result.status).not.toBe('success');
    expect(result.error).toMatch(/authentication failed|SASL/i);
    expect(result.error).not.toContain(kafka.sasl!.passwords['plumbline-sidecar']);
  } finally {
    await wrong.close();
  }
});
