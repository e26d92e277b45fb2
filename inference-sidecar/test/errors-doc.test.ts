import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SIDECAR_ERRORS } from '../src/errors';

function files(path: string): string[] {
  return statSync(path).isDirectory() ? readdirSync(path).flatMap((f) => files(join(path, f))) : [path];
}

describe('docs/errors.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');
  const documented = [...doc.matchAll(/^\| `(SIDECAR_ERR_[A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [
    m[1],
    m[2].trim(),
  ]);

  it('has one row per SIDECAR_ERR_* code, and no row for a code that does not exist', () => {
    expect(documented.map(([code]) => code).sort()).toEqual(Object.keys(SIDECAR_ERRORS).sort());
  });

  it('states the HTTP status each code is answered with', () => {
    for (const [code, http] of documented) {
      const status = SIDECAR_ERRORS[code as keyof typeof SIDECAR_ERRORS].status;
      if (/^\d{3}/.test(http)) expect(`${code} ${http.slice(0, 3)}`).toBe(`${code} ${status}`);
    }
  });

  it('lists every SIDECAR_ERR_* literal used in inference-sidecar/src (a literal ending in _ is a prefix)', () => {
    const listed = Object.keys(SIDECAR_ERRORS);
    const used = [
      ...new Set(
        files(join(__dirname, '..', 'src'))
          .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
          .flatMap((f) => readFileSync(f, 'utf8').match(/\bSIDECAR_ERR_[A-Z_]+/g) ?? []),
      ),
    ];
    expect(used.filter((c) => !c.endsWith('_') && !listed.includes(c))).toEqual([]);
    expect(used.filter((c) => c.endsWith('_') && !listed.some((l) => l.startsWith(c)))).toEqual([]);
    expect(used.length).toBeGreaterThan(5);
  });
});
