/**
 * Stage timers for the whole `plumbline drift` report on the bench:drift data (run bench:drift once first, it
 * generates the data): wall and CPU time (process.cpuUsage: every thread) per stage, best of N.
 * node --expose-gc exporter/bench/run.js whole-report-stages.ts
 */
import { readFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { createDriftDetector } from '../src/drift/detector';
import { buildReferenceProfile } from '../src/drift/in-memory-profile-builder';
import { createNumericPool } from '../src/drift/numeric-pool';
import type { CellValue } from '../src/stats/missing';
import { dataQualityChecks } from '../src/data-quality/data-quality';
import { bucketSchemaFromProfile } from '../src/windows/buckets/bucket-schema';

const dataDir = join(tmpdir(), 'plumbline-bench-drift');
const f64 = (file: string): Float64Array => {
  const b = readFileSync(join(dataDir, file));
  return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8).slice();
};
const u8 = (file: string): Uint8Array => new Uint8Array(readFileSync(join(dataDir, file)));
const meta = JSON.parse(readFileSync(join(dataDir, 'meta.json'), 'utf8')) as {
  numerical: string[];
  categorical: string[];
};
const ref: Record<string, CellValue[]> = {};
const cur: Record<string, CellValue[]> = {};
for (const n of meta.numerical) {
  ref[n] = Array.from(f64(`${n}.ref.f64`));
  cur[n] = Array.from(f64(`${n}.cur.f64`));
}
for (const n of meta.categorical) {
  ref[n] = Array.from(u8(`${n}.ref.u8`), (c) => `c${c}`);
  cur[n] = Array.from(u8(`${n}.cur.u8`), (c) => `c${c}`);
}
const pool = createNumericPool();
const nCur = cur[meta.numerical[0]].length;
const totals = new Map<string, { wall: number[]; cpu: number[] }>();
function stage<T>(name: string, fn: () => T): T {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const v = fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1000;
  const e = totals.get(name) ?? { wall: [], cpu: [] };
  e.wall.push(wall);
  e.cpu.push(cpu);
  totals.set(name, e);
  return v;
}
const runs = Number(process.env.RUNS ?? 5);
for (let i = 0; i < runs; i++) {
  (globalThis as { gc?: () => void }).gc?.();
  stage('whole', () => {
    const profile = stage('1 profile (incl. multivariate fit)', () =>
      buildReferenceProfile(ref, { reservoirSize: Infinity, pool }),
    );
    const schema = bucketSchemaFromProfile(profile);
    const { report, quality, multivariate } = stage(
      '2 drift evaluate + data-quality counts + multivariate drift',
      () =>
        createDriftDetector(profile, { pool }).evaluateTable(cur, { schema, rows: nCur, multivariate: true }),
    );
    const dq = stage('3 dataQualityChecks', () => dataQualityChecks(quality, schema, profile));
    const mv = multivariate;
    return { report, dq, mv };
  });
}
const med = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
process.stdout.write(
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; ${runs} runs (first includes worker start)\n`,
);
process.stdout.write('| stage | wall min | wall median | cpu min | cpu median |\n|---|---|---|---|---|\n');
for (const [name, e] of [...totals].sort((a, b) => a[0].localeCompare(b[0])))
  process.stdout.write(
    `| ${name} | ${Math.min(...e.wall).toFixed(1)} ms | ${med(e.wall).toFixed(1)} ms | ${Math.min(...e.cpu).toFixed(1)} ms | ${med(e.cpu).toFixed(1)} ms |\n`,
  );
pool.close();
