/**
 * Every secret a test makes (API tokens, passwords, API keys, keys), recorded so the root jest globalTeardown can
 * check that none of them appears in a log line the run produced (secret-scan.ts). A test asks for its secrets here
 * instead of writing literals: `testSecret('feedback token')` returns a fresh random value and records it;
 * `recordTestSecret(value)` records one a service made (an API key Elasticsearch returned).
 *
 * Records go to `<run dir>/secrets/<pid>.txt`, one a line: the label, a tab, the secret in base64url (so a line is
 * one secret and a hit can be reported by its label, never its value), when the test runs under the root jest
 * config; outside it (a script, the manual service runner) nothing is recorded.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { RUN_DIR_ENV } from './paths';

/** Secrets shorter than this are not scanned for (they would match by chance): tests must not make them. */
export const MIN_SCANNED_SECRET_LENGTH = 12;

/** The directory of a run's secret records. */
export function secretsDir(runDir: string): string {
  return join(runDir, 'secrets');
}

/**
 * Records a secret some service made (or a test had to take as given) for the end-of-run scan, and returns it.
 * Throws on a value shorter than {@link MIN_SCANNED_SECRET_LENGTH}: the scan could not tell it from chance.
 */
export function recordTestSecret(value: string, label = 'secret'): string {
  if (value.length < MIN_SCANNED_SECRET_LENGTH) {
    throw new Error(
      `a test secret must be at least ${MIN_SCANNED_SECRET_LENGTH} characters to be scanned for`,
    );
  }
  const runDir = process.env[RUN_DIR_ENV];
  if (runDir) {
    const dir = secretsDir(runDir);
    mkdirSync(dir, { recursive: true });
    appendFileSync(
      join(dir, `${process.pid}.txt`),
      `${label.replace(/\s+/g, ' ')}\t${Buffer.from(value).toString('base64url')}\n`,
    );
  }
  return value;
}

/**
 * A fresh random secret (hex, `bytes` random bytes: 48 characters by default), recorded for the end-of-run scan.
 * `label` says what it is for; a leak is reported by it.
 */
export function testSecret(label: string, bytes = 24): string {
  return recordTestSecret(randomBytes(bytes).toString('hex'), label);
}
