/**
 * Bearer-token authentication of the control HTTP servers, written once: every service compares the token the
 * same way (constant time, over fixed-length digests, so neither the length nor a matching prefix of the
 * configured token shows in the answer's timing) and refuses the same way (401 with `WWW-Authenticate: Bearer`).
 * The token itself never goes into a message, a log line or an error.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The `WWW-Authenticate` header of every 401. */
export const WWW_AUTHENTICATE = 'Bearer';

/** What a 401 says: which header to send, never what the token is. */
export const UNAUTHORIZED_MESSAGE =
  'missing or wrong bearer token: send Authorization: Bearer <the token in PLUMBLINE_API_TOKEN>';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or '' for anything else. */
export function bearerToken(authorization: string | undefined): string {
  return /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim() ?? '';
}

/**
 * True when the `Authorization` header carries `token` as a bearer token. Constant time: both sides are hashed
 * to 32 bytes and compared with crypto.timingSafeEqual, whatever their lengths.
 */
export function tokenMatches(authorization: string | undefined, token: string): boolean {
  const presented = bearerToken(authorization);
  return timingSafeEqual(digest(presented), digest(token)) && presented.length > 0 && token.length > 0;
}
