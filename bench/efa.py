"""Benchmark: parallel analysis, 100 iterations on 10,000 x 24 items.

Times the whole `avoid-survey efa FILE --items ... --factors auto --parallel-iterations 100
--format json` process against `Rscript -e 'psych::fa.parallel(read.csv(FILE), fa="fa",
n.iter=100, plot=FALSE)'` (also a whole process), alternating runs, and prints the medians
and the ratio against the goal of 0.2x.

Usage: python bench/efa.py [--runs 3]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from _common import timed as _timed

GOAL = 0.2
N, P, K = 10_000, 24, 4


def make_data(path: Path) -> list[str]:
    """Deterministic 4-factor Likert data (1..5), 6 items per factor, 2% missing answers."""
    rng = np.random.default_rng(20240601)
    f = rng.multivariate_normal(np.zeros(K), 0.3 + 0.7 * np.eye(K), size=N)
    lam = np.zeros((P, K))
    for j in range(P):
        lam[j, j // (P // K)] = rng.uniform(0.5, 0.8)
    x = f @ lam.T + rng.standard_normal((N, P)) * np.sqrt(1 - (lam ** 2).sum(1))
    codes = np.clip(np.round(x * 1.1 + 3), 1, 5)
    codes[rng.random((N, P)) < 0.02] = np.nan
    items = [f"q{j + 1}" for j in range(P)]
    with path.open("w") as fh:
        fh.write(",".join(items) + "\n")
        for row in codes:
            fh.write(",".join("" if np.isnan(v) else str(int(v)) for v in row) + "\n")
    return items


def timed(cmd) -> float:
    """Wall seconds of one whole process (see bench/_common.py)."""
    return _timed(cmd)[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "efa_bench.csv"
        items = make_data(data)
        ours = ["avoid-survey", "efa", str(data), "--items", ",".join(items), "--factors", "auto",
                "--parallel-iterations", "100", "--format", "json"]
        rscript = shutil.which("Rscript")
        r_cmd = None
        if rscript:
            chk = subprocess.run([rscript, "-e", "library(psych)"], capture_output=True)
            if chk.returncode == 0:
                r_cmd = [rscript, "-e", f"invisible(psych::fa.parallel(read.csv('{data}'), fa='fa', n.iter=100, plot=FALSE))"]
        print(f"data: {N} x {P}, parallel analysis with 100 iterations; {args.runs} alternating runs")
        t_ours, t_r = [], []
        for _ in range(args.runs):
            t_ours.append(timed(ours))
            if r_cmd:
                t_r.append(timed(r_cmd))
        mo = statistics.median(t_ours)
        print(f"avoid-survey efa (whole process)      median {mo:7.2f} s   runs {', '.join(f'{t:.2f}' for t in t_ours)}")
        if not r_cmd:
            print("Rscript psych::fa.parallel            skipped: Rscript with psych is not installed")
            return
        mr = statistics.median(t_r)
        print(f"Rscript psych::fa.parallel (process)  median {mr:7.2f} s   runs {', '.join(f'{t:.2f}' for t in t_r)}")
        ratio = mo / mr
        print(f"ratio ours/R = {ratio:.3f} (goal <= {GOAL}) -> {'MET' if ratio <= GOAL else 'NOT MET'}")


if __name__ == "__main__":
    main()
