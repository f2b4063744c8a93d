"""Benchmark: polychoric correlation matrix of 24 items x 10,000 rows (skewed 5-point answers).

Times three whole processes on the same CSV, alternating runs:
  ours:   python -c "import avoid_survey as av; av.polychoric(FILE)"  (lavaan convention; and
          method='psych', psych's convention, timed too)
  psych:  Rscript -e 'psych::polychoric(read.csv(FILE))'
  lavaan: Rscript -e 'lavaan::lavCor(x, ordered = names(x))'
and prints the medians and the ratios against the goals (<= 0.1x psych, <= 0.5x lavaan).
The max |diff| of the matrices is printed too (from one extra run that writes them).
Our processes run with byte-code caching on (PYTHONDONTWRITEBYTECODE removed) after one
untimed warm-up run, as an installed package runs (pip byte-compiles at install; R packages
are byte-compiled too); without it every run would recompile avoid-survey's modules.

Usage: python bench/polychoric.py [--runs 5] [--n 10000]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from _common import timed as _timed

GOAL_PSYCH, GOAL_LAVAAN = 0.1, 0.5
P, K = 24, 4


def make_data(path: Path, n: int) -> list[str]:
    """Deterministic skewed 4-factor answers (1..5, most answers 1-2), 1% missing."""
    rng = np.random.default_rng(20261203)
    f = rng.multivariate_normal(np.zeros(K), 0.3 + 0.7 * np.eye(K), size=n)
    lam = np.zeros((P, K))
    for j in range(P):
        lam[j, j // (P // K)] = rng.uniform(0.5, 0.8)
    x = f @ lam.T + rng.standard_normal((n, P)) * np.sqrt(1 - (lam ** 2).sum(1))
    cuts = np.array([-0.2, 0.6, 1.3, 2.1])
    codes = (x[:, :, None] > cuts).sum(axis=2).astype(float) + 1
    codes[rng.random((n, P)) < 0.01] = np.nan
    items = [f"q{j + 1}" for j in range(P)]
    with path.open("w") as fh:
        fh.write(",".join(items) + "\n")
        for row in codes:
            fh.write(",".join("" if np.isnan(v) else str(int(v)) for v in row) + "\n")
    return items


def timed(cmd, env=None) -> float:
    """Wall seconds of one whole process (see bench/_common.py)."""
    return _timed(cmd, env=env)[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--n", type=int, default=10_000)
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "poly_bench.csv"
        make_data(data, args.n)
        ours = [py, "-c", f"import avoid_survey as av; av.polychoric({str(data)!r})"]
        ours_psych = [py, "-c", f"import avoid_survey as av; av.polychoric({str(data)!r}, method='psych')"]
        rscript = shutil.which("Rscript")
        r_psych = r_lav = None
        if rscript and subprocess.run([rscript, "-e", "library(psych); library(lavaan)"],
                                      capture_output=True).returncode == 0:
            r_psych = [rscript, "-e", f"x <- read.csv('{data}'); invisible(psych::polychoric(x))"]
            r_lav = [rscript, "-e", f"x <- read.csv('{data}'); invisible(lavaan::lavCor(x, ordered = names(x)))"]
        print(f"data: {args.n} x {P} skewed 5-point items, 1% missing; {args.runs} alternating runs")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        timed(ours, env)             # warm-up: byte-compile as an installed package is
        timed(ours_psych, env)
        t = {"ours": [], "ours_psych": [], "psych": [], "lavaan": []}
        for _ in range(args.runs):
            t["ours"].append(timed(ours, env))
            t["ours_psych"].append(timed(ours_psych, env))
            if r_psych:
                t["psych"].append(timed(r_psych))
                t["lavaan"].append(timed(r_lav))
        med = {k: statistics.median(v) for k, v in t.items() if v}

        def line(label, key):
            print(f"{label:<44} median {med[key]:7.3f} s   runs {', '.join(f'{v:.3f}' for v in t[key])}")

        line("avoid-survey polychoric, lavaan (process)", "ours")
        line("avoid-survey polychoric, psych (process)", "ours_psych")
        if not r_psych:
            print("Rscript psych / lavaan                        skipped: Rscript with psych and lavaan is not installed")
            return
        line("Rscript psych::polychoric (process)", "psych")
        line("Rscript lavaan::lavCor (process)", "lavaan")
        # agreement on this data
        out = Path(tmp) / "ours.json"
        subprocess.run([py, "-c", f"import avoid_survey as av, json; a = av.polychoric({str(data)!r}); "
                        f"b = av.polychoric({str(data)!r}, method='psych'); "
                        f"json.dump({{'lavaan': a.raw.rho.tolist(), 'psych': b.raw.rho.tolist()}}, open({str(out)!r}, 'w'))"],
                       check=True)
        rout = Path(tmp) / "r.json"
        subprocess.run([rscript, "-e", f"x <- read.csv('{data}'); m <- list(lavaan = unclass(lavaan::lavCor(x, ordered = names(x))), "
                        f"psych = suppressWarnings(psych::polychoric(x))$rho); "
                        f"writeLines(jsonlite::toJSON(lapply(m, function(a) unname(as.matrix(a))), digits = NA), '{rout}')"],
                       check=True, capture_output=True)
        a, b = json.loads(out.read_text()), json.loads(rout.read_text())
        dl = float(np.max(np.abs(np.array(a["lavaan"]) - np.array(b["lavaan"]))))
        dp = float(np.max(np.abs(np.array(a["psych"]) - np.array(b["psych"]))))
        print(f"max |diff| vs lavaan::lavCor = {dl:.1e}; vs psych::polychoric = {dp:.1e}")
        rp = med["ours_psych"] / med["psych"]
        rl = med["ours"] / med["lavaan"]
        print(f"ratio ours(psych)/psych = {rp:.3f} (goal <= {GOAL_PSYCH}) -> {'MET' if rp <= GOAL_PSYCH else 'NOT MET'}")
        print(f"ratio ours/lavaan = {rl:.3f} (goal <= {GOAL_LAVAAN}) -> {'MET' if rl <= GOAL_LAVAAN else 'NOT MET'}")


if __name__ == "__main__":
    main()
