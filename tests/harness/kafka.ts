/**
 * Apache Kafka 4.x in KRaft mode from the Maven Central jars: one combined broker + controller node, PLAINTEXT
 * and CONTROLLER listeners on free loopback ports, 512 MB heap, storage formatted before the first start,
 * Log4j 2 writing to the service log file. Topic auto-creation is on, but tests should create their topics.
 *
 * `sasl: { users, acls }` adds a SASL_SSL listener (SCRAM-SHA-512 and PLAIN) on a third port: the broker's TLS key
 * pair is made once with the JDK's keytool (self-signed for 127.0.0.1/localhost, cached under
 * ~/.cache/plumbline/kafka-certs; its certificate is the clients' CA), SCRAM users are written into the storage
 * at format time (`--add-scram`), PLAIN users into the listener's JAAS config, each password a fresh
 * {@link testSecret}. With `acls: true` the StandardAuthorizer is on: the PLAINTEXT and controller listeners
 * (principal ANONYMOUS) stay super users, so a test can grant ACLs over PLAINTEXT and check that a SASL user can
 * do only what they allow.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { run } from './run-command';
import { assertInstalled } from './installed';
import { cacheDir, javaHome, kafkaHome } from './paths';
import { testSecret } from './secrets';
import {
  freePort,
  instanceDir,
  retryOnPortClash,
  startService,
  type RestartableService,
  type ServiceOptions,
} from './process';

export type KafkaSaslMechanism = 'scram-sha-512' | 'plain';

/** How to reach the SASL_SSL listener. */
export interface KafkaSasl {
  /** The SASL_SSL listener, host:port. */
  brokers: string[];
  /** PEM certificate the clients trust (the broker's self-signed certificate). */
  caFile: string;
  /** Each user's password (fresh test secrets). */
  passwords: Record<string, string>;
}

export interface KafkaHandle extends RestartableService {
  /** The PLAINTEXT listener (a super user when `sasl.acls` is on). */
  brokers: string[];
  /** Set when started with `sasl`. */
  sasl?: KafkaSasl;
}

/** startTimeoutMs @default 120000 */
export interface KafkaOptions extends ServiceOptions {
  /** Heap size. @default '512m' */
  heap?: string;
  /** A SASL_SSL listener with these users (see the file's comment). @default none */
  sasl?: { users: { username: string; mechanism: KafkaSaslMechanism }[]; acls?: boolean };
}

/**
 * The broker's PKCS#12 key store and its certificate as PEM, made once with keytool and cached (made in a
 * temporary directory and renamed into place). The store password is not a secret worth the name: it guards a
 * test key that sits beside it.
 */
function kafkaCerts(): { keystore: string; storePassword: string; caFile: string } {
  const dir = join(cacheDir(), 'kafka-certs');
  const result = {
    keystore: join(dir, 'broker.p12'),
    storePassword: 'plumbline-test-store',
    caFile: join(dir, 'broker.crt'),
  };
  if (existsSync(result.caFile)) return result;
  mkdirSync(cacheDir(), { recursive: true });
  const work = mkdtempSync(join(cacheDir(), 'kafka-certs-'));
  const keytool = join(javaHome(), 'bin', 'keytool');
  const store = [
    '-keystore',
    join(work, 'broker.p12'),
    '-storetype',
    'PKCS12',
    '-storepass',
    result.storePassword,
  ];
  run(keytool, [
    '-genkeypair',
    '-alias',
    'broker',
    '-keyalg',
    'RSA',
    '-keysize',
    '2048',
    '-validity',
    '3650',
    '-dname',
    'CN=localhost',
    '-ext',
    'SAN=IP:127.0.0.1,DNS:localhost',
    ...store,
    '-keypass',
    result.storePassword,
  ]);
  run(keytool, ['-exportcert', '-alias', 'broker', '-rfc', '-file', join(work, 'broker.crt'), ...store]);
  try {
    renameSync(work, dir);
  } catch (err) {
    if (!existsSync(result.caFile)) throw err;
    rmSync(work, { recursive: true, force: true });
  }
  return result;
}

/** The JAAS line of a listener's PLAIN mechanism: its users and their passwords. */
function plainJaas(users: Record<string, string>): string {
  const entries = Object.entries(users).map(([name, password]) => `user_${name}="${password}"`);
  return `org.apache.kafka.common.security.plain.PlainLoginModule required ${entries.join(' ')};`;
}

