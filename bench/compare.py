#!/usr/bin/env python3
"""Times `reckon run` against the DuckDB reference side by side.

    python3 bench/compare.py --data DIR [--runs 7] [--reckon target/release/reckon]

Each round runs reckon and then recon_duckdb.py on the same data (alternating,
so machine noise hits both), after one warm-up of each. Reports the median
wall time and peak RSS of each, the ratio of the medians and the median of
the per-round ratios. Needs `pip install duckdb` and GNU time (/usr/bin/time).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (wall seconds, peak RSS MiB)."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".time") as stats:
        subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", stats.name] + cmd,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall, rss_kb = stats.read().split()[-2:]
    return float(wall), int(rss_kb) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--reckon", default=os.path.join(HERE, "..", "target", "release", "reckon"))
    ap.add_argument("--as-of", default=None, help="default: meta.json's as_of, else 2025-06-30")
    a = ap.parse_args()
    as_of = a.as_of
    meta = os.path.join(a.data, "meta.json")
    if as_of is None and os.path.exists(meta):
        with open(meta) as f:
            as_of = json.load(f)["as_of"]
    as_of = as_of or "2025-06-30"
    out = tempfile.mkdtemp(prefix="reckon-bench-")
    reckon = [a.reckon, "run", "--data", a.data, "--as-of", as_of, "--out", os.path.join(out, "reckon")]
    duck = [sys.executable, os.path.join(HERE, "recon_duckdb.py"), "--data", a.data,
            "--out", os.path.join(out, "duckdb"), "--as-of", as_of.rstrip("Z")]
    timed(reckon)
    timed(duck)
    rows = []
    for i in range(a.runs):
        r = timed(reckon)
        d = timed(duck)
        rows.append((r, d))
        print("round %d: reckon %.2f s %.0f MiB | duckdb %.2f s %.0f MiB | x%.1f"
              % (i + 1, r[0], r[1], d[0], d[1], d[0] / r[0]), flush=True)
    rw = statistics.median(r[0] for r, _ in rows)
    dw = statistics.median(d[0] for _, d in rows)
    print("median wall: reckon %.2f s, duckdb %.2f s; ratio of medians x%.1f; median per-round ratio x%.1f"
          % (rw, dw, dw / rw, statistics.median(d[0] / r[0] for r, d in rows)))
    print("peak RSS: reckon %.0f MiB (max %.0f), duckdb %.0f MiB"
          % (statistics.median(r[1] for r, _ in rows), max(r[1] for r, _ in rows),
             statistics.median(d[1] for _, d in rows)))
    same = all(
        open(os.path.join(out, "reckon", n), "rb").read() == open(os.path.join(out, "duckdb", n), "rb").read()
        for n in ("recon.csv", "exceptions.csv"))
    print("recon.csv and exceptions.csv byte-identical to DuckDB's: %s" % same)


if __name__ == "__main__":
    main()
