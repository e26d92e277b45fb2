import { principalComponents } from './principal-components';

describe('principalComponents', () => {
  test('two correlated variables: the axes are the diagonals, the shares (1 ± ρ) / 2', () => {
    const { components, explainedVarianceRatio } = principalComponents(
      [
        [1, 0.9],
        [0.9, 1],
      ],
      { varianceShare: 0.65 },
    );
    expect(explainedVarianceRatio[0]).toBeCloseTo(0.95, 14);
    expect(explainedVarianceRatio[1]).toBeCloseTo(0.05, 14);
    expect(components).toHaveLength(1);
    // Up to its (arbitrary) sign, the first axis is (1, 1) / √2.
    const [a, b] = components[0];
    expect(Math.abs(a)).toBeCloseTo(Math.SQRT1_2, 14);
    expect(b).toBeCloseTo(a, 14);
  });

  test("scikit-learn's rule: k is the smallest count whose cumulative share is strictly above the share", () => {
    const diag = [
      [3, 0, 0],
      [0, 0.5, 0],
      [0, 0, 0.5],
    ];
    // Shares 0.75, 0.125, 0.125.
    expect(principalComponents(diag, { varianceShare: 0.74 }).components).toHaveLength(1);
    expect(principalComponents(diag, { varianceShare: 0.75 }).components).toHaveLength(2);
    expect(principalComponents(diag, { varianceShare: 0.999 }).components).toHaveLength(3);
  });

  test('the axes are unit vectors, orthogonal, largest variance first', () => {
    const cov = [
      [2, 0.3, -0.4, 0.1],
      [0.3, 1, 0.2, 0],
      [-0.4, 0.2, 1.5, 0.6],
      [0.1, 0, 0.6, 0.8],
    ];
    const { components, explainedVarianceRatio } = principalComponents(cov, { varianceShare: 0.99 });
    expect(components).toHaveLength(4);
    // With fewer kept, the residual axes are the rest of the same basis.
    const half = principalComponents(cov, { varianceShare: 0.6 });
    expect(half.components.length + half.residualAxes.length).toBe(4);
    [...half.components, ...half.residualAxes].forEach((axis, i) =>
      axis.forEach((v, j) => expect(Math.abs(v)).toBeCloseTo(Math.abs(components[i][j]), 12)),
    );
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        const dot = components[i].reduce((s, v, k) => s + v * components[j][k], 0);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    for (let i = 1; i < 4; i++)
      expect(explainedVarianceRatio[i]).toBeLessThanOrEqual(explainedVarianceRatio[i - 1]);
    expect(explainedVarianceRatio.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  test('throws on a matrix that is not square, a share outside (0, 1), no variance', () => {
    expect(() => principalComponents([[1, 2]], { varianceShare: 0.5 })).toThrow(/expected a square matrix/);
    expect(() => principalComponents([[1]], { varianceShare: 1 })).toThrow(
      /varianceShare must be in \(0, 1\), got 1/,
    );
    expect(() =>
      principalComponents(
        [
          [0, 0],
          [0, 0],
        ],
        { varianceShare: 0.5 },
      ),
    ).toThrow(/no variance/);
  });
});
