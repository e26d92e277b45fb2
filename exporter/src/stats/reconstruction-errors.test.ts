import { reconstructionErrors } from './reconstruction-errors';

const axis = [Math.SQRT1_2, Math.SQRT1_2];

describe('reconstructionErrors', () => {
  test('the distance from the standardised row to its projection on the kept axes', () => {
    const model = { means: [10, 100], scales: [2, 5], components: [axis] };
    // Rows (12, 105) → z = (1, 1), on the axis: error 0. (12, 95) → z = (1, −1), orthogonal: error √2.
    const e = reconstructionErrors(model, [Float64Array.of(12, 12), Float64Array.of(105, 95)], 2);
    expect(e[0]).toBeCloseTo(0, 15);
    expect(e[1]).toBeCloseTo(Math.SQRT2, 15);
  });

  test('a missing or non-finite value is imputed with the mean (z = 0)', () => {
    const model = { means: [0, 0], scales: [1, 1], components: [axis] };
    const e = reconstructionErrors(
      model,
      [Float64Array.of(Number.NaN, Number.POSITIVE_INFINITY, 0), Float64Array.of(2, 2, 2)],
      3,
    );
    expect(e[0]).toBe(e[2]);
    expect(e[1]).toBe(e[2]);
    expect(e[2]).toBeCloseTo(Math.SQRT2, 15); // z = (0, 2): half of it off the axis
  });

  test('keeping every axis reconstructs every row exactly; keeping none leaves the row itself', () => {
    const cols = [Float64Array.of(1, -3, 0.5), Float64Array.of(2, 7, -1)];
    const all = reconstructionErrors(
      { means: [0, 0], scales: [1, 1], components: [axis, [Math.SQRT1_2, -Math.SQRT1_2]] },
      cols,
      3,
    );
    all.forEach((v) => expect(v).toBeCloseTo(0, 14));
    const none = reconstructionErrors({ means: [0, 0], scales: [1, 1], components: [] }, cols, 3);
    [Math.hypot(1, 2), Math.hypot(-3, 7), Math.hypot(0.5, -1)].forEach((v, i) =>
      expect(none[i]).toBeCloseTo(v, 14),
    );
  });

  test('with the residual axes (the cheaper form when they are fewer than 2k): the same errors', () => {
    // An orthonormal basis of R³: one kept axis, two residual ones (p − k = 2 ≥ 2k = 2: explicit form), and the
    // same basis split two kept / one residual (1 < 4: residual form).
    const s3 = 1 / Math.sqrt(3);
    const s2 = Math.SQRT1_2;
    const s6 = 1 / Math.sqrt(6);
    const basis = [
      [s3, s3, s3],
      [s2, -s2, 0],
      [s6, s6, -2 * s6],
    ];
    const cols = [
      Float64Array.of(1, -2, 0.3, Number.NaN),
      Float64Array.of(4, 0.5, -1, 2),
      Float64Array.of(-3, 2, 7, 1),
    ];
    const base = { means: [0.5, 1, -1], scales: [2, 1, 3] };
    for (const k of [1, 2]) {
      const explicit = reconstructionErrors({ ...base, components: basis.slice(0, k) }, cols, 4);
      const residual = reconstructionErrors(
        { ...base, components: basis.slice(0, k), residualAxes: basis.slice(k) },
        cols,
        4,
      );
      explicit.forEach((v, i) => expect(residual[i]).toBeCloseTo(v, 13));
    }
    expect(() =>
      reconstructionErrors({ ...base, components: basis.slice(0, 1), residualAxes: basis.slice(2) }, cols, 4),
    ).toThrow(/1 residual axes, expected 2 of 3/);
  });

  test('reads rows 0 … size − 1 only, and throws when the shapes disagree', () => {
    const model = { means: [0, 0], scales: [1, 1], components: [axis] };
    expect(reconstructionErrors(model, [Float64Array.of(1, 9), Float64Array.of(1, 9)], 1)).toHaveLength(1);
    expect(() => reconstructionErrors(model, [Float64Array.of(1)], 1)).toThrow(
      /1 columns, but a model for 2/,
    );
    expect(() => reconstructionErrors(model, [Float64Array.of(1), Float64Array.of(1)], 2)).toThrow(
      /a column has 1 < 2 rows/,
    );
  });

  test('rows a block at a time: bit for bit the errors of a row-by-row computation, across block ends', () => {
    // Regression guard for the blocked loops: the same operations in the same order as one row at a time.
    const p = 5;
    const size = 256 * 2 + 37;
    const columns = Array.from({ length: p }, (_, j) =>
      Float64Array.from({ length: size }, (_, i) => (i % 13 === j ? Number.NaN : Math.sin(i * (j + 2)) * 10)),
    );
    const axes = Array.from({ length: p }, (_, c) =>
      Array.from({ length: p }, (_, j) => Math.cos(c * p + j)),
    );
    const means = [0.5, -1, 2, 0, 3];
    const scales = [1.5, 2, 0.25, 1, 7];
    const rowByRow = (kept: number[][], viaResidual: boolean): number[] =>
      Array.from({ length: size }, (_, i) => {
        const z = columns.map((c, j) => (Number.isFinite(c[i]) ? (c[i] - means[j]) / scales[j] : 0));
        const t = kept.map((v) => z.reduce((s, zj, j) => s + v[j] * zj, 0));
        if (viaResidual) return Math.sqrt(t.reduce((s, x) => s + x * x, 0));
        return Math.sqrt(
          z.reduce((sq, zj, j) => {
            const d = zj - t.reduce((b, tc, c) => b + kept[c][j] * tc, 0);
            return sq + d * d;
          }, 0),
        );
      });
    const components = axes.slice(0, 2);
    const residualAxes = axes.slice(2);
    expect([...reconstructionErrors({ means, scales, components }, columns, size)]).toEqual(
      rowByRow(components, false),
    );
    const narrow = { means, scales, components: axes.slice(0, 4), residualAxes: axes.slice(4) };
    expect([...reconstructionErrors(narrow, columns, size)]).toEqual(rowByRow(axes.slice(4), true));
    expect(residualAxes.length).toBe(3); // 3 ≥ 2 · 2: the wide model above went through the kept axes
  });
});
