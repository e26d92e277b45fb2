#!/usr/bin/env python3
"""Writes exporter/fixtures/parquet/: small Parquet files written by pyarrow, each with its CSV twin or expected values.

Run from the repository root with the project venv (pyarrow is pinned in tests/harness/requirements.txt):
    ~/.cache/plumbline/venv/bin/python exporter/scripts/gen_parquet_fixtures.py
The files are committed, so the jest tests (exporter/src/io/read-parquet.test.ts, exporter/src/drift/command.test.ts,
exporter/src/baseline/baseline-import.test.ts) need no Python.

- ref.parquet (snappy, 300 rows in groups of 100) / cur.parquet (zstd, 240 rows in groups of 80) and their twins ref.csv / cur.csv:
  the same data, written as `plumbline` reads each value from Parquet (floats by repr, so they parse to the same
  double; timestamps and dates as ISO-8601; an INT64 beyond 2^53 as its decimal digits; nulls as empty cells).
- train.parquet (gzip, 1000 rows in groups of 250) / train.csv: a baseline import with several row groups.
- types.parquet (uncompressed) / types.expected.json: one column per physical / logical type and the cell
  `plumbline` must read from each row (null as JSON null; NaN, Infinity, -Infinity as those strings).
- types-int96.parquet / types-int96.expected.json: Spark's legacy INT96 timestamps.
- nested.parquet: a list column next to a flat one (an error: only flat columns can be compared).
- no-rows.parquet: a schema and no rows (an error, as a CSV with only a header is).
"""
import datetime as dt
import decimal
import json
import math
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "parquet")
UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


