/**
 * Apache Kafka 4.x in KRaft mode from the Maven Central jars: one combined broker + controller node, PLAINTEXT
 * and CONTROLLER listeners on free loopback ports, 512 MB heap, storage formatted before the first start,
 * Log4j 2 writing to the service log file. Topic auto-creation is on, but tests should create their topics.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { run } from './run-command';
import { assertInstalled } from './installed';
import { javaHome, kafkaHome } from './paths';
import { freePort, instanceDir, startService, type RestartableService, type ServiceOptions } from './process';

export interface KafkaHandle extends RestartableService {
  brokers: string[];
}

/** startTimeoutMs @default 120000 */
export interface KafkaOptions extends ServiceOptions {
  /** Heap size. @default '512m' */
  heap?: string;
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

export async function startKafka(options: KafkaOptions = {}): Promise<KafkaHandle> {
  const home = kafkaHome();
  assertInstalled(join(home, 'libs'), 'Kafka');
  const dir = instanceDir(options.group ?? 'dedicated', 'kafka');
  const port = await freePort();
  const controllerPort = await freePort();
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const properties = join(dir, 'server.properties');
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
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
  return Object.assign(handle, { brokers: [broker] });
}
