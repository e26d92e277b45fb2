/** `plumbline drift <args>` in-process through commander, its stdout captured; `process.exitCode` put back after. */
import { Command } from 'commander';
import { registerDriftCommand } from '../../src/drift/command';

export async function driftCli(args: readonly string[]): Promise<{ out: string; exitCode: number }> {
  const program = new Command().exitOverride();
  registerDriftCommand(program);
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const before = process.exitCode;
  try {
    await program.parseAsync(['node', 'plumbline', 'drift', ...args]);
    return { out, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    spy.mockRestore();
    process.exitCode = before;
  }
}
