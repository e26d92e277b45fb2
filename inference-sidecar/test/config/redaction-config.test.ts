// The redaction settings: models.<m>.redact modes, models.<m>.capture, redaction.keyFile (PLUMBLINE_REDACTION_KEY_FILE)
// and the key file read at start-up. Every mistake is one SIDECAR_ERR_CONFIG naming the key, and no message ever
// carries the key's content.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import pino from 'pino';
import { createSidecar } from '../../src/app';
import { parseConfig, resolveConfig } from '../../src/config';
import type { SidecarConfigError } from '../../src/errors';
import { MIN_REDACTION_KEY_BYTES, readRedactionKey } from '../../src/redaction-key';

function errorOf(fn: () => unknown): SidecarConfigError {
  try {
    fn();
  } catch (err) {
    return err as SidecarConfigError;
  }
  throw new Error('expected an error');
}

const upstream = 'http://127.0.0.1:1';

describe('redaction config', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'plumbline-redaction-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to capturing every feature, no redaction and no key file', () => {
    const config = parseConfig({ upstream, models: { m: {} } });
    expect(config.models.m).toMatchObject({ capture: { mode: 'all' }, redact: {} });
    expect(config.redaction).toEqual({});
  });

  it('reads redaction.keyFile from PLUMBLINE_REDACTION_KEY_FILE', () => {
    const config = resolveConfig(
      { upstream },
      { PLUMBLINE_REDACTION_KEY_FILE: '/run/secrets/redaction.key' },
    );
    expect(config.redaction.keyFile).toBe('/run/secrets/redaction.key');
  });

  it('accepts every mode, and an allowlist with hashed fields', () => {
    const config = parseConfig({
      upstream,
      redaction: { keyFile: '/k' },
      models: {
        m: {
          redact: { a: 'drop', b: 'sha256', c: 'hmac-sha256' },
          capture: { mode: 'allowlist', fields: ['b', 'c', 'd'] },
          histogramFeatures: ['d'],
        },
      },
    });
    expect(config.models.m.capture).toEqual({ mode: 'allowlist', fields: ['b', 'c', 'd'] });
  });

  it.each([
    [
      { models: { m: { redact: { zip: 'hmac-sha256' } } } },
      'redaction.keyFile',
      /models\.m\.redact\.zip is hmac-sha256/,
    ],
    [{ models: { m: { redact: { zip: 'hmac' } } } }, 'models.m.redact.zip', /hmac-sha256/],
    [{ redaction: { keyfile: '/k' } }, 'redaction.keyfile', /unknown key/],
    [{ redaction: { keyFile: '' } }, 'redaction.keyFile', /./],
    [{ models: { m: { capture: { mode: 'some' } } } }, 'models.m.capture.mode', /all.*allowlist/],
    [{ models: { m: { capture: { mode: 'allowlist' } } } }, 'models.m.capture.fields', /array/],
    [{ models: { m: { capture: { fields: ['a'] } } } }, 'models.m.capture.mode', /all.*allowlist/],
    [
      { models: { m: { capture: { mode: 'all', fields: ['a'] } } } },
      'models.m.capture.fields',
      /unknown key/,
    ],
    [
      { models: { m: { capture: { mode: 'allowlist', fields: ['a'], except: ['b'] } } } },
      'models.m.capture.except',
      /unknown key/,
    ],
    [
      { models: { m: { capture: { mode: 'allowlist', fields: ['a'] }, histogramFeatures: ['a', 'b'] } } },
      'models.m.histogramFeatures.1',
      /"b" is not on the capture allowlist/,
    ],
    [
      { models: { m: { redact: { age: 'drop' }, histogramFeatures: ['age'] } } },
      'models.m.histogramFeatures.0',
      /"age" is redacted \(drop\)/,
    ],
  ])('%j → one message naming %s', (input, key, problem) => {
    const err = errorOf(() => parseConfig({ upstream, ...input }));
    expect(err.code).toBe('SIDECAR_ERR_CONFIG');
    expect(err.exitCode).toBe(2);
    expect(err.key).toBe(key);
    expect(err.message.startsWith(`invalid config: ${key}: `)).toBe(true);
    expect(err.message).toMatch(problem);
  });

  describe('the key file', () => {
    it(`holds at least ${MIN_REDACTION_KEY_BYTES} bytes, taken as they are`, () => {
      const file = join(dir, 'ok.key');
      writeFileSync(file, 'k'.repeat(MIN_REDACTION_KEY_BYTES));
      const key = readRedactionKey(file);
      expect(key.type).toBe('secret');
      expect(key.symmetricKeySize).toBe(MIN_REDACTION_KEY_BYTES);
      writeFileSync(file, `${'k'.repeat(MIN_REDACTION_KEY_BYTES)}\n`);
      expect(readRedactionKey(file).symmetricKeySize).toBe(MIN_REDACTION_KEY_BYTES + 1);
    });

    it('a short one stops start-up naming redaction.keyFile, with its length and never its content', () => {
      const file = join(dir, 'short.key');
      const secret = 'short-secret-0123456789abcdef'; // 29 bytes
      writeFileSync(file, secret);
      const config = parseConfig({ upstream, redaction: { keyFile: file } });
      const err = errorOf(() => createSidecar(config, { logger: pino({ level: 'silent' }) }));
      expect(err.code).toBe('SIDECAR_ERR_CONFIG');
      expect(err.exitCode).toBe(2);
      expect(err.message).toBe(
        `invalid config: redaction.keyFile: ${file} holds 29 bytes; the key needs at least 32 ` +
          '(make one with: openssl rand -out FILE 32)',
      );
      expect(JSON.stringify(err) + String(err.stack)).not.toContain('short-secret');
    });

    it('a missing one stops start-up naming redaction.keyFile', () => {
      const file = join(dir, 'missing.key');
      const err = errorOf(() =>
        createSidecar(parseConfig({ upstream, redaction: { keyFile: file } }), {
          logger: pino({ level: 'silent' }),
        }),
      );
      expect(err.code).toBe('SIDECAR_ERR_CONFIG');
      expect(err.message).toBe(`invalid config: redaction.keyFile: cannot read ${file} (ENOENT)`);
    });

    it('serialises and prints without its bytes', () => {
      const file = join(dir, 'printed.key');
      const secret = 'printed-secret-0123456789abcdef-0123';
      writeFileSync(file, secret);
      const key = readRedactionKey(file);
      const hex = Buffer.from(secret).toString('hex');
      for (const text of [JSON.stringify({ key }), String(key), inspect(key)]) {
        expect(text).not.toContain('printed-secret');
        expect(text).not.toContain(hex);
      }
    });
  });

  it('warns once at start-up about sha256 fields, naming them, and still accepts them', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const config = parseConfig({
      upstream,
      port: 0,
      adminPort: 0,
      models: { users: { redact: { email: 'sha256', ssn: 'drop' } }, '*': { redact: { zip: 'sha256' } } },
    });
    const sidecar = createSidecar(config, { logger, captureMode: 'thread' });
    await sidecar.close(0);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as { level: number; fields: string[]; msg: string };
    expect(line.level).toBe(40);
    expect(line.fields).toEqual(['users.redact.email', '*.redact.zip']);
    expect(line.msg).toMatch(
      /^sha256 redaction is reversible by dictionary .*use hmac-sha256 with redaction\.keyFile/,
    );
  });
});
