#!/usr/bin/env python3
"""Writes exporter/fixtures/multivariate.json: NannyML's data-reconstruction drift on a correlation flip.

NannyML is not part of the project's setup. Re-run in a throwaway venv under ~/.cache/plumbline:
    python3 -m venv ~/.cache/plumbline/nannyml-venv
    ~/.cache/plumbline/nannyml-venv/bin/pip install nannyml statsmodels   # generated with nannyml 0.13.1, scikit-learn 1.9.1
    ~/.cache/plumbline/nannyml-venv/bin/python exporter/scripts/gen_multivariate_fixture.py
(statsmodels: nannyml 0.13.1 imports it without declaring it.)

The data is not stored: the fixture holds a generator spec that exporter/src/drift/multivariate.fixture.test.ts
replays bit for bit. Every value is built from a 32-bit LCG (as gen_fixtures.py's lcg_uniform) with exact or
correctly rounded operations only (+, −, ×, √), so Python and TypeScript produce the same doubles:
  - u = x / 2**32, x_k = (1664525 x_{k-1} + 1013904223) mod 2**32;
  - a standard-normal-like z = (u_1 + … + u_12) − 6 (Irwin–Hall; the sum of 12 multiples of 2**-32 below 12 is exact);
  - per row, in this order: z1, z2, z3, z4, z5, then u_m (income is missing when u_m < missing_share);
    a = z1, b = rho·z1 + √(1 − rho²)·z2, c = z3, d = 0.8·z3 + √(1 − 0.8²)·z4, e = z5;
    columns: height = 170 + 10·a, weight = 70 + 12·b, income = 50 + 20·c, spend = 30 + 8·d, age = 40 + 10·e.
The flip uses rho = −0.9 instead of 0.9: z1 is symmetric about 0 and independent of z2, so weight's marginal is
unchanged (and every other column's); only the height–weight correlation changes sign. The control is the
reference's distribution with another seed.
"""
import json
import math
import os

import numpy as np
import pandas as pd
import nannyml
import sklearn
from nannyml.drift.multivariate.data_reconstruction import DataReconstructionDriftCalculator

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "multivariate.json")
COLUMNS = ["height", "weight", "income", "spend", "age"]
MISSING_SHARE = 0.03
SETS = {
    "reference": {"seed": 20261201, "rows": 10000, "rho": 0.9},
    "flip": {"seed": 7, "rows": 2000, "rho": -0.9},
    "control": {"seed": 8, "rows": 2000, "rho": 0.9},
}
CHUNK_SIZES = [500, 2000]


def generate(seed, rows, rho):
    x = seed & 0xFFFFFFFF

    def uniform():
        nonlocal x
        x = (1664525 * x + 1013904223) & 0xFFFFFFFF
        return x / 4294967296.0

    def normal():
        s = 0.0
        for _ in range(12):
            s += uniform()
        return s - 6.0

    s_rho = math.sqrt(1.0 - rho * rho)
    s_cd = math.sqrt(1.0 - 0.8 * 0.8)
    out = {c: np.empty(rows) for c in COLUMNS}
    for i in range(rows):
        z1, z2, z3, z4, z5 = normal(), normal(), normal(), normal(), normal()
        um = uniform()
        a = z1
        b = rho * z1 + s_rho * z2
        c = z3
        d = 0.8 * z3 + s_cd * z4
        e = z5
        out["height"][i] = 170.0 + 10.0 * a
        out["weight"][i] = 70.0 + 12.0 * b
        out["income"][i] = np.nan if um < MISSING_SHARE else 50.0 + 20.0 * c
        out["spend"][i] = 30.0 + 8.0 * d
        out["age"][i] = 40.0 + 10.0 * e
    return pd.DataFrame(out)


def row_errors(calc, df):
    """Per-row errors exactly as the calculator computes them (impute, scale, PCA there and back, norm)."""
    data = df[COLUMNS].copy()
    data[calc.continuous_column_names] = calc._imputer_continuous.transform(data[calc.continuous_column_names])
    z = calc._scaler.transform(data.to_numpy())
    back = calc._pca.inverse_transform(calc._pca.transform(z))
    return np.linalg.norm(z - back, axis=1)


def main():
    frames = {name: generate(**spec) for name, spec in SETS.items()}
    out = {
        "generator": {"columns": COLUMNS, "missingShare": MISSING_SHARE, "sets": SETS},
        "versions": {"nannyml": nannyml.__version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__},
        "checksums": {name: float(np.nansum(f.to_numpy())) for name, f in frames.items()},
        "byChunkSize": {},
    }
    for chunk_size in CHUNK_SIZES:
        calc = DataReconstructionDriftCalculator(column_names=COLUMNS, chunk_size=chunk_size)
        calc.fit(frames["reference"])
        ref = calc.result.filter(period="reference").to_df()
        entry = {
            "components": int(calc._pca.n_components_),
            "explainedVarianceRatio": calc._pca.explained_variance_ratio_.tolist(),
            "means": calc._scaler.mean_.tolist(),
            "scales": calc._scaler.scale_.tolist(),
            "lower": calc.lower_threshold_value,
            "upper": calc.upper_threshold_value,
            "referenceChunks": ref[("reconstruction_error", "value")].tolist(),
            "analysis": {},
        }
        ref_errors = row_errors(calc, frames["reference"])
        entry["referenceRowErrors"] = {
            "first": ref_errors[:20].tolist(),
            "mean": float(ref_errors.mean()),
            "std": float(ref_errors.std(ddof=1)),
        }
        for name in ("flip", "control"):
            res = calc.calculate(frames[name]).filter(period="analysis").to_df()
            entry["analysis"][name] = {
                "chunks": res[("reconstruction_error", "value")].tolist(),
                "alerts": [bool(a) for a in res[("reconstruction_error", "alert")]],
                "firstRowErrors": row_errors(calc, frames[name])[:20].tolist(),
            }
        out["byChunkSize"][str(chunk_size)] = entry
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
