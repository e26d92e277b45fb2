/**
 * The end-of-run secret scan (issue #15): no secret a test made (harness/secrets.ts) may appear in any log line the
 * run produced. The root jest globalTeardown calls {@link scanRun}; a hit fails the run, reported by the secret's
 * label, the file and the line number, never by the value.
 *
 * What is scanned: the run's captured output (`<run dir>/output/`: everything the jest process wrote to stdout and
 * stderr — reporters, test console output, failure messages, worker output piped through it; see
 * {@link teeProcessOutput}) and every service log a suite used (`<run dir>/used/`), plus any `*.log` under
 * test-artifacts/services written since the run began. Each secret is looked for as it is, base64-encoded and
 * URL-encoded (an `Authorization: Basic` header or a query string would carry it so).
 *
 * Not seen: output a test process writes straight to a file descriptor while jest runs in band (`-i`): the
 * workers' descriptors are pipes into the jest process, the in-band process' are the terminal.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  type Dirent,
} from 'node:fs';
import { join } from 'node:path';
import { secretsDir, MIN_SCANNED_SECRET_LENGTH } from './secrets';

export interface SecretHit {
  /** What the secret was for (its label). */
  label: string;
  file: string;
  /** 1-based. */
  line: number;
  /** How it appeared: `as is`, `base64`, `url-encoded`. */
  form: string;
}

interface Secret {
  label: string;
  value: string;
}

/** The directory of a run's captured output. */
export function outputDir(runDir: string): string {
  return join(runDir, 'output');
}

/** The secrets the run's test processes recorded. */
export function recordedSecrets(runDir: string): Secret[] {
  const dir = secretsDir(runDir);
  if (!existsSync(dir)) return [];
  const seen = new Map<string, Secret>();
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const tab = line.indexOf('\t');
      if (tab < 0) continue;
      const value = Buffer.from(line.slice(tab + 1), 'base64url').toString();
      if (value.length >= MIN_SCANNED_SECRET_LENGTH) seen.set(value, { label: line.slice(0, tab), value });
    }
  }
  return [...seen.values()];
}

/** Every form a secret is looked for in. */
function forms(value: string): { form: string; text: string }[] {
  const out = [
    { form: 'as is', text: value },
    { form: 'base64', text: Buffer.from(value).toString('base64').replace(/=+$/, '') },
  ];
  const encoded = encodeURIComponent(value);
  if (encoded !== value) out.push({ form: 'url-encoded', text: encoded });
  return out;
}

/** The hits of `secrets` in one file (read as UTF-8 text, line by line). */
export function scanFile(file: string, secrets: readonly Secret[]): SecretHit[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const patterns = secrets.flatMap((s) => forms(s.value).map((f) => ({ ...f, label: s.label })));
  const hits: SecretHit[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    for (const p of patterns) {
      if (lines[i].includes(p.text)) hits.push({ label: p.label, file, line: i + 1, form: p.form });
    }
  }
  return hits;
}

function logFilesSince(dir: string, sinceMs: number, out: Set<string>): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) logFilesSince(path, sinceMs, out);
    else if (entry.isFile() && entry.name.endsWith('.log')) {
      try {
        if (statSync(path).mtimeMs >= sinceMs) out.add(path);
      } catch {
        // removed meanwhile
      }
    }
  }
}

/** The files a run's scan reads (see the file's comment). */
export function scannedFiles(runDir: string, servicesRoot: string, sinceMs: number): string[] {
  const files = new Set<string>();
  const output = outputDir(runDir);
  if (existsSync(output)) for (const f of readdirSync(output)) files.add(join(output, f));
  const used = join(runDir, 'used');
  if (existsSync(used)) {
    for (const record of readdirSync(used)) {
      for (const line of readFileSync(join(used, record), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const { logFile } = JSON.parse(line) as { logFile: string };
        files.add(logFile);
      }
    }
  }
  logFilesSince(servicesRoot, sinceMs, files);
  return [...files].sort();
}

/** Scans a run: its recorded secrets in its files. */
export function scanRun(
  runDir: string,
  servicesRoot: string,
  sinceMs: number,
): { secrets: number; files: number; hits: SecretHit[] } {
  const secrets = recordedSecrets(runDir);
  const files = scannedFiles(runDir, servicesRoot, sinceMs);
  const hits = secrets.length === 0 ? [] : files.flatMap((file) => scanFile(file, secrets));
  return { secrets: secrets.length, files: files.length, hits };
}

/** One line per hit, naming the secret by label only. */
export function describeHits(hits: readonly SecretHit[]): string {
  return hits.map((h) => `  ${h.file}:${h.line}: the ${h.label} (${h.form})`).join('\n');
}

/**
 * Copies everything this process writes to stdout and stderr into `<run dir>/output/<name>.log` as well (the
 * root jest globalSetup calls it for the jest process: reporters, console output, failures, piped worker output).
 */
export function teeProcessOutput(runDir: string, name: string): void {
  const dir = outputDir(runDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.log`);
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      try {
        if (typeof chunk === 'string' || chunk instanceof Uint8Array) appendFileSync(file, chunk);
      } catch {
        // the copy is best effort; the terminal still gets everything
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}
