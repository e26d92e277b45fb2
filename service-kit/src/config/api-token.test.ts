// PLUMBLINE_API_TOKEN or the file named by PLUMBLINE_API_TOKEN_FILE, read by the loader into `apiToken`: never
// both, never from a config file, a file's trailing newline dropped, and no message ever holds the token.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { apiAuthFields, API_AUTH_ENV, createConfigLoader } from '../index';
import { testSecret } from '@plumbline/harness';

const TOKEN = testSecret('api-token token');
const dir = mkdtempSync(path.join(tmpdir(), 'api-token-'));
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

const loader = createConfigLoader({
  schema: z.strictObject({ port: z.number().default(1), ...apiAuthFields }),
  env: API_AUTH_ENV,
  apiToken: true,
});

function failure(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

test('no variable: no token, reads open', () => {
  expect(loader.load({ env: {} })).toStrictEqual({ port: 1 });
});

test('from PLUMBLINE_API_TOKEN, or from the file without its trailing newline', () => {
  expect(loader.load({ env: { PLUMBLINE_API_TOKEN: TOKEN } }).apiToken).toBe(TOKEN);
  const withNewline = file('token', `${TOKEN}\n`);
  expect(loader.load({ env: { PLUMBLINE_API_TOKEN_FILE: withNewline } }).apiToken).toBe(TOKEN);
  const crlf = file('token-crlf', `${TOKEN}\r\n`);
  expect(loader.load({ env: { PLUMBLINE_API_TOKEN_FILE: crlf } }).apiToken).toBe(TOKEN);
  expect(
    loader.load({ env: { PLUMBLINE_API_TOKEN: TOKEN, PLUMBLINE_REQUIRE_TOKEN_FOR_READS: 'true' } })
      .requireTokenForReads,
  ).toBe(true);
});

test('both set is an error naming both', () => {
  const err = failure(() =>
    loader.load({
      env: { PLUMBLINE_API_TOKEN: TOKEN, PLUMBLINE_API_TOKEN_FILE: file('both', TOKEN) },
    }),
  );
  expect(err.message).toContain('PLUMBLINE_API_TOKEN and PLUMBLINE_API_TOKEN_FILE are both set');
  expect((err as { exitCode?: number }).exitCode).toBe(2);
  expect(err.message).not.toContain(TOKEN);
});

test('a file that cannot be read, or is empty, is an error naming PLUMBLINE_API_TOKEN_FILE', () => {
  const missing = failure(() => loader.load({ env: { PLUMBLINE_API_TOKEN_FILE: path.join(dir, 'nope') } }));
  expect(missing.message).toMatch(/PLUMBLINE_API_TOKEN_FILE names ".*nope", which cannot be read \(ENOENT\)/);
  const empty = failure(() => loader.load({ env: { PLUMBLINE_API_TOKEN_FILE: file('empty', '\n') } }));
  expect(empty.message).toMatch(/PLUMBLINE_API_TOKEN_FILE names ".*empty", which is empty/);
});

test('a token in a config file is refused; a short token is refused without being shown', () => {
  const config = file('config.json', JSON.stringify({ apiToken: TOKEN }));
  const inFile = failure(() => loader.load({ file: config, env: {} }));
  expect(inFile.message).toContain('apiToken');
  expect(inFile.message).toContain('not in a config file');
  expect(inFile.message).not.toContain(TOKEN);
  const short = failure(() => loader.load({ env: { PLUMBLINE_API_TOKEN: 'short-secret' } }));
  expect(short.message).toBe(
    'invalid config key apiToken (from PLUMBLINE_API_TOKEN): must be at least 16 characters',
  );
});
