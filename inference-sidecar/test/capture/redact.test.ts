// Redaction with known answers: the HMAC-SHA-256 of RFC 4231 and digests computed once with
// `printf %s VALUE | openssl dgst -sha256 -mac HMAC -macopt key:KEY` (a second implementation, not node:crypto).
import { createSecretKey } from 'node:crypto';
import { HMAC_SHA256_PREFIX, hmacSha256Hex, redactFeatures, sha256Hex } from '../../src/capture/redact';

/** 32 bytes of ASCII, the shortest key the sidecar accepts from a file. */
const KEY_TEXT = 'plumbline-redaction-test-key-32b';
const key = createSecretKey(Buffer.from(KEY_TEXT));

describe('hmacSha256Hex', () => {
  it('matches RFC 4231 test case 2 (key "Jefe")', () => {
    expect(hmacSha256Hex(Buffer.from('Jefe'), 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('matches RFC 4231 test case 6 (a 131-byte key, hashed first)', () => {
    const longKey = createSecretKey(Buffer.alloc(131, 0xaa));
    expect(hmacSha256Hex(longKey, 'Test Using Larger Than Block-Size Key - Hash Key First')).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });
});

describe('redactFeatures', () => {
  it('hmac-sha256: "hmac-sha256:" + the lowercase hex HMAC of the value as text', () => {
    const out = redactFeatures(
      { postcode: 'SW1A 1AA', birth_year: 1984, member: true, income: 52_000 },
      { postcode: 'hmac-sha256', birth_year: 'hmac-sha256', member: 'hmac-sha256' },
      key,
    );
    expect(out).toEqual({
      postcode: 'hmac-sha256:33e8ec0b5edd3bc09c6b3649da81c78341e28d1a53237c35b15308b3dfe4bb73',
      birth_year: 'hmac-sha256:772477fab38d7091641eb551f6035602abdebe3faec4f67397eac706107e968e',
      member: 'hmac-sha256:dda66e5682044bae67d65d1f8b9ea6aa81a48c478df147884994522c437ce02e',
      income: 52_000,
    });
    expect(HMAC_SHA256_PREFIX).toBe('hmac-sha256:');
  });

  it('hmac-sha256: the same value always maps to the same text; another key to another one', () => {
    const rules = { postcode: 'hmac-sha256' } as const;
    const a = redactFeatures({ postcode: 'SW1A 1AA' }, rules, key);
    const b = redactFeatures({ postcode: 'SW1A 1AA' }, rules, createSecretKey(Buffer.from(KEY_TEXT)));
    expect(a).toEqual(b);
    const rotated = redactFeatures({ postcode: 'SW1A 1AA' }, rules, createSecretKey(Buffer.alloc(32, 7)));
    expect(rotated.postcode).not.toBe(a.postcode);
    expect(rotated.postcode).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  });

  it('hmac-sha256 differs from the plain sha256 of the same value, which stays unprefixed hex', () => {
    const out = redactFeatures({ a: 'SW1A 1AA', b: 'SW1A 1AA' }, { a: 'sha256', b: 'hmac-sha256' }, key);
    expect(out.a).toBe('6759600cd97d0948af17cb150d22426a5d3c3c07d48fd40ea239d32194cab535');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(out.b).not.toContain(out.a as string);
  });

  it('drop removes the field; null stays null; absent fields stay absent; the input is not modified', () => {
    const input = { email: 'ada@example.com', ssn: '123-45-6789', zip: null, age: 36 };
    const copy = { ...input };
    const out = redactFeatures(
      input,
      { ssn: 'drop', zip: 'hmac-sha256', email: 'hmac-sha256', phone: 'drop' },
      key,
    );
    expect(out).toEqual({
      email: 'hmac-sha256:0c8b7bb641aed2827f9f39a6d32365c3cee41519c37e2a4611a62cc855d3449f',
      zip: null,
      age: 36,
    });
    expect(input).toEqual(copy);
  });

  it('refuses to hmac without a key instead of storing the raw value', () => {
    expect(() => redactFeatures({ zip: '90210' }, { zip: 'hmac-sha256' })).toThrow(
      'field "zip" is hmac-sha256 but no key was given',
    );
  });
});
