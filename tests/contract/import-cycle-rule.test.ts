/**
 * The lint rule `plumbline/no-import-cycle` (scripts/eslint-no-import-cycle.mjs) reports cycles that
 * import-x/no-cycle cannot see: it counts type-only imports too. Run through the real ESLint CLI on small trees of
 * files in a temporary folder, with a config that loads the rule and the TypeScript parser and nothing else.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.join(__dirname, '..', '..');
const ESLINT = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

/** Lints `files` (name → text) in a fresh folder; the messages of each file, by name. */
function lint(files: Record<string, string>): Record<string, LintMessage[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'plumbline-cycle-rule-'));
  try {
    const parser = pathToFileURL(require.resolve('@typescript-eslint/parser')).href;
    const rule = pathToFileURL(path.join(ROOT, 'scripts', 'eslint-no-import-cycle.mjs')).href;
    writeFileSync(
      path.join(dir, 'eslint.config.mjs'),
      [
        `import * as parser from ${JSON.stringify(parser)};`,
        `import rule from ${JSON.stringify(rule)};`,
        'export default [{',
        "  files: ['**/*.ts'],",
        '  languageOptions: { parser },',
        "  plugins: { plumbline: { rules: { 'no-import-cycle': rule } } },",
        "  rules: { 'plumbline/no-import-cycle': 'error' },",
        '}];',
      ].join('\n'),
    );
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const run = spawnSync(process.execPath, [ESLINT, '--format', 'json', ...Object.keys(files)], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (run.status !== 0 && run.status !== 1) throw new Error(`eslint exited ${run.status}: ${run.stderr}`);
    const results = JSON.parse(run.stdout) as { filePath: string; messages: LintMessage[] }[];
    return Object.fromEntries(results.map((r) => [path.basename(r.filePath), r.messages]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cycles = (messages: LintMessage[]) =>
  messages.filter((m) => m.ruleId === 'plumbline/no-import-cycle').map((m) => m.message);

test('a cycle of type-only imports is reported in both files, with the whole cycle', () => {
  const out = lint({
    'a.ts': "import type { B } from './b';\nexport interface A { b: B }\n",
    'b.ts': "import type { A } from './a';\nexport interface B { a: A }\n",
  });
  expect(cycles(out['a.ts'])).toEqual([
    'Import cycle: a.ts → b.ts → a.ts. Move what both sides need into a module of its own.',
  ]);
  expect(cycles(out['b.ts'])).toEqual([
    'Import cycle: b.ts → a.ts → b.ts. Move what both sides need into a module of its own.',
  ]);
});

test('a value cycle through three modules and an export-from is reported', () => {
  const out = lint({
    'x.ts': "import { y } from './y';\nexport const x = () => y();\n",
    'y.ts': "export { z as y } from './z';\n",
    'z.ts': "import { x } from './x';\nexport const z = () => x;\n",
  });
  expect(cycles(out['x.ts'])).toEqual([expect.stringContaining('x.ts → y.ts → z.ts → x.ts')]);
  expect(cycles(out['y.ts'])).toHaveLength(1);
  expect(cycles(out['z.ts'])).toHaveLength(1);
});

test('shared types moved into their own module: no cycle, nothing reported', () => {
  const out = lint({
    'types.ts': 'export interface Row { n: number }\n',
    'read.ts':
      "import type { Row } from './types';\nimport { write } from './write';\nexport const read = (r: Row) => write(r);\n",
    'write.ts': "import type { Row } from './types';\nexport const write = (r: Row) => r.n;\n",
  });
  expect(Object.values(out).flatMap(cycles)).toEqual([]);
});
