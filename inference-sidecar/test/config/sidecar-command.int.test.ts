// The `sidecar` command in its own process, built (run `npm run build` first; `npm test` does, through
// `npm run typecheck`): the workspace's compiled command registration and runSidecar under commander, without the
// other workspaces' commands (cli/src/main.ts only adds the exit-code wrapper, covered by cli-exit-codes.test.ts).
// Flags and PLUMBLINE_* variables, a proxied request, SIGTERM → the pipeline is flushed (the event is in the spool's
// embedded store) and the process exits 0.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { openSpoolReader } from '@plumbline/spool';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

jest.setTimeout(30_000);

const ROOT = path.resolve(__dirname, '..', '..', '..');
const COMMAND = path.join(ROOT, 'inference-sidecar', 'dist', 'sidecar-command.js');
const LAUNCHER = [
  "const { Command } = require('commander');",
  `const { registerSidecarCommand } = require(${JSON.stringify(COMMAND)});`,
  "const program = new Command('plumbline');",
  'registerSidecarCommand(program);',
  'program.parseAsync(process.argv).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(e.exitCode ?? 1); });',
].join('\n');

describe('plumbline sidecar (built, child process)', () => {
  let upstream: TestUpstream;

  beforeAll(async () => {
    if (!existsSync(COMMAND)) {
      throw new Error('the sidecar is not built: run `npm run build` before this test');
    }
    upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"predictions": [2]}');
    });
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('proxies, captures into the spool store, and on SIGTERM flushes and exits 0', async () => {
    const spoolDir = mkdtempSync(path.join(tmpdir(), 'plumbline-sidecar-cli-'));
    const child = spawn(
      process.execPath,
      [
        '-e',
        LAUNCHER,
        'plumbline',
        'sidecar',
        '--upstream',
        upstream.url,
        '--port',
        '0',
        '--admin-port',
        '0',
        '--spool-dir',
        spoolDir,
      ],
      { cwd: ROOT, env: { ...process.env, PLUMBLINE_MODEL: 'from-env', PLUMBLINE_LOG_LEVEL: 'warn' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const [, proxyUrl, adminUrl] = await new Promise<RegExpExecArray>((resolve, reject) => {
        const check = (): void => {
          const m = /proxy (http:\/\/\S+) → \S+, admin (http:\/\/\S+)/.exec(stdout);
          if (m) resolve(m);
        };
        child.stdout.on('data', check);
        void exited.then(() => reject(new Error(`exited early:\n${stdout}\n${stderr}`)));
      });
      const res = await request(`${proxyUrl}/invocations`, {
        method: 'POST',
        headers: { 'x-request-id': 'cli-1' },
        body: JSON.stringify({ dataframe_split: { columns: ['a', 'b'], data: [[1, 2]] } }),
      });
      expect(await res.body.text()).toBe('{"predictions": [2]}');
      const health = await request(`${adminUrl}/healthz`);
      expect(health.statusCode).toBe(200);
      await health.body.dump();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const events = [];
    for await (const entry of openSpoolReader(spoolDir).entries()) events.push(entry.event);
    expect(events).toEqual([
      expect.objectContaining({
        event_id: 'cli-1:0',
        model: { name: 'from-env', version: null },
        protocol: 'mlflow',
        features: { a: 1, b: 2 },
        outputs: expect.objectContaining({ label: '2' }),
      }),
    ]);
  });
});
