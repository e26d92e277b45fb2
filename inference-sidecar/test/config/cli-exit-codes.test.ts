// The `sidecar` command's contract with cli/src/main.ts: bad configuration throws an Error with exitCode 2 and a
// message naming the key (main prints it and exits 2; the built CLI is checked in sidecar-command.int.test.ts).
import { Command } from 'commander';
import { registerSidecarCommand } from '../../src/sidecar-command';

async function run(args: string[]): Promise<{ exitCode?: number; message: string }> {
  const program = new Command('plumbline').exitOverride();
  registerSidecarCommand(program);
  try {
    await program.parseAsync(['node', 'plumbline', 'sidecar', ...args]);
  } catch (err) {
    return { exitCode: (err as { exitCode?: number }).exitCode, message: (err as Error).message };
  }
  throw new Error('expected the command to fail');
}

describe('plumbline sidecar: bad configuration → exit code 2 and a message naming the key', () => {
  it.each([
    [
      ['--upstream', 'http://127.0.0.1:1', '--port', 'eighty'],
      /^invalid config: port: must be a port number/,
    ],
    [['--port', '0'], /^invalid config: upstream: /],
    [['--upstream', 'http://127.0.0.1:1', '--protocol', 'grpc'], /^invalid config: protocol: /],
    [
      ['--upstream', 'http://127.0.0.1:1', '--kafka', 'broker-without-port'],
      /^invalid config: sinks\.kafka\.brokers\.0: must be host:port/,
    ],
    [['--upstream', 'http://127.0.0.1:1', '--shadow', 'challenger:8080'], /^invalid config: shadow\.url: /],
    [
      ['--upstream', 'http://127.0.0.1:1', '--config', '/nonexistent/sidecar.yaml'],
      /^invalid config: config: cannot read/,
    ],
  ])('%j', async (args, message) => {
    const { exitCode, message: text } = await run(args);
    expect(exitCode).toBe(2);
    expect(text).toMatch(message);
  });
});
