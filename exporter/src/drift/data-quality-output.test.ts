import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDrift } from './command';
import { mulberry32 } from './reservoir';
import { driftCli as run } from '../../test/helpers/drift-cli';

// plumbline drift and issue #12: the data-quality checks of the current file in --json, the table and --html;
// a new or missing column is a finding, not an error; --fail-on-quality sets exit code 1.
const dir = mkdtempSync(join(tmpdir(), 'plumbline-drift-quality-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** A sensor log: height in metres, a zone, a temperature; `change` plants one pipeline break. */
function csv(rows: number, seed: number, change: 'none' | 'cm' | 'renamed' | 'extra' = 'none'): string {
  const rnd = mulberry32(seed);
  const header =
    change === 'renamed'
      ? 'height_m,zone,temp_c'
      : change === 'extra'
        ? 'height_m,zone,temperature,humidity'
        : 'height_m,zone,temperature';
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const h = 1.7 + 0.1 * (rnd() + rnd() + rnd() - 1.5);
    const zone = ['north', 'south', 'east'][Math.floor(rnd() * 3)];
    const t = (18 + 8 * (rnd() - 0.5)).toFixed(2);
    const height = change === 'cm' ? (h * 100).toFixed(1) : h.toFixed(3);
    lines.push(`${height},${zone},${t}${change === 'extra' ? `,${(rnd() * 100).toFixed(1)}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

const reference = file('ref.csv', csv(2000, 1));
const clean = file('clean.csv', csv(800, 2));

interface QualityJson {
  dataQuality: {
    checks: { feature: string; check: string; value: number; threshold: number; failed: boolean }[];
    failed: number;
  };
}

describe('plumbline drift: data-quality checks', () => {
  test('--json has top-level dataQuality { checks: [{ feature, check, value, threshold, failed }], failed }', async () => {
    const { out, exitCode } = await run(['--reference', reference, '--current', clean, '--json']);
    const json = JSON.parse(out) as QualityJson & Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['features', 'dataset', 'dataQuality', 'multivariate']);
    expect(Object.keys(json.dataQuality)).toEqual(['checks', 'failed']);
    expect(json.dataQuality.failed).toBe(0);
    expect(json.dataQuality.checks.length).toBeGreaterThan(10);
    for (const c of json.dataQuality.checks) {
      expect(Object.keys(c)).toEqual(['feature', 'check', 'value', 'threshold', 'failed']);
      expect(c.value).toBeGreaterThanOrEqual(0);
      expect(c.value).toBeLessThanOrEqual(1);
    }
    expect(new Set(json.dataQuality.checks.map((c) => c.check))).toEqual(
      new Set([
        'missing_column',
        'type_change',
        'missing_share',
        'out_of_range_share',
        'non_finite_share',
        'unseen_category_share',
        'constant',
      ]),
    );
    expect(exitCode).toBe(0);
  });

  test('a renamed column is a finding (missing_column + new_column), not an error; exit 0 without --fail-on-quality', async () => {
    const renamed = file('renamed.csv', csv(800, 3, 'renamed'));
    const { out, exitCode } = await run(['--reference', reference, '--current', renamed, '--json']);
    const json = JSON.parse(out) as QualityJson & {
      features: { name: string; n: number[]; missing: number[] }[];
    };
    expect(json.dataQuality.checks.filter((c) => c.failed).map((c) => `${c.feature}:${c.check}`)).toEqual([
      'temperature:missing_column',
      'temp_c:new_column',
    ]);
    expect(json.dataQuality.failed).toBe(2);
    // The absent column is missing on every row of the current file.
    expect(json.features.find((f) => f.name === 'temperature')).toMatchObject({
      n: [2000, 0],
      missing: [0, 800],
    });
    expect(exitCode).toBe(0);
  });

  test('--fail-on-quality exits 1 when a check failed, 0 when none did; --fail-on-drift is unchanged', async () => {
    const cm = file('cm.csv', csv(800, 4, 'cm'));
    expect((await run(['--reference', reference, '--current', cm, '--json'])).exitCode).toBe(0);
    expect(
      (await run(['--reference', reference, '--current', cm, '--json', '--fail-on-quality'])).exitCode,
    ).toBe(1);
    expect(
      (await run(['--reference', reference, '--current', clean, '--json', '--fail-on-quality'])).exitCode,
    ).toBe(0);
    const extra = file('extra.csv', csv(800, 5, 'extra'));
    expect((await run(['--reference', reference, '--current', extra, '--fail-on-quality'])).exitCode).toBe(1);
    expect((await run(['--reference', reference, '--current', clean, '--fail-on-drift'])).exitCode).toBe(0);
  });

  test('the table and --html list the failed checks', async () => {
    const cm = file('cm2.csv', csv(800, 6, 'cm'));
    const html = join(dir, 'report.html');
    const { out } = await run(['--reference', reference, '--current', cm, '--html', html]);
    expect(out).toMatch(/Data quality: 1 of \d+ checks FAILED/);
    expect(out).toMatch(/^height_m\s+out_of_range_share\s+1\s+0\.05\d*$/m);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Data quality: 1 of');
    expect(page).toMatch(/<td>height_m<\/td><td><code>out_of_range_share<\/code><\/td><td>1<\/td>/);
    const quiet = await run(['--reference', reference, '--current', clean]);
    expect(quiet.out).toMatch(/Data quality: no check failed \(\d+ checks\)\./);
  });

  test('JSON Lines with a key the reference lacks: a new column (and the unseen value of a new zone)', async () => {
    const ref = file(
      'ref.jsonl',
      Array.from({ length: 500 }, (_, i) => JSON.stringify({ x: i % 50, zone: ['a', 'b'][i % 2] })).join(
        '\n',
      ),
    );
    const cur = file(
      'cur.jsonl',
      Array.from({ length: 300 }, (_, i) =>
        JSON.stringify({ x: i % 50, zone: i % 3 ? 'a' : 'c', debug: 1 }),
      ).join('\n'),
    );
    const report = await runDrift({ reference: ref, current: cur });
    expect(report.dataQuality.checks.filter((c) => c.failed).map((c) => `${c.feature}:${c.check}`)).toEqual([
      'zone:unseen_category_share',
      'debug:new_column',
    ]);
    expect(report.unknownColumns).toEqual(['debug']);
  });
});
