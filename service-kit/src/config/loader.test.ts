import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../usage-error';
import { createConfigLoader, type ConfigIssue } from './loader';

const schema = z.strictObject({
  port: z.number().int().min(0).max(65535).default(8080),
  sinks: z
    .strictObject({
      kafka: z
        .strictObject({ brokers: z.array(z.string()).min(1), topic: z.string().default('t') })
        .optional(),
      dir: z.string().default('./spool'),
    })
    .default({ dir: './spool' }),
  debug: z.boolean().default(false),
});

const loader = createConfigLoader({
  schema,
  env: {
    PLUMBLINE_PORT: { key: 'port', kind: 'port' },
    PLUMBLINE_KAFKA_BROKERS: { key: 'sinks.kafka.brokers', kind: 'list' },
    PLUMBLINE_KAFKA: { key: 'sinks.kafka.brokers', kind: 'list', replacedBy: 'PLUMBLINE_KAFKA_BROKERS' },
    PLUMBLINE_DEBUG: { key: 'debug', kind: 'boolean' },
  },
  flags: {
    port: { key: 'port', kind: 'port' },
    kafkaBrokers: { key: 'sinks.kafka.brokers', kind: 'list' },
    kafka: { key: 'sinks.kafka.brokers', kind: 'list', replacedBy: 'kafkaBrokers' },
  },
});