def iso_timestamp(t):
    """ISO-8601 in UTC with milliseconds, and the microseconds' last digits when they are not zero."""
    t = t.astimezone(UTC) if t.tzinfo else t.replace(tzinfo=UTC)
    base = t.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{t.microsecond:06d}Z" if t.microsecond % 1000 else f"{base}.{t.microsecond // 1000:03d}Z"


def csv_cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, dt.datetime):
        return iso_timestamp(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return str(v)
    s = str(v)
    assert "," not in s and '"' not in s and "\n" not in s
    return s


def write_twins(name, table, **parquet_options):
    pq.write_table(table, os.path.join(OUT, f"{name}.parquet"), **parquet_options)
    columns = table.column_names
    rows = table.to_pylist()
    with open(os.path.join(OUT, f"{name}.csv"), "w", newline="") as f:
        f.write(",".join(columns) + "\n")
        for row in rows:
            f.write(",".join(csv_cell(row[c]) for c in columns) + "\n")


def features(n, seed, shift):
    """Columns of every kind the drift report sees, with nulls; `shift` moves age, plan and clicks."""
    rng = np.random.default_rng(seed)
    age = [None if i % 17 == 0 else float(np.round(rng.normal(35 + 8 * shift, 9), 3)) for i in range(n)]
    plan = [None if i % 23 == 0 else ("pro" if rng.random() < 0.3 + shift / 4 else "basic") for i in range(n)]
    clicks = [int(rng.poisson(5 + 3 * shift)) for _ in range(n)]
    big = [2**60 + int(rng.integers(0, 1000)) for _ in range(n)]
    active = [None if i % 29 == 0 else bool(rng.random() < 0.5) for i in range(n)]
    weight = [float(np.float32(rng.normal(70, 12))) for _ in range(n)]
    price = [decimal.Decimal(int(rng.integers(100, 100000))).scaleb(-2) for _ in range(n)]
    signup = [
        dt.datetime(2024, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=int(rng.integers(0, 60 * 24 * 30)), microseconds=0)
        for _ in range(n)
    ]
    day = [dt.date(2024, 3, 1) + dt.timedelta(days=int(rng.integers(0, 10))) for _ in range(n)]
    return pa.table(
        {
            "age": pa.array(age, pa.float64()),
            "plan": pa.array(plan, pa.string()),
            "clicks": pa.array(clicks, pa.int64()),
            "big": pa.array(big, pa.int64()),
            "active": pa.array(active, pa.bool_()),
            "weight": pa.array(weight, pa.float32()),
            "price": pa.array(price, pa.decimal128(9, 2)),
            "signup": pa.array(signup, pa.timestamp("us", tz="UTC")),
            "day": pa.array(day, pa.date32()),
        }
    )


def expected_cell(v):
    if v is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return str(v).replace("nan", "NaN").replace("inf", "Infinity")  # JSON has no NaN / Infinity
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v if abs(v) <= 2**53 - 1 else str(v)
    if isinstance(v, float):
        return v
    if isinstance(v, decimal.Decimal):
        return float(v)  # the double nearest to the decimal, as JavaScript's Number("12.34")
    if isinstance(v, dt.datetime):
        return iso_timestamp(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def iso_ns(ns):
    """iso_timestamp for integer nanoseconds (Python's datetime stops at microseconds)."""
    if ns is None:
        return None
    ms, rest = divmod(ns, 1_000_000)
    base = iso_timestamp(EPOCH + dt.timedelta(milliseconds=ms))
    if rest == 0:
        return base
    digits = f"{rest:06d}"
    return base[:-1] + (digits[:3] if digits.endswith("000") else digits) + "Z"


def write_expected(name, table, overrides=None, **parquet_options):
    """`overrides`: column -> expected cells, for the columns whose Python values are not what to expect."""
    pq.write_table(table, os.path.join(OUT, f"{name}.parquet"), **parquet_options)
    cells = {c: [expected_cell(v) for v in table[c].to_pylist()] for c in table.column_names}
    cells.update(overrides or {})
    rows = [[cells[c][i] for c in table.column_names] for i in range(table.num_rows)]
    expected = {"columns": table.column_names, "rows": rows}
    with open(os.path.join(OUT, f"{name}.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


TS_NS = [1714564800000000000, -1_000_000, None, 1709164800123456789]


def types_table():
    ts = [
        dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC),
        dt.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
        None,
        dt.datetime(2024, 2, 29, 0, 0, 0, 123456, tzinfo=UTC),
    ]
    ts_ms = [None if t is None else t.replace(microsecond=t.microsecond // 1000 * 1000) for t in ts]
    naive = [None if t is None else t.replace(tzinfo=None) for t in ts]
    return pa.table(
        {
            "i8": pa.array([1, -2, None, 127], pa.int8()),
            "i32": pa.array([1, -2147483648, None, 2147483647], pa.int32()),
            "u32": pa.array([0, 4294967295, None, 7], pa.uint32()),
            "i64": pa.array([2**53 - 1, -(2**53 - 1), None, 2**53], pa.int64()),
            "i64_min": pa.array([-(2**63), 0, None, 2**63 - 1], pa.int64()),
            "u64": pa.array([2**64 - 1, 0, None, 2**53 + 1], pa.uint64()),
            "f32": pa.array([0.1, -1.5, None, float("nan")], pa.float32()),
            "f64": pa.array([0.1, float("-inf"), None, float("nan")], pa.float64()),
            "dec": pa.array(
                [decimal.Decimal("0.35"), decimal.Decimal("-12.34"), None, decimal.Decimal("9999999.99")],
                pa.decimal128(9, 2),
            ),
            "dec_wide": pa.array(
                [decimal.Decimal("0.000001"), decimal.Decimal("-123456789012.345678"), None, decimal.Decimal("0")],
                pa.decimal128(30, 6),
            ),
            "flag": pa.array([True, False, None, True], pa.bool_()),
            "text": pa.array(["a", "", None, "ünïcode, \"quoted\""], pa.string()),
            "cat": pa.array(["x", "y", None, "x"], pa.string()).dictionary_encode(),
            "day": pa.array([dt.date(2024, 5, 1), dt.date(1969, 12, 31), None, dt.date(2000, 2, 29)], pa.date32()),
            "ts_ms": pa.array(ts_ms, pa.timestamp("ms", tz="UTC")),
            "ts_us": pa.array(ts, pa.timestamp("us", tz="UTC")),
            "ts_ns": pa.array(TS_NS, pa.timestamp("ns", tz="UTC")),
            "ts_naive": pa.array(naive, pa.timestamp("us")),
        }
    )


def main():
    os.makedirs(OUT, exist_ok=True)
    write_twins("ref", features(300, 1, 0.0), compression="snappy", row_group_size=100)
    write_twins("cur", features(240, 2, 1.0), compression="zstd", row_group_size=80)
    rng = np.random.default_rng(3)
    n = 1000
    train = pa.table(
        {
            "x": pa.array([None if i % 41 == 0 else float(np.round(rng.gamma(2.0, 3.0), 4)) for i in range(n)]),
            "kind": pa.array([["a", "b", "c"][int(rng.integers(0, 3))] for _ in range(n)], pa.string()),
            "n": pa.array([int(rng.integers(-50, 50)) for _ in range(n)], pa.int64()),
            "ok": pa.array([bool(rng.random() < 0.8) for _ in range(n)], pa.bool_()),
        }
    )
    write_twins("train", train, compression="gzip", row_group_size=250)
    write_expected(
        "types",
        types_table(),
        {"ts_ns": [iso_ns(v) for v in TS_NS]},
        compression="none",
        row_group_size=2,
        store_decimal_as_integer=True,
    )
    int96 = pa.table({"ts": pa.array(types_table()["ts_us"].to_pylist(), pa.timestamp("us", tz="UTC"))})
    write_expected("types-int96", int96, use_deprecated_int96_timestamps=True)
    nested = pa.table(
        {"x": pa.array([1.0, 2.0]), "embedding": pa.array([[0.1, 0.2], [0.3, 0.4]], pa.list_(pa.float32()))}
    )
    pq.write_table(nested, os.path.join(OUT, "nested.parquet"))
    pq.write_table(pa.table({"x": pa.array([], pa.float64())}), os.path.join(OUT, "no-rows.parquet"))
    print(f"wrote {sorted(os.listdir(OUT))} with pyarrow {pa.__version__}")


if __name__ == "__main__":
    main()
