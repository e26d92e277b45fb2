#!/usr/bin/env python3
"""Python side of `npm run bench:drift`: generates the shared data set, times scipy and Evidently on it.

usage: drift_bench.py generate DIR   -> writes DIR/meta.json and DIR/*.f64 / *.u8 (the same bytes Node reads)
       drift_bench.py time DIR       -> prints JSON timings (scipy per feature, Evidently's DataDriftPreset report and
                                        its DataDriftPreset + DataSummaryPreset report, KS 1M vs 1M)
"""
import json
import os
import sys
import time

import numpy as np

N_REF = 200_000
N_CUR = 200_000
N_NUM = 20
N_CAT = 5
N_KS = 1_000_000


def generate(d):
    rng = np.random.default_rng(4)
    os.makedirs(d, exist_ok=True)
    meta = {"nRef": N_REF, "nCur": N_CUR, "numerical": [], "categorical": [], "nKs": N_KS}
    for i in range(N_NUM):
        name = f"num_{i:02d}"
        scale, loc = 1 + i / 10, float(i)
        ref = rng.normal(loc, scale, N_REF)
        shift = 0.2 * scale if i < 5 else 0.0
        cur = rng.normal(loc + shift, scale, N_CUR)
        ref.astype("<f8").tofile(os.path.join(d, f"{name}.ref.f64"))
        cur.astype("<f8").tofile(os.path.join(d, f"{name}.cur.f64"))
        meta["numerical"].append(name)
    for i in range(N_CAT):
        name = f"cat_{i}"
        k = 4 + i
        p = np.full(k, 1.0 / k)
        ref = rng.choice(k, N_REF, p=p).astype("u1")
        q = p.copy()
        if i == 0:
            q[0] += 0.1
            q[1] -= 0.1
        cur = rng.choice(k, N_CUR, p=q).astype("u1")
        ref.tofile(os.path.join(d, f"{name}.ref.u8"))
        cur.tofile(os.path.join(d, f"{name}.cur.u8"))
        meta["categorical"].append(name)
    rng.normal(0, 1, N_KS).astype("<f8").tofile(os.path.join(d, "ks.a.f64"))
    rng.normal(0.002, 1, N_KS).astype("<f8").tofile(os.path.join(d, "ks.b.f64"))
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(meta, f)


def load(d):
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    num = {n: (np.fromfile(os.path.join(d, f"{n}.ref.f64"), "<f8"), np.fromfile(os.path.join(d, f"{n}.cur.f64"), "<f8"))
           for n in meta["numerical"]}
    cat = {n: (np.fromfile(os.path.join(d, f"{n}.ref.u8"), "u1"), np.fromfile(os.path.join(d, f"{n}.cur.u8"), "u1"))
           for n in meta["categorical"]}
    return meta, num, cat


def best_of(fn, repeat):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def time_all(d):
    from scipy import stats
    meta, num, cat = load(d)

    def scipy_report():
        res = {}
        for n, (a, b) in num.items():
            r = stats.ks_2samp(a, b)
            res[n] = {"statistic": float(r.statistic), "pValue": float(r.pvalue)}
        for n, (a, b) in cat.items():
            k = int(max(a.max(), b.max())) + 1
            table = np.vstack([np.bincount(a, minlength=k), np.bincount(b, minlength=k)])
            table = table[:, table.sum(axis=0) > 0]
            r = stats.chi2_contingency(table, correction=False)
            res[n] = {"statistic": float(r.statistic), "pValue": float(r.pvalue)}
        return res

    scipy_s, scipy_res = best_of(scipy_report, 3)
    a = np.fromfile(os.path.join(d, "ks.a.f64"), "<f8")
    b = np.fromfile(os.path.join(d, "ks.b.f64"), "<f8")
    ks_s, ks = best_of(lambda: stats.ks_2samp(a, b), 3)

    evidently_s, evidently_full_s, evidently_version, evidently_error = None, None, None, None
    try:
        import pandas as pd
        import evidently
        evidently_version = getattr(evidently, "__version__", "?")
        ref_df = pd.DataFrame({**{n: v[0] for n, v in num.items()}, **{n: pd.Series(v[0]).map(lambda c: f"c{c}") for n, v in cat.items()}})
        cur_df = pd.DataFrame({**{n: v[1] for n, v in num.items()}, **{n: pd.Series(v[1]).map(lambda c: f"c{c}") for n, v in cat.items()}})
        try:  # evidently >= 0.7
            from evidently import DataDefinition, Dataset, Report
            from evidently.presets import DataDriftPreset, DataSummaryPreset
            definition = DataDefinition(numerical_columns=list(num), categorical_columns=list(cat))
            ref_ds = Dataset.from_pandas(ref_df, data_definition=definition)
            cur_ds = Dataset.from_pandas(cur_df, data_definition=definition)

            def run():
                return Report([DataDriftPreset()]).run(cur_ds, ref_ds)

            def run_full():
                return Report([DataDriftPreset(), DataSummaryPreset()]).run(cur_ds, ref_ds)
        except ImportError:  # legacy API
            from evidently.report import Report
            from evidently.metric_preset import DataDriftPreset, DataQualityPreset
            from evidently import ColumnMapping
            mapping = ColumnMapping(numerical_features=list(num), categorical_features=list(cat))

            def run():
                r = Report(metrics=[DataDriftPreset()])
                r.run(reference_data=ref_df, current_data=cur_df, column_mapping=mapping)
                return r.as_dict()

            def run_full():  # DataQualityPreset is the legacy name of the data summary
                r = Report(metrics=[DataDriftPreset(), DataQualityPreset()])
                r.run(reference_data=ref_df, current_data=cur_df, column_mapping=mapping)
                return r.as_dict()
        evidently_s, _ = best_of(run, 1)
        evidently_full_s, _ = best_of(run_full, 1)
    except Exception as e:  # reported in the table, not hidden
        evidently_error = f"{type(e).__name__}: {e}"

    print(json.dumps({
        "scipySeconds": scipy_s, "scipyResults": scipy_res,
        "ksSeconds": ks_s, "ks": {"statistic": float(ks.statistic), "pValue": float(ks.pvalue)},
        "evidentlySeconds": evidently_s, "evidentlyFullSeconds": evidently_full_s,
        "evidentlyVersion": evidently_version, "evidentlyError": evidently_error,
        "scipyVersion": __import__("scipy").__version__,
    }))


if __name__ == "__main__":
    {"generate": generate, "time": time_all}[sys.argv[1]](sys.argv[2])