const dir = mkdtempSync(join(tmpdir(), 'plumbline-loader-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function usageErrorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
}

test('schema defaults < base < file < env < flags, nested keys merged', () => {
  const path = file('c.yaml', 'port: 1000\nsinks:\n  kafka: { brokers: [a:1], topic: from-file }\n');
  expect(loader.load({ file: path })).toEqual({
    port: 1000,
    sinks: { kafka: { brokers: ['a:1'], topic: 'from-file' }, dir: './spool' },
    debug: false,
  });
  const env = { PLUMBLINE_PORT: '2000', PLUMBLINE_KAFKA_BROKERS: 'b:1, c:1', PLUMBLINE_DEBUG: '1' };
  expect(loader.load({ base: { port: 1 }, file: path, env })).toMatchObject({
    port: 2000,
    sinks: { kafka: { brokers: ['b:1', 'c:1'], topic: 'from-file' } },
    debug: true,
  });
  expect(loader.load({ file: path, env, flags: { port: '3000' } }).port).toBe(3000);
  expect(loader.load({ base: { port: 1 } }).port).toBe(1);
});

test('empty variables count as unset', () => {
  expect(loader.load({ env: { PLUMBLINE_PORT: '' } }).port).toBe(8080);
});

test('an old name still works with a one-line warning naming the new one; the new name wins', () => {
  const warnings: string[] = [];
  const warn = (line: string) => warnings.push(line);
  expect(loader.load({ env: { PLUMBLINE_KAFKA: 'a:1' }, warn }).sinks.kafka?.brokers).toEqual(['a:1']);
  expect(warnings).toEqual(['plumbline: PLUMBLINE_KAFKA is deprecated, use PLUMBLINE_KAFKA_BROKERS']);
  const both = loader.load({ env: { PLUMBLINE_KAFKA_BROKERS: 'new:1', PLUMBLINE_KAFKA: 'old:1' }, warn });
  expect(both.sinks.kafka?.brokers).toEqual(['new:1']);
  expect(loader.load({ flags: { kafka: 'x:1', kafkaBrokers: 'y:1' }, warn }).sinks.kafka?.brokers).toEqual([
    'y:1',
  ]);
  expect(warnings[warnings.length - 1]).toBe('plumbline: --kafka is deprecated, use --kafka-brokers');
});

test('a text that is not of its kind names the key, the origin and the text (exit 2)', () => {
  const e = usageErrorOf(() => loader.load({ env: { PLUMBLINE_PORT: 'eighty' } }));
  expect(e.message).toBe(
    'invalid config key port (from PLUMBLINE_PORT): must be a port number, got "eighty"',
  );
  expect(e.exitCode).toBe(2);
  expect(e.key).toBe('port');
  expect(usageErrorOf(() => loader.load({ env: { PLUMBLINE_DEBUG: 'yes' } })).message).toBe(
    'invalid config key debug (from PLUMBLINE_DEBUG): expected true or false, got "yes"',
  );
});

test('the first zod issue names the dotted key and where its value came from', () => {
  const path = file('bad.yaml', 'sinks:\n  kafka: { brokers: [] }\n');
  expect(usageErrorOf(() => loader.load({ file: path })).message).toMatch(
    new RegExp(`^invalid config key sinks\\.kafka\\.brokers \\(from ${path.replace(/[.]/g, '\\.')}\\): `),
  );
  expect(usageErrorOf(() => loader.load({ flags: { port: '70000' } })).message).toMatch(
    /^invalid config key port \(from command line\): /,
  );
});

test('unknown keys are reported by name, at any depth', () => {
  expect(usageErrorOf(() => loader.parse({ prot: 1 })).message).toBe('invalid config key prot: unknown key');
  expect(usageErrorOf(() => loader.parse({ sinks: { kafka: { brokers: ['a:1'], topc: 'x' } } })).key).toBe(
    'sinks.kafka.topc',
  );
  expect(usageErrorOf(() => loader.parse({ a: 1, b: 2 })).message).toBe(
    'invalid config key a: unknown key (also unknown: b)',
  );
});

test('unreadable, malformed and non-mapping files are errors of the key `config`', () => {
  expect(usageErrorOf(() => loader.load({ file: join(dir, 'missing.yaml') })).message).toMatch(
    /^invalid config key config: cannot read config file .*missing\.yaml/,
  );
  expect(usageErrorOf(() => loader.load({ file: file('broken.json', '{') })).message).toMatch(
    /broken\.json is not valid JSON/,
  );
  expect(usageErrorOf(() => loader.load({ file: file('broken.yaml', 'a: [') })).message).toMatch(
    /broken\.yaml is not valid YAML/,
  );
  expect(usageErrorOf(() => loader.load({ file: file('list.yaml', '- 1\n') })).message).toMatch(/an object/);
  expect(loader.load({ file: file('empty.yaml', '') }).port).toBe(8080);
});

test('the service words its own error through the factory', () => {
  const issues: ConfigIssue[] = [];
  const own = createConfigLoader({
    schema,
    env: { PLUMBLINE_PORT: { key: 'port', kind: 'port' } },
    error: (issue) => {
      issues.push(issue);
      return new UsageError(`bad ${issue.key}`, { code: 'X_ERR_CONFIG', key: issue.key });
    },
    check: (c) => (c.port === 1 ? { key: 'port', problem: 'port 1 is reserved' } : undefined),
  });
  const e = usageErrorOf(() => own.load({ env: { PLUMBLINE_PORT: 'x' } }));
  expect([e.message, e.code]).toEqual(['bad port', 'X_ERR_CONFIG']);
  expect(issues[0]).toEqual({
    key: 'port',
    problem: 'must be a port number',
    origin: 'PLUMBLINE_PORT',
    received: 'x',
    more: 0,
  });
  usageErrorOf(() => own.load({ env: { PLUMBLINE_PORT: '1' } }));
  expect(issues[1]).toMatchObject({ key: 'port', problem: 'port 1 is reserved', origin: 'PLUMBLINE_PORT' });
});

test('argParser reads a flag once, at parse time, and fails naming the key', () => {
  const parsePort = loader.argParser('port');
  expect(parsePort('9000')).toBe(9000);
  expect(() => parsePort('nine')).toThrow(
    'invalid config key port (from command line): must be a port number, got "nine"',
  );
  expect(loader.load({ flags: { port: parsePort('9000'), kafkaBrokers: ['a:1'] } })).toMatchObject({
    port: 9000,
    sinks: { kafka: { brokers: ['a:1'] } },
  });
  expect(() => loader.argParser('nope')).toThrow(/no flag "nope"/);
});
