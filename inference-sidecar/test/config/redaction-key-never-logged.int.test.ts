// The redaction key never leaves the sidecar: the built `plumbline sidecar` (a child process, as a user runs it;
// `npm run build` first) at log level trace, fed a good request, a body no adapter reads and an upstream error, with
// everything it writes on stdout and stderr and every event it stores scanned for the key (as text, hex and
// base64). A key file that is too short stops start-up with a message naming redaction.keyFile, not the key.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { openSpoolReader } from '@plumbline/spool';
import { eventually } from '../helpers/eventually';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { assertCliBuilt, startSidecarProcess } from '../pipeline/sidecar-process';

jest.setTimeout(30_000);

/** A key as an operator might write it: printable, so that any echo of it is found as text. */
const SECRET = 'never-log-me-7f3a9c21e5b04d68a1c2e3f405162738';

function forms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [secret, secret.slice(0, 16), bytes.toString('hex'), bytes.toString('base64')];
}

describe('the redaction key (built CLI, child process)', () => {
  let dir: string;
  let upstream: TestUpstream;

  beforeAll(async () => {
    assertCliBuilt();
    dir = mkdtempSync(join(tmpdir(), 'plumbline-key-log-'));
    upstream = await startUpstream((req, res, body) => {
      if (req.url === '/v1/models/broken:predict') {
        res.statusCode = 500;
        res.end(`model crashed on ${body.toString()}`);
        return;
      }
      res.end(JSON.stringify({ predictions: ['approve'] }));
    });
  });
  afterAll(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appears in no log line and in no stored event', async () => {
    const keyFile = join(dir, 'redaction.key');
    writeFileSync(keyFile, SECRET, { mode: 0o600 });
    const spoolDir = join(dir, 'spool');
    const proc = await startSidecarProcess(
      {
        upstream: upstream.url,
        logLevel: 'trace',
        redaction: { keyFile },
        models: { '*': { redact: { postcode: 'hmac-sha256', email: 'sha256' } } },
        sinks: { spoolDir, spoolFsync: 'never', flushIntervalMs: 10 },
      },
      dir,
    );
    const post = async (path: string, body: string): Promise<void> => {
      const res = await request(`${proc.url}${path}`, { method: 'POST', body });
      await res.body.dump();
    };
    const row = JSON.stringify({ instances: [{ postcode: 'SW1A 1AA', email: 'ada@example.com', age: 36 }] });
    try {
      await post('/v1/models/loans:predict', row);
      await post('/v1/models/loans:predict', '{"instances": [');
      await post('/v1/models/broken:predict', row);
      const events = await eventually(async () => {
        const stored = [];
        for await (const entry of openSpoolReader(spoolDir).entries()) stored.push(entry.event);
        expect(stored).toHaveLength(3);
        return stored;
      }, 10_000);
      expect(events[0]).toMatchObject({
        features: { postcode: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/) as unknown, age: 36 },
      });
      const stored = JSON.stringify(events);
      for (const form of forms(SECRET)) expect(stored).not.toContain(form);
    } finally {
      proc.child.kill('SIGTERM');
    }
    expect(await proc.exited).toBe(0);
    const output = proc.output();
    // The run did log: the sha256 warning, the unparsed body, trace lines of the pipeline.
    expect(output).toMatch(/sha256 redaction is reversible by dictionary/);
    expect(output).toMatch(/SIDECAR_ERR_UNPARSED_BODY/);
    for (const form of forms(SECRET)) expect(output).not.toContain(form);
  });

  it('too short: start-up stops naming redaction.keyFile, and the message does not carry the key', async () => {
    const keyFile = join(dir, 'short.key');
    const short = 'short-key-0123456789';
    writeFileSync(keyFile, short);
    const started = startSidecarProcess(
      {
        upstream: upstream.url,
        logLevel: 'trace',
        redaction: { keyFile },
        models: { m: { redact: { zip: 'hmac-sha256' } } },
      },
      dir,
    );
    const err = (await started.then(
      () => new Error('expected the sidecar to refuse to start'),
      (e: unknown) => e,
    )) as Error;
    expect(err.message).toMatch(/sidecar exited early/);
    expect(err.message).toMatch(/invalid config: redaction\.keyFile: .*short\.key holds 20 bytes/);
    for (const form of forms(short)) expect(err.message).not.toContain(form);
  });
});
