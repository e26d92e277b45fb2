import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDrift } from './command';
import { mulberry32 } from './reservoir';
import { driftCli } from '../../test/helpers/drift-cli';

const run = async (args: string[]): Promise<string> => (await driftCli(args)).out;

const dir = mkdtempSync(join(tmpdir(), 'plumbline-drift-'));
const file = (name: string, text: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

function csv(rows: number, seed: number, shift: number): string {
  const rnd = mulberry32(seed);
  const lines = ['age,plan,score'];
  for (let i = 0; i < rows; i++) {
    const age = (30 + 10 * (rnd() + rnd() - 1) + shift * 10).toFixed(2);
    const plan = rnd() < 0.6 + shift / 3 ? 'basic' : 'pro';
    lines.push(`${age},${plan},${i % 10 === 0 ? '' : rnd().toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

const reference = file('ref.csv', csv(400, 1, 0));
const current = file('cur.csv', csv(300, 2, 0.6));
/** Parquet files pyarrow wrote, and their CSV twins (exporter/scripts/gen_parquet_fixtures.py). */
const parquetFixture = (name: string): string => join(__dirname, '..', '..', 'fixtures', 'parquet', name);

describe('plumbline drift', () => {
  test('--json prints the contract shape with every applicable test per feature', async () => {
    const out = JSON.parse(await run(['--reference', reference, '--current', current, '--json'])) as {
      features: {
        name: string;
        type: string;
        n: number[];
        missing: number[];
        tests: { name: string; statistic: number; pValue?: number; threshold: number; drift: boolean }[];
        drift: boolean;
      }[];
      dataset: { driftShare: number; drift: boolean };
    };
    expect(out.features.map((f) => [f.name, f.type])).toEqual([
      ['age', 'numerical'],
      ['plan', 'categorical'],
      ['score', 'numerical'],
    ]);
    const age = out.features[0];
    expect(age.n).toEqual([400, 300]);
    expect(age.tests.map((t) => t.name)).toEqual(['ks', 'psi', 'wasserstein', 'jensenshannon']);
    expect(typeof age.tests[0].pValue).toBe('number');
    expect('pValue' in age.tests[1]).toBe(false);
    expect(age.drift).toBe(true);
    expect(out.features[2].missing).toEqual([40, 30]);
    expect(out.features[2].drift).toBe(false);
    expect(out.dataset.driftShare).toBeCloseTo(out.features.filter((f) => f.drift).length / 3, 12);
  });

  test('default output is a human table; --html writes a self-contained report with an SVG per feature', async () => {
    const html = join(dir, 'report.html');
    const out = await run(['--reference', reference, '--current', current, '--html', html]);
    expect(out).toMatch(/^FEATURE\s+TYPE\s+N REF\/CUR/);
    expect(out).toMatch(/\*ks/);
    expect(out).toMatch(/Dataset: \d of 3 features drifted/);
    const page = readFileSync(html, 'utf8');
    expect(page.match(/<svg /g)).toHaveLength(3);
    expect(page).not.toMatch(/<script|<link|src="http/);
  });

  test('--column-type, --stattest and --threshold are applied', async () => {
    const out = JSON.parse(
      await run([
        '--reference',
        reference,
        '--current',
        current,
        '--json',
        '--column-type',
        'score=categorical',
        '--stattest',
        'psi',
        '--threshold',
        'psi=10',
        '--threshold',
        'age:psi=0',
      ]),
    ) as {
      features: {
        name: string;
        type: string;
        drift: boolean;
        tests: { name: string; threshold: number; decisive: boolean }[];
      }[];
    };
    expect(out.features[2].type).toBe('categorical');
    expect(out.features[0].tests.find((t) => t.decisive)!.name).toBe('psi');
    expect(out.features[0].tests.find((t) => t.name === 'psi')!.threshold).toBe(0);
    expect(out.features[0].drift).toBe(true);
    expect(out.features[1].drift).toBe(false);
  });

  test('JSON Lines input works like CSV', async () => {
    const ref = file('ref.jsonl', '{"x": 1, "c": "a"}\n{"x": 2, "c": "b"}\n{"x": 3, "c": null}\n');
    const cur = file('cur.jsonl', '{"x": 2.5, "c": "a"}\n{"c": "a"}\n');
    const report = await runDrift({ reference: ref, current: cur });
    expect(report.features.map((f) => [f.name, f.type, f.n, f.missing])).toEqual([
      ['x', 'numerical', [3, 1], [0, 1]],
      ['c', 'categorical', [2, 2], [1, 0]],
    ]);
  });

  test('Parquet input gives the same report as its CSV twin, statistic for statistic', async () => {
    // exporter/fixtures/parquet: pyarrow wrote ref (snappy, 3 row groups) and cur (zstd, 3 row groups) with floats,
    // float32, INT64 (and one beyond 2^53), DECIMAL, booleans, strings, timestamps, dates and nulls; the CSVs hold
    // the same values as plumbline reads them from Parquet.
    const json = (ref: string, cur: string): Promise<string> =>
      run(['--reference', parquetFixture(ref), '--current', parquetFixture(cur), '--json']);
    const fromCsv = await json('ref.csv', 'cur.csv');
    const fromParquet = await json('ref.parquet', 'cur.parquet');
    const mixed = await json('ref.parquet', 'cur.csv');
    expect(fromParquet).toBe(fromCsv);
    expect(mixed).toBe(fromCsv);
    const report = JSON.parse(fromParquet) as { features: { name: string; type: string; n: number[] }[] };
    expect(report.features.map((f) => [f.name, f.type])).toEqual([
      ['age', 'numerical'],
      ['plan', 'categorical'],
      ['clicks', 'numerical'],
      ['big', 'numerical'],
      ['active', 'categorical'],
      ['weight', 'numerical'],
      ['price', 'numerical'],
      ['signup', 'categorical'],
      ['day', 'categorical'],
    ]);
    expect(report.features[0].n).toEqual([300 - 18, 240 - 15]);
  });

  describe('bad input: clear error naming file and line, exit code 2', () => {
    const cases: [string, () => Promise<unknown>, RegExp][] = [
      [
        'missing file',
        () => runDrift({ reference: join(dir, 'nope.csv'), current }),
        /nope\.csv: no such file/,
      ],
      ['empty file', () => runDrift({ reference: file('empty.csv', ''), current }), /empty\.csv: empty file/],
      [
        'header only',
        () => runDrift({ reference: file('header.csv', 'a,b\n'), current }),
        /header\.csv: no data rows/,
      ],
      [
        'ragged row',
        () => runDrift({ reference: file('ragged.csv', 'a,b\n1,2\n3\n4,5\n'), current }),
        /ragged\.csv:3: ragged row: 1 fields, the header has 2/,
      ],
      [
        'bad JSON line',
        () => runDrift({ reference: file('bad.jsonl', '{"a":1}\n{"a":\n'), current }),
        /bad\.jsonl:2: malformed JSON/,
      ],
      [
        'unknown JSON key',
        () => runDrift({ reference: file('keys.jsonl', '{"a":1}\n{"b":2}\n'), current }),
        /keys\.jsonl:2: unknown column "b"/,
      ],
      [
        'Parquet file that is not one',
        () => runDrift({ reference, current: file('cur.parquet', 'age,plan,score\n1,a,2\n') }),
        /cur\.parquet: not a Parquet file/,
      ],
      [
        'truncated Parquet file',
        () => {
          const whole = readFileSync(parquetFixture('ref.parquet'));
          return runDrift({ reference: file('cut.parquet', whole.subarray(0, 5000)), current });
        },
        /cut\.parquet: truncated Parquet file/,
      ],
      [
        'Parquet list column',
        () => runDrift({ reference: parquetFixture('nested.parquet'), current }),
        /nested\.parquet: column "embedding" is a list column/,
      ],
      [
        'unknown --column-type column with Parquet input',
        () =>
          runDrift({
            reference: parquetFixture('ref.parquet'),
            current: parquetFixture('cur.parquet'),
            columnType: ['score=numerical'],
          }),
        /--column-type: unknown column "score" \(columns: age, plan, clicks/,
      ],
      [
        'unknown --column-type column',
        () => runDrift({ reference, current, columnType: ['nope=numerical'] }),
        /--column-type: unknown column "nope"/,
      ],
      [
        'unknown stat test',
        () => runDrift({ reference, current, stattest: ['anderson'] }),
        /unknown stat test "anderson"; known stat tests: ks, chisquare/,
      ],
      [
        'test that does not apply',
        () => runDrift({ reference, current, stattest: ['plan=ks'] }),
        /"ks" does not apply to categorical column "plan"/,
      ],
    ];
    test.each(cases)('%s', async (_n, fn, message) => {
      await expect(fn()).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringMatching(message) as unknown,
      });
    });
  });
});
