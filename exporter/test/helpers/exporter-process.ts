/**
 * The built `plumbline exporter` in a child process, as users run it (for tests that kill and restart it). Run
 * `npm run build` first (`npm test` does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { request } from 'undici';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'plumbline.js');

export interface ExporterProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  output(): string;
}

/** Throws with what to do when the CLI is not built. */
export function requireBuiltCli(): void {
  if (!existsSync(path.join(ROOT, 'cli', 'dist', 'main.js')))
    throw new Error('the CLI is not built: run `npm run build` before this test');
}

/** Starts `plumbline exporter --config <configFile>` in `cwd`; resolves once it listens (its URL from its log). */
export async function startExporterProcess(configFile: string, cwd: string): Promise<ExporterProcess> {
  const child = spawn(process.execPath, [BIN, 'exporter', '--config', configFile], { cwd });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /"url":"(http:\/\/[^"]+)".*exporter listening/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout?.on('data', check);
    void exited.then(() => reject(new Error(`exporter exited early:\n${out}`)));
  });
  return { child, url, exited, output: () => out };
}

/** Inference events the exporter at `url` has read from its spool source so far (its /metrics). */
export async function consumedFromSpool(url: string): Promise<number> {
  const text = await (await request(`${url}/metrics`)).body.text();
  const m = /plumbline_exporter_events_consumed_total\{source="spool",kind="inference"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}