const LOG4J2 = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
`;

/** True when the broker answers a metadata request (kafkajs admin, no retries, quiet). */
export async function brokerAnswers(broker: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'plumbline-harness-health',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export function startKafka(options: KafkaOptions = {}): Promise<KafkaHandle> {
  return retryOnPortClash(() => startKafkaOnce(options));
}

async function startKafkaOnce(options: KafkaOptions): Promise<KafkaHandle> {
  const home = kafkaHome();
  assertInstalled(join(home, 'libs'), 'Kafka');
  const dir = instanceDir(options.group ?? 'dedicated', 'kafka');
  const port = await freePort();
  const controllerPort = await freePort();
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const properties = join(dir, 'server.properties');
  let listeners = `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`;
  let advertised = `PLAINTEXT://127.0.0.1:${port}`;
  let protocols = 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT';
  const saslSettings: string[] = [];
  const scramArgs: string[] = [];
  let sasl: KafkaSasl | undefined;
  if (options.sasl) {
    const saslPort = await freePort();
    const certs = kafkaCerts();
    listeners += `,SASL_SSL://127.0.0.1:${saslPort}`;
    advertised += `,SASL_SSL://127.0.0.1:${saslPort}`;
    protocols += ',SASL_SSL:SASL_SSL';
    const passwords: Record<string, string> = {};
    const plainUsers: Record<string, string> = {};
    for (const user of options.sasl.users) {
      if (!/^[A-Za-z0-9._-]+$/.test(user.username)) throw new Error(`kafka user name "${user.username}"`);
      passwords[user.username] = testSecret(`kafka password of ${user.username}`);
      if (user.mechanism === 'plain') plainUsers[user.username] = passwords[user.username];
      else
        scramArgs.push(
          `--add-scram=SCRAM-SHA-512=[name=${user.username},password=${passwords[user.username]}]`,
        );
    }
    saslSettings.push(
      'sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN',
      `ssl.keystore.location=${certs.keystore}`,
      'ssl.keystore.type=PKCS12',
      `ssl.keystore.password=${certs.storePassword}`,
      `ssl.key.password=${certs.storePassword}`,
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      `listener.name.sasl_ssl.plain.sasl.jaas.config=${plainJaas(plainUsers)}`,
    );
    if (options.sasl.acls) {
      saslSettings.push(
        'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users=User:ANONYMOUS',
      );
    }
    sasl = { brokers: [`127.0.0.1:${saslPort}`], caFile: certs.caFile, passwords };
  }
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=${listeners}`,
      `advertised.listeners=${advertised}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      `listener.security.protocol.map=${protocols}`,
      ...saslSettings,
      `log.dirs=${dataDir}`,
      'num.partitions=1',
      'default.replication.factor=1',
      'min.insync.replicas=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=true',
      '',
    ].join('\n'),
  );
  const log4j = join(dir, 'log4j2.properties');
  writeFileSync(log4j, LOG4J2);
  const heap = options.heap ?? '512m';
  const java = join(javaHome(), 'bin', 'java');
  const classpath = join(home, 'libs', '*');
  // Test-sized JVM: C1 only for a faster start-up on a busy 2-core machine (the data are small).
  const jvm = [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    '-XX:+UseG1GC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4j}`,
  ];
  const clusterId = randomBytes(16).toString('base64url');
  run(java, [
    ...jvm,
    '-cp',
    classpath,
    'kafka.tools.StorageTool',
    'format',
    // One argument with `=`: a base64url id starts with '-' one time in 32, and argparse then takes it for a flag.
    `--cluster-id=${clusterId}`,
    ...scramArgs,
    '-c',
    properties,
  ]);
  const broker = `127.0.0.1:${port}`;
  const handle = await startService({
    name: 'kafka',
    url: `kafka://${broker}`,
    port,
    dir,
    options,
    process: {
      command: java,
      args: [...jvm, '-cp', classpath, 'kafka.Kafka', properties],
      env: { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8' },
      startTimeoutMs: 120_000,
      stopGraceMs: 20_000,
      healthy: () => brokerAnswers(broker),
    },
  });
  return Object.assign(handle, { brokers: [broker], sasl });
}
