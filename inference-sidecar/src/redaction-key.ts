/**
 * The secret key of `hmac-sha256` redaction: the bytes of `redaction.keyFile` (PLUMBLINE_REDACTION_KEY_FILE), as they
 * are (a trailing newline is part of the key), read once at start-up by createSidecar.
 *
 * It is held as a node:crypto KeyObject from then on: a KeyObject prints and serialises without its bytes (`{}` in
 * JSON, as pino writes it), and goes to the capture thread in its workerData as a copy that stays a KeyObject. No
 * message here carries the key's content, only the path and the length.
 */
import { readFileSync } from 'node:fs';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { configError } from './errors';

/** The shortest key accepted: 256 bits, the output size of SHA-256 (RFC 2104 §3 asks for at least that). */
export const MIN_REDACTION_KEY_BYTES = 32;

const KEY = 'redaction.keyFile';

/** Reads and checks the key file; a file that cannot be read or is too short is a SIDECAR_ERR_CONFIG naming the key. */
export function readRedactionKey(path: string): KeyObject {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw configError(KEY, `cannot read ${path}${code === undefined ? '' : ` (${code})`}`, err);
  }
  try {
    if (bytes.length < MIN_REDACTION_KEY_BYTES) {
      throw configError(
        KEY,
        `${path} holds ${bytes.length} bytes; the key needs at least ${MIN_REDACTION_KEY_BYTES} ` +
          '(make one with: openssl rand -out FILE 32)',
      );
    }
    return createSecretKey(bytes);
  } finally {
    bytes.fill(0); // createSecretKey copied it; no stray copy stays on the heap
  }
}
