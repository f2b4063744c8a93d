"""Benchmark: `avoid-survey reliability --ci bootstrap --n-boot 1000` vs R psych::alpha(n.iter=1000).

10,000 respondents x 6 five-point items (one factor, deterministic seed), written to a
temporary folder. Both whole processes are timed, alternating, REPEATS times each; the
medians and their ratio are printed. Goal: ours <= 0.2 x R.

    python bench/reliability.py [--repeats 5]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile

from _common import timed as _timed

GOAL = 0.2


def make_data(folder: str, n: int = 10_000, k: int = 6) -> tuple[str, str]:
    import numpy as np

    rng = np.random.default_rng(20240601)
    f = rng.normal(size=(n, 1))
    x = 0.7 * f + rng.normal(scale=0.7, size=(n, k))
    codes = np.clip(np.rint(3 + x * 1.2), 1, 5).astype(int)
    data = os.path.join(folder, "bench.csv")
    with open(data, "w", encoding="utf-8") as fh:
        fh.write(",".join(f"q{j + 1}" for j in range(k)) + "\n")
        for row in codes:
            fh.write(",".join(map(str, row)) + "\n")
    inst = os.path.join(folder, "bench.yaml")
    items = "\n".join(f'      - {{id: q{j + 1}, text: {{en: "Item {j + 1}", zh: "条目{j + 1}"}}}}' for j in range(k))
    with open(inst, "w", encoding="utf-8") as fh:
        fh.write(f"""id: bench
version: "1.0"
title: {{en: "Benchmark", zh: "基准"}}
response: {{type: likert, min: 1, max: 5, labels: {{1: {{en: "Strongly disagree", zh: "非常不同意"}}, 5: {{en: "Strongly agree", zh: "非常同意"}}}}}}
scales:
  - id: bench_scale
    label: {{en: "Benchmark scale", zh: "基准量表"}}
    items:
{items}
""")
    return data, inst


def timed(cmd, cwd) -> float:
    """Wall seconds of one whole process (see bench/_common.py)."""
    return _timed(cmd, cwd)[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    exe, rs = shutil.which("avoid-survey"), shutil.which("Rscript")
    if not exe or not rs:
        sys.exit("need avoid-survey and Rscript on PATH")
    folder = tempfile.mkdtemp(prefix="bench-rel-")
    data, inst = make_data(folder)
    ours = [exe, "reliability", data, "--instrument", inst, "--ci", "bootstrap", "--n-boot", "1000",
            "--seed", "1", "--format", "json"]
    r_cmd = [rs, "-e", f"invisible(psych::alpha(read.csv('{data}'), n.iter=1000))"]
    t_ours, t_r = [], []
    timed(ours, folder)  # warm the file cache once for both
    timed(r_cmd, folder)
    for _ in range(args.repeats):
        t_ours.append(timed(ours, folder))
        t_r.append(timed(r_cmd, folder))
    mo, mr = statistics.median(t_ours), statistics.median(t_r)
    ratio = mo / mr
    print(f"data: 10000 x 6 items, 1000 bootstrap resamples, {args.repeats} alternating runs each")
    print(f"avoid-survey reliability : median {mo:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in t_ours)})")
    print(f"Rscript psych::alpha     : median {mr:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in t_r)})")
    print(f"ratio ours/R = {ratio:.3f}  (goal <= {GOAL})  {'PASS' if ratio <= GOAL else 'FAIL'}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
