#!/usr/bin/env python3
"""NannyML's CBPE on the data performance-bench.ts wrote, timed; prints JSON on stdout.

usage: performance_bench.py DIR   (DIR holds meta.json and the raw little-endian arrays the bench wrote)
Timed: CBPE fit on the reference and estimate on the 20 chunks (data already in pandas, as Plumbline's side has it in
memory). Run by `npm run bench:performance` in ~/.cache/plumbline/nannyml-venv (nannyml 0.13.1 + statsmodels).
"""
import json
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
# NannyML sends usage statistics by default; off (no network, and no DNS timeout inside the timed part).
os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"
import nannyml as nml  # noqa: E402


def frame(d, name, rows, k, labels):
    p = np.fromfile(os.path.join(d, f"{name}-proba.f64"), dtype="<f8").reshape(rows, k)
    pred = np.fromfile(os.path.join(d, f"{name}-pred.i32"), dtype="<i4")
    act = np.fromfile(os.path.join(d, f"{name}-actual.i32"), dtype="<i4")
    df = pd.DataFrame({f"p_{c}": p[:, j] for j, c in enumerate(labels)})
    lab = np.array(labels)
    df["y_pred"] = lab[pred]
    df["y_true"] = lab[act]
    return df


def main():
    d = sys.argv[1]
    meta = json.load(open(os.path.join(d, "meta.json")))
    labels, k = meta["labels"], len(meta["labels"])
    ref = frame(d, "reference", meta["referenceRows"], k, labels)
    cur = frame(d, "analysis", meta["chunks"] * meta["chunkRows"], k, labels)
    analysis = cur.drop(columns=["y_true"])
    t0 = time.perf_counter()
    est = nml.CBPE(
        y_pred_proba={c: f"p_{c}" for c in labels},
        y_pred="y_pred",
        y_true="y_true",
        problem_type="classification_multiclass",
        metrics=["accuracy", "f1"],
        chunk_size=meta["chunkRows"],
    )
    est.fit(ref)
    res = est.estimate(analysis).to_df()
    seconds = time.perf_counter() - t0
    # The result also carries the reference's chunks (period "reference"): keep the analysis chunks.
    res = res[res[("chunk", "period")] == "analysis"]
    acc = res[("accuracy", "value")].tolist()
    f1 = res[("f1", "value")].tolist()
    print(json.dumps({"accuracy": acc, "f1Macro": f1, "seconds": seconds, "nannyml": nml.__version__}))


main()
