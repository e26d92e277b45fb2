#!/usr/bin/env python3
"""Writes exporter/fixtures/version-comparison.json: two-proportion z-tests for the version comparison.

statsmodels' proportions_ztest (pooled variance, two-sided, its defaults) on pairs of (successes, trials), with
scipy's chi-square test of the 2x2 table without continuity correction as a cross-check (chi2 = z^2, same p-value).
statsmodels is not part of the project's setup; the venv gen_multivariate_fixture.py uses has it:
    ~/.cache/plumbline/nannyml-venv/bin/python exporter/scripts/gen_version_comparison_fixture.py
(generated with statsmodels 0.15.0, scipy 1.17.1).
exporter/src/versions/compare-versions.test.ts reads the fixture.
"""
import json
import os

import numpy as np
import scipy
import statsmodels
from scipy.stats import chi2_contingency
from statsmodels.stats.proportion import proportions_ztest

# (x1, n1, x2, n2): the order is (a, b); z > 0 when b's proportion is higher.
CASES = [
    (10, 100, 25, 100),
    (50, 1000, 50, 1000),
    (50, 1000, 65, 1000),
    (50, 1000, 80, 1000),
    (12, 5000, 31, 4000),
    (930, 1000, 905, 1000),
    (180, 200, 150, 200),
    (1, 250, 0, 300),
    (4990, 5000, 4999, 5000),
    (3000, 60000, 3300, 60000),
    (0, 300, 9, 300),
    (200, 400, 210, 400),
]


def main():
    out = []
    for x1, n1, x2, n2 in CASES:
        # statsmodels' z is (p1 - p2) / se for count=[x1, x2]; ours is b minus a, so pass [x2, x1].
        z, p = proportions_ztest(np.array([x2, x1]), np.array([n2, n1]))
        chi2, p_chi, _, _ = chi2_contingency(np.array([[x1, n1 - x1], [x2, n2 - x2]]), correction=False)
        assert abs(chi2 - z * z) <= 1e-9 * max(1.0, chi2), (x1, n1, x2, n2)
        assert abs(p_chi - p) <= 1e-12 + 1e-9 * p, (x1, n1, x2, n2)
        out.append({'a': {'successes': x1, 'trials': n1}, 'b': {'successes': x2, 'trials': n2}, 'z': float(z), 'pValue': float(p)})
    path = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'version-comparison.json')
    with open(path, 'w') as f:
        json.dump(
            {
                'generator': 'exporter/scripts/gen_version_comparison_fixture.py',
                'statsmodels': statsmodels.__version__,
                'scipy': scipy.__version__,
                'cases': out,
            },
            f,
            indent=2,
        )
        f.write('\n')


if __name__ == '__main__':
    main()
