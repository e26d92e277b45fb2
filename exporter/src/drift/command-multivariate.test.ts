import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { correlationFlipCsv } from '../../test/helpers/correlation-flip';
import { driftCli } from '../../test/helpers/drift-cli';

const run = async (args: string[]): Promise<string> => (await driftCli(args)).out;

const dir = mkdtempSync(join(tmpdir(), 'plumbline-multivariate-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
// The NannyML fixture's data (exporter/scripts/gen_multivariate_fixture.py), as files.
const reference = file('reference.csv', correlationFlipCsv({ seed: 20261201, rows: 10000, rho: 0.9 }));
const flip = file('flip.csv', correlationFlipCsv({ seed: 7, rows: 2000, rho: -0.9 }));
const control = file('control.csv', correlationFlipCsv({ seed: 8, rows: 2000, rho: 0.9 }));
const nannyml = (
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/multivariate.json'), 'utf8')) as {
    byChunkSize: Record<string, { analysis: Record<string, { chunks: number[]; alerts: boolean[] }> }>;
  }
).byChunkSize['2000'].analysis;

interface Json {
  features: { name: string; drift: boolean; tests: { name: string; drift: boolean }[] }[];
  multivariate: Record<string, unknown> | null;
  multivariateSkipped?: string;
}

describe('plumbline drift: multivariate drift (issue #12 item 5)', () => {
  test('--json: the "multivariate" contract; a correlation flip fires it while every KS stays quiet', async () => {
    const out = JSON.parse(await run(['--reference', reference, '--current', flip, '--json'])) as Json;
    for (const f of out.features)
      expect([f.name, f.tests.find((t) => t.name === 'ks')!.drift]).toEqual([f.name, false]);
    const m = out.multivariate!;
    expect(Object.keys(m)).toEqual([
      'method',
      'components',
      'referenceError',
      'currentError',
      'lower',
      'upper',
      'drift',
      'rows',
    ]);
    expect(m).toMatchObject({ method: 'pca-reconstruction', components: 2, drift: true, rows: 2000 });
    // The file's 2,000 rows are NannyML's one analysis chunk of 2,000: the same value, the same alert.
    expect(Math.abs((m.currentError as number) / nannyml.flip.chunks[0] - 1)).toBeLessThan(1e-9);
    expect(m.drift).toBe(nannyml.flip.alerts[0]);
    expect('multivariateSkipped' in out).toBe(false);
  });

  test('--json on the control: no multivariate drift, as NannyML', async () => {
    const out = JSON.parse(await run(['--reference', reference, '--current', control, '--json'])) as Json;
    expect(Math.abs((out.multivariate!.currentError as number) / nannyml.control.chunks[0] - 1)).toBeLessThan(
      1e-9,
    );
    expect(out.multivariate!.drift).toBe(false);
  });

  test('the table and the HTML report show it', async () => {
    const html = join(dir, 'report.html');
    const table = await run(['--reference', reference, '--current', flip, '--html', html]);
    expect(table).toMatch(
      /^Multivariate \(pca-reconstruction, 2 components\): mean reconstruction error 1\.588 over 2000 rows vs reference 1\.011, thresholds \[0\.9749, 1\.047\] → MULTIVARIATE DRIFT$/m,
    );
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<section class="card drifted" id="multivariate">');
    expect(page).toContain('<td>1.588</td><td>0.9749</td><td>1.047</td><td>drift</td>');
  });

  test('fewer than two numerical features: "multivariate": null with the reason, in every output', async () => {
    const ref = file('one-ref.csv', 'x,plan\n1,a\n2,b\n3,a\n4,b\n');
    const cur = file('one-cur.csv', 'x,plan\n1,a\n5,b\n');
    const out = JSON.parse(await run(['--reference', ref, '--current', cur, '--json'])) as Json;
    expect(out.multivariate).toBeNull();
    expect(out.multivariateSkipped).toBe(
      'fewer than two numerical features with values in the reference (only "x")',
    );
    expect(await run(['--reference', ref, '--current', cur])).toContain(
      'Multivariate (pca-reconstruction): skipped: fewer than two numerical features',
    );
  });
});
