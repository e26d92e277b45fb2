// Keyed redaction through the real proxy path and the production thread layout (test/helpers/sidecar.ts): the key
// is read from its file on the proxy thread, reaches the capture thread, and the stored events carry
// "hmac-sha256:<hex>" (values computed once with openssl, see redact.test.ts) — never the raw value, never the key.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const KEY_TEXT = 'plumbline-redaction-test-key-32b';
const ROWS = [
  { postcode: 'SW1A 1AA', birth_year: 1984, ssn: '123-45-6789', income: 52_000 },
  { postcode: 'SW1A 1AA', birth_year: 1990, ssn: '987-65-4321', income: 61_000 },
];

describe('hmac-sha256 redaction, through the proxy into the store', () => {
  let dir: string;
  let upstream: TestUpstream;
  let sidecar: TestSidecar;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plumbline-redaction-'));
    const keyFile = join(dir, 'redaction.key');
    writeFileSync(keyFile, KEY_TEXT, { mode: 0o600 });
    upstream = await startUpstream((_req, res, body) => {
      const n = (JSON.parse(body.toString()) as { instances: unknown[] }).instances.length;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ predictions: Array.from({ length: n }, () => 'approve') }));
    });
    sidecar = await startTestSidecar(upstream.url, {
      redaction: { keyFile },
      models: {
        loans: { redact: { postcode: 'hmac-sha256', birth_year: 'hmac-sha256', ssn: 'drop' } },
      },
    });
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the keyed digest in place of the value, the same for the same value, and drops what is dropped', async () => {
    const res = await request(`${sidecar.url}/v1/models/loans:predict`, {
      method: 'POST',
      headers: { 'x-request-id': 'loan-1' },
      body: JSON.stringify({ instances: ROWS }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(upstream.requests[0].body.toString()).toContain('SW1A 1AA'); // the model still gets the raw request

    const events = await sidecar.waitForEvents(2);
    expect(events.map((e) => e.features)).toEqual([
      {
        postcode: 'hmac-sha256:33e8ec0b5edd3bc09c6b3649da81c78341e28d1a53237c35b15308b3dfe4bb73',
        birth_year: 'hmac-sha256:772477fab38d7091641eb551f6035602abdebe3faec4f67397eac706107e968e',
        income: 52_000,
      },
      {
        postcode: 'hmac-sha256:33e8ec0b5edd3bc09c6b3649da81c78341e28d1a53237c35b15308b3dfe4bb73',
        birth_year: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/) as unknown,
        income: 61_000,
      },
    ]);
    expect(events.map((e) => e.outputs.label)).toEqual(['approve', 'approve']);

    const stored = JSON.stringify(events);
    for (const raw of ['SW1A 1AA', 'SW1A', '1984', '1990', '123-45-6789', '987-65-4321']) {
      expect(stored).not.toContain(raw);
    }
    const key = Buffer.from(KEY_TEXT);
    for (const form of [KEY_TEXT, key.toString('hex'), key.toString('base64')]) {
      expect(stored).not.toContain(form);
    }
  });
});
