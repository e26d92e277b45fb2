// `plumbline exporter` through the real CLI entry: configuration errors end with exit code 2 and name the key.
import { main } from './main';

async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    const code = await main(['node', 'plumbline', ...args]);
    return { code, stderr: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('plumbline exporter', () => {
  it('exits 2 naming the key for an invalid flag value', async () => {
    const r = await run(['exporter', '--model', 'iris', '--port', '70000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid config key port \(from command line\)/);
  });

  it('exits 2 naming `models` when no model is configured', async () => {
    const r = await run(['exporter', '--spool-dir', '/tmp/nowhere']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid config key models/);
  });

  it('exits 2 when --capture-baseline lacks its range or gets a bad time', async () => {
    expect((await run(['exporter', '--model', 'iris', '--capture-baseline'])).stderr).toMatch(
      /needs --from and --to/,
    );
    const bad = await run([
      'exporter',
      '--model',
      'iris',
      '--capture-baseline',
      '--from',
      'yesterday',
      '--to',
      'now',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--from must be an ISO 8601 time/);
  });
});
