// The end-of-run secret scan: recorded secrets are found in logs as they are, base64-encoded and URL-encoded,
// reported by label, file and line, never by value; logs from before the run and secrets too short to tell from
// chance are left alone.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_DIR_ENV } from './paths';
import { describeHits, recordedSecrets, scanRun } from './secret-scan';
import { recordTestSecret, testSecret } from './secrets';

let root: string;
let runDir: string;
let services: string;
const savedRunDir = process.env[RUN_DIR_ENV];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'secret-scan-'));
  runDir = join(root, 'run');
  services = join(root, 'services');
  mkdirSync(join(services, 'dedicated', 'es-1'), { recursive: true });
  process.env[RUN_DIR_ENV] = runDir;
});
afterEach(() => {
  process.env[RUN_DIR_ENV] = savedRunDir;
  rmSync(root, { recursive: true, force: true });
});

test('a secret in the output or a service log fails, named by label and line only', () => {
  const token = testSecret('feedback API token');
  const password = recordTestSecret('p@ss word/with+signs', 'elasticsearch password');
  expect(
    recordedSecrets(runDir)
      .map((s) => s.label)
      .sort(),
  ).toEqual(['elasticsearch password', 'feedback API token']);
  mkdirSync(join(runDir, 'output'), { recursive: true });
  writeFileSync(join(runDir, 'output', 'jest.log'), `PASS a.test.ts\nAuthorization: Bearer ${token}\n`);
  const log = join(services, 'dedicated', 'es-1', 'elasticsearch.log');
  const basic = Buffer.from(`admin:${password}`).toString('base64');
  writeFileSync(log, `started\nGET /?pw=${encodeURIComponent(password)}\nAuthorization: Basic ${basic}\n`);
  const { hits } = scanRun(runDir, services, 0);
  // `admin:` is 6 bytes, so base64(`admin:` + password) holds base64(password): the header is caught too (a user
  // name of another length shifts the encoding; only whole-value encodings are claimed).
  expect(hits.map((h) => [h.label, h.line, h.form])).toEqual([
    ['feedback API token', 2, 'as is'],
    ['elasticsearch password', 2, 'url-encoded'],
    ['elasticsearch password', 3, 'base64'],
  ]);
  const report = describeHits(hits);
  expect(report).toContain('the feedback API token (as is)');
  expect(report).not.toContain(token);
  expect(report).not.toContain(password);
});

test('a base64-encoded secret is found; clean files and logs from before the run are not hits', () => {
  const key = testSecret('api key');
  const log = join(services, 'dedicated', 'es-1', 'kafka.log');
  writeFileSync(log, `sasl ${Buffer.from(key).toString('base64')}\n`);
  expect(scanRun(runDir, services, 0).hits.map((h) => h.form)).toEqual(['base64']);
  const old = new Date(Date.now() - 3_600_000);
  utimesSync(log, old, old);
  expect(scanRun(runDir, services, Date.now() - 60_000).hits).toEqual([]);
});

test('secrets too short to scan for are refused when recorded', () => {
  expect(() => recordTestSecret('short')).toThrow(/at least 12 characters/);
});
