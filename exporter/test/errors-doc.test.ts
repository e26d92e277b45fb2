// exporter/src/errors.ts lists every EXPORTER_ERR_* code; docs/errors.md has exactly one row per listed code; and
// no file in exporter/src (tests aside) uses a code the list lacks.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORTER_ERRORS } from '../src/errors';

const SRC = join(__dirname, '..', 'src');
const listed = Object.keys(EXPORTER_ERRORS).sort();

function files(path: string): string[] {
  return statSync(path).isDirectory() ? readdirSync(path).flatMap((f) => files(join(path, f))) : [path];
}

/** Every `EXPORTER_ERR_*` literal in src/ outside tests and errors.ts; one ending in `_` is a prefix (`startsWith`). */
function literalsInSrc(): string[] {
  const found = files(SRC)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== join(SRC, 'errors.ts'))
    .flatMap((f) => readFileSync(f, 'utf8').match(/\bEXPORTER_ERR_[A-Z_]+/g) ?? []);
  return [...new Set(found)].sort();
}

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');
const documented = [...doc.matchAll(/^\| `(EXPORTER_ERR_[A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [
  m[1],
  m[2].trim(),
]);

it('docs/errors.md has one row per code in exporter/src/errors.ts, and no row for a code that does not exist', () => {
  expect(documented.map(([code]) => code).sort()).toEqual(listed);
});

it('every EXPORTER_ERR_* literal in exporter/src is listed in exporter/src/errors.ts', () => {
  const used = literalsInSrc();
  expect(used.filter((c) => !c.endsWith('_') && !listed.includes(c))).toEqual([]);
  expect(used.filter((c) => c.endsWith('_') && !listed.some((l) => l.startsWith(c)))).toEqual([]);
  expect(used.length).toBeGreaterThan(5);
});

it('every listed code is used somewhere in exporter/src besides errors.ts', () => {
  const used = literalsInSrc();
  expect(listed.filter((c) => !used.includes(c))).toEqual([]);
});

it('states the HTTP status or exit code each code is answered with', () => {
  for (const [code, column] of documented) {
    const entry = EXPORTER_ERRORS[code as keyof typeof EXPORTER_ERRORS] as { http?: number; exit?: number };
    if (/^\d{3}/.test(column)) expect(`${code} ${column.slice(0, 3)}`).toBe(`${code} ${entry.http}`);
    const exit = /^exit code (\d)/.exec(column);
    if (exit) expect(`${code} exit ${exit[1]}`).toBe(`${code} exit ${entry.exit}`);
  }
});
