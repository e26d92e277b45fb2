#!/usr/bin/env python3
"""Writes exporter/fixtures/*.json: expected values from scipy / numpy for Plumbline's statistics.

Run from the repository root (any python with numpy + scipy; the project venv if it exists):
    ~/.cache/plumbline/venv/bin/python exporter/scripts/gen_fixtures.py
The TypeScript tests in exporter/src/stats/*.test.ts and exporter/src/drift/*.test.ts read the JSON it writes and
compare statistics to 1e-9 relative and p-values to 1e-6 relative.

Small cases store their data inline. Large cases (n > 10,000, for the asymptotic KS path) store a generator spec
instead: `lcg-uniform` draws k / 2**32 from a 32-bit linear congruential generator, which the tests replay
bit-for-bit in TypeScript (see exporter/src/stats/fixture-data.ts), so the fixture stays small.
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy import stats, special
from scipy.spatial import distance

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
rng = np.random.default_rng(20261123)


def lcg_uniform(seed, n, scale=1.0, shift=0.0, levels=0):
    """x_k = (a * x_{k-1} + c) mod 2**32; value = scale * (x / 2**32) + shift (optionally rounded to `levels` steps)."""
    out = np.empty(n)
    x = seed & 0xFFFFFFFF
    a, c = 1664525, 1013904223
    for i in range(n):
        x = (a * x + c) & 0xFFFFFFFF
        u = x / 4294967296.0
        if levels:
            u = np.floor(u * levels) / levels
        out[i] = scale * u + shift
    return out


def gen(spec):
    return lcg_uniform(spec["seed"], spec["n"], spec.get("scale", 1.0), spec.get("shift", 0.0), spec.get("levels", 0))


def r(x, digits=6):
    return [float(round(v, digits)) for v in x]


def normal(n, loc=0.0, scale=1.0):
    return r(rng.normal(loc, scale, n))


def ints(n, lo, hi):
    return [float(v) for v in rng.integers(lo, hi, n)]


# ---------------------------------------------------------------- KS two-sample
ks_cases = []


def ks_case(name, a=None, b=None, gen_a=None, gen_b=None):
    xa = np.asarray(a if a is not None else gen(gen_a), dtype=float)
    xb = np.asarray(b if b is not None else gen(gen_b), dtype=float)
    res = stats.ks_2samp(xa, xb, method="auto")
    case = {"name": name, "statistic": float(res.statistic), "pValue": float(res.pvalue),
            "method": "exact" if max(len(xa), len(xb)) <= 10000 else "asymp"}
    if a is not None:
        case["a"], case["b"] = list(a), list(b)
    else:
        case["genA"], case["genB"] = gen_a, gen_b
    ks_cases.append(case)


ks_case("tiny unequal", normal(5), normal(7, 0.5))
ks_case("equal n 20", normal(20), normal(20, 0.8))
ks_case("equal n 20 far apart", normal(20), normal(20, 3.0))
ks_case("50 vs 80", normal(50), normal(80, 0.3))
ks_case("300 vs 1000", normal(300), normal(1000, 0.1, 1.2))
ks_case("ties integers 100 vs 150", ints(100, 0, 6), ints(150, 0, 6))
ks_case("ties equal n 400", ints(400, 0, 4), ints(400, 1, 5))
ks_case("identical samples", [1.0, 2.0, 2.0, 3.0, 5.0], [1.0, 2.0, 2.0, 3.0, 5.0])
ks_case("constant equal", [1.0] * 30, [1.0] * 40)
ks_case("constant different", [1.0] * 30, [2.0] * 40)
ks_case("one value each", [0.0], [1.0])
ks_case("2000 vs 3000 null", normal(2000), normal(3000))
ks_case("5000 vs 7000 small shift", normal(5000), normal(7000, 0.05))
ks_case("10000 vs 9999 shift", normal(10000), normal(9999, 0.04))
ks_case("10000 vs 10000 null", normal(10000), normal(10000))
ks_case("asymp 12000 vs 15000 null", gen_a={"seed": 1, "n": 12000}, gen_b={"seed": 2, "n": 15000})
ks_case("asymp 12000 vs 15000 shift", gen_a={"seed": 3, "n": 12000}, gen_b={"seed": 4, "n": 15000, "shift": 0.02})
ks_case("asymp 12000 vs 15000 big shift", gen_a={"seed": 5, "n": 12000}, gen_b={"seed": 6, "n": 15000, "shift": 0.3})
ks_case("asymp 20000 vs 6 (n<=140 branch)", gen_a={"seed": 7, "n": 20000}, gen_b={"seed": 8, "n": 6, "shift": 0.2})
ks_case("asymp 10001 vs 60 (durbin small n)", gen_a={"seed": 9, "n": 10001}, gen_b={"seed": 10, "n": 60, "shift": 0.1})
ks_case("asymp 10001 vs 400 (smirnov tail)", gen_a={"seed": 11, "n": 10001}, gen_b={"seed": 12, "n": 400, "shift": 0.15})
ks_case("asymp ties 30000 vs 25000", gen_a={"seed": 13, "n": 30000, "levels": 50},
        gen_b={"seed": 14, "n": 25000, "levels": 50})
ks_case("asymp 300000 vs 300000 (pelz-good)", gen_a={"seed": 15, "n": 300000},
        gen_b={"seed": 16, "n": 300000, "shift": 0.001})

kstwo_cases = []
for n in [5, 60, 140, 141, 1000, 5000, 20000, 99999, 150000, 500000]:
    for d in [0.3 / n, 0.8 / n, 1.5 / n, 0.5 / np.sqrt(n), 0.9 / np.sqrt(n), 1.2 / np.sqrt(n), 1.6 / np.sqrt(n),
              2.5 / np.sqrt(n), 4.0 / np.sqrt(n), 0.45, 0.6, 1 - 1.5 / n]:
        d = float(d)
        if not (0 < d < 1):
            continue
        kstwo_cases.append({"n": n, "d": d, "sf": float(stats.kstwo.sf(d, n))})

smirnov_cases = []
for n in [1, 3, 10, 100, 1000, 20000]:
    for d in [0.01, 0.05, 0.1, 0.3, 0.5, 0.9]:
        smirnov_cases.append({"n": n, "d": d, "sf": float(special.smirnov(n, d))})
# Large n where kstwo.sf goes through the one-sided sum (2.2 <= n*d^2 < 370): ~n terms each.
for n in [100000, 500000]:
    for k in [1.49, 2.0, 4.0, 10.0]:
        d = float(k / np.sqrt(n))
        smirnov_cases.append({"n": n, "d": d, "sf": float(special.smirnov(n, d))})

# ---------------------------------------------------------------- chi-square
chi_cases = []


def chi_case(name, ref, cur):
    cats = [c for c in ref if ref[c] > 0] + [c for c in cur if cur[c] > 0 and not ref.get(c, 0) > 0]
    table = np.array([[ref.get(c, 0) for c in cats], [cur.get(c, 0) for c in cats]], dtype=float)
    if len(cats) == 1:
        stat, p, dof = 0.0, 1.0, 0
    else:
        res = stats.chi2_contingency(table, correction=False)
        stat, p, dof = float(res.statistic), float(res.pvalue), int(res.dof)
    chi_cases.append({"name": name, "reference": ref, "current": cur, "statistic": stat, "pValue": p, "dof": dof})


chi_case("balanced two", {"a": 10, "b": 20}, {"a": 20, "b": 10})
chi_case("three categories", {"red": 120, "green": 90, "blue": 40}, {"red": 100, "green": 95, "blue": 60})
chi_case("unseen category in current", {"a": 500, "b": 300}, {"a": 480, "b": 290, "new": 25})
chi_case("category gone from current", {"a": 50, "b": 30, "c": 20}, {"a": 60, "b": 40})
chi_case("single category", {"only": 40}, {"only": 70})
chi_case("identical", {"x": 33, "y": 67}, {"x": 33, "y": 67})
chi_case("large counts tiny shift", {"a": 1000000, "b": 1000000}, {"a": 1001000, "b": 999000})
chi_case("large counts huge shift", {"a": 100000, "b": 100000, "c": 5}, {"a": 50000, "b": 150000, "c": 400})
chi_case("many categories", {f"c{i}": int(v) for i, v in enumerate(rng.integers(1, 200, 40))},
         {f"c{i}": int(v) for i, v in enumerate(rng.integers(1, 200, 40))})

# ---------------------------------------------------------------- PSI / JS / Wasserstein on numerical columns
num_cases = []


def clean(x):
    x = np.asarray([np.nan if v is None else v for v in x], dtype=float)
    return x[~np.isnan(x)], int(np.isnan(x).sum())


def psi_numeric(ref, cur, bins):
    edges = np.quantile(ref, [i / bins for i in range(1, bins)])
    merged = [edges[0]]
    for e in edges[1:]:
        if e != merged[-1]:
            merged.append(e)
    merged = np.asarray(merged)
    rc = np.bincount(np.searchsorted(merged, ref, side="left"), minlength=len(merged) + 1)
    cc = np.bincount(np.searchsorted(merged, cur, side="left"), minlength=len(merged) + 1)
    rp = np.where(rc == 0, 1e-4, rc / rc.sum())
    cp = np.where(cc == 0, 1e-4, cc / cc.sum())
    value = float(np.sum((cp - rp) * np.log(cp / rp)))
    js = float(distance.jensenshannon(rc / rc.sum(), cc / cc.sum()))
    return merged, rc, cc, value, js


def num_case(name, ref_raw, cur_raw, bins=10):
    ref, ref_missing = clean(ref_raw)
    cur, cur_missing = clean(cur_raw)
    edges, rc, cc, value, js = psi_numeric(ref, cur, bins)
    num_cases.append({
        "name": name, "bins": bins, "reference": ref_raw, "current": cur_raw,
        "missing": [ref_missing, cur_missing],
        "edges": [float(e) for e in edges], "referenceCounts": [int(c) for c in rc],
        "currentCounts": [int(c) for c in cc], "psi": value, "jensenshannon": js,
        "wasserstein": float(stats.wasserstein_distance(ref, cur)),
        "ks": {"statistic": float(stats.ks_2samp(ref, cur).statistic), "pValue": float(stats.ks_2samp(ref, cur).pvalue)},
        "quantiles": {str(q): float(np.quantile(ref, q)) for q in [0.0, 0.05, 0.1, 0.25, 0.33, 0.5, 0.75, 0.9, 0.99, 1.0]},
        # numpy.mean / numpy.std (ddof = 0) of each side, missing removed, in input order (pairwise summation).
        "mean": [float(np.mean(ref)), float(np.mean(cur))] if len(ref) and len(cur) else None,
        "std": [float(np.std(ref)), float(np.std(cur))] if len(ref) and len(cur) else None,
        # numpy.std(ddof=1) of each side (pandas' describe(); the window summary's std), None below 2 values.
        "stdSample": [float(np.std(x, ddof=1)) if len(x) > 1 else None for x in (ref, cur)],
        "quantilesCurrent": {str(q): float(np.quantile(cur, q)) for q in [0.05, 0.25, 0.5, 0.75, 0.95]} if len(cur) else None,
    })


num_case("normal vs normal", normal(500), normal(400))
num_case("normal vs shifted", normal(500), normal(400, 0.5))
num_case("scale change, 5 bins", normal(300), normal(300, 0, 2), bins=5)
num_case("20 bins", normal(2000), normal(1500, 0.1), bins=20)
num_case("ties (few distinct values)", ints(300, 0, 4), ints(200, 0, 6))
num_case("constant reference", [3.0] * 50, normal(40, 3.0))
num_case("constant both", [3.0] * 50, [3.0] * 60)
num_case("current outside reference range", normal(200), normal(100, 10.0))
num_case("with missing values", [v if i % 7 else None for i, v in enumerate(normal(210))],
         [v if i % 5 else None for i, v in enumerate(normal(150, 0.2))])
num_case("small n", [0.5, 1.5, 2.5, 3.0], [1.0, 2.0, 4.0])
num_case("identical", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0],
         [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0])

# ---------------------------------------------------------------- PSI / JS on categorical columns
cat_cases = []


def cat_case(name, ref, cur):
    cats = [c for c in ref if ref[c] > 0] + [c for c in cur if cur[c] > 0 and not ref.get(c, 0) > 0]
    rc = np.array([ref.get(c, 0) for c in cats], dtype=float)
    cc = np.array([cur.get(c, 0) for c in cats], dtype=float)
    rp = np.where(rc == 0, 1e-4, rc / rc.sum())
    cp = np.where(cc == 0, 1e-4, cc / cc.sum())
    cat_cases.append({"name": name, "reference": ref, "current": cur, "categories": cats,
                      "psi": float(np.sum((cp - rp) * np.log(cp / rp))),
                      "jensenshannon": float(distance.jensenshannon(rc / rc.sum(), cc / cc.sum()))})


cat_case("three categories", {"red": 120, "green": 90, "blue": 40}, {"red": 100, "green": 95, "blue": 60})
cat_case("unseen category", {"a": 500, "b": 300}, {"a": 480, "b": 290, "new": 25})
cat_case("vanished category", {"a": 50, "b": 30, "c": 20}, {"a": 60, "b": 40})
cat_case("identical", {"x": 33, "y": 67}, {"x": 33, "y": 67})

meta = {"generator": "exporter/scripts/gen_fixtures.py", "numpy": np.__version__, "scipy": scipy.__version__,
        "python": sys.version.split()[0]}
os.makedirs(OUT, exist_ok=True)
for fname, payload in [("ks.json", {"ks2samp": ks_cases, "kstwoSf": kstwo_cases, "smirnovSf": smirnov_cases}),
                       ("chisquare.json", {"cases": chi_cases}),
                       ("numerical.json", {"cases": num_cases}),
                       ("categorical.json", {"cases": cat_cases})]:
    with open(os.path.join(OUT, fname), "w") as f:
        json.dump({"meta": meta, **payload}, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.join("exporter/fixtures", fname))
