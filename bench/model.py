"""Benchmark: a random-intercept model on ~75,000 rows in ~1,100 groups.

`avoid-survey model --spec bench_spec.yaml --format json` (family mixed, groups township)
vs `Rscript -e 'd <- read.csv(...); m <- lme4::lmer(y ~ x1 + x2 + (1|g), d); print(summary(m))'`,
whole processes, alternating, REPEATS times each; medians and their ratio. Goal: ours <= 1.0 x R.
Also times a bare Python process that reads the CSV with pandas and calls fit_mixed
(the library without the CLI / spec layer), and checks that both give lme4's numbers.

Data: simulated deterministically with numpy (seed 20261123): 1,100 townships of 40-96
officials, y = 1 + 0.3 x1 - 0.2 x2 + u_township + e, u ~ N(0, 0.5^2), e ~ N(0, 1).

    python bench/model.py [--repeats 5]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile

from _common import alternate

GOAL = 1.0


def make_data(folder: str, groups: int = 1100, seed: int = 20261123) -> tuple[str, int]:
    import numpy as np

    rng = np.random.default_rng(seed)
    sizes = rng.integers(40, 97, size=groups)
    g = np.repeat(np.arange(groups), sizes)
    n = g.size
    u = rng.normal(0.0, 0.5, size=groups)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    y = 1.0 + 0.3 * x1 - 0.2 * x2 + u[g] + rng.normal(size=n)
    path = os.path.join(folder, "bench_mixed.csv")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("y,x1,x2,township\n")
        fh.writelines(f"{a:.6f},{b:.6f},{c:.6f},T{d:04d}\n" for a, b, c, d in zip(y, x1, x2, g))
    return path, n


SPEC = """data: {data}
models:
  - name: bench
    family: mixed
    formula: y ~ x1 + x2
    groups: township
"""

PY_DIRECT = """
import sys, json
import numpy as np, pandas as pd
from avoid_survey.analysis.stats.models.mixed import fit_mixed
d = pd.read_csv(sys.argv[1])
X = np.column_stack([np.ones(len(d)), d["x1"].to_numpy(), d["x2"].to_numpy()])
m = fit_mixed(d["y"].to_numpy(), X, ["(Intercept)", "x1", "x2"], [d["township"].to_numpy()],
              group_names=["township"])
print(json.dumps(m.to_dict()))
"""

R_CODE = ("d <- read.csv('{data}'); m <- lme4::lmer(y ~ x1 + x2 + (1|township), d); print(summary(m)); "
          "cat('\\nREF', sprintf('%.10f', c(lme4::fixef(m), as.data.frame(lme4::VarCorr(m))$vcov, "
          "lme4::REMLcrit(m))), '\\n')")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    exe, rs = shutil.which("avoid-survey"), shutil.which("Rscript")
    if not exe or not rs:
        sys.exit("need avoid-survey and Rscript on PATH")
    folder = tempfile.mkdtemp(prefix="bench-model-")
    data, n = make_data(folder)
    spec = os.path.join(folder, "bench_spec.yaml")
    with open(spec, "w", encoding="utf-8") as fh:
        fh.write(SPEC.format(data=data))
    cmds = {
        "avoid-survey model (CLI)": [exe, "model", "--spec", spec, "--format", "json"],
        "python fit_mixed (direct)": [sys.executable, "-c", PY_DIRECT, data],
        "Rscript lme4::lmer": [rs, "-e", R_CODE.format(data=data)],
    }
    times, outs = alternate(cmds, args.repeats, folder)   # warm the file cache once for each, then alternate

    # same numbers? (fixed effects, township variance, residual variance, REML criterion)
    ref = [float(v) for v in outs["Rscript lme4::lmer"].split("REF", 1)[1].split()]
    cli = json.loads(outs["avoid-survey model (CLI)"])["models"][0]
    ours = [c["estimate"] for c in cli["coefficients"]] + [
        cli["random_effects"]["township"]["var"], cli["random_effects"]["residual"]["var"],
        cli["fit"]["reml_criterion"]]
    diff = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(ours, ref))

    med = {k: statistics.median(v) for k, v in times.items()}
    mr = med["Rscript lme4::lmer"]
    print(f"data: {n} rows, 1100 townships, y ~ x1 + x2 + (1|township), REML; {args.repeats} alternating runs each")
    for k, v in times.items():
        print(f"{k:27s}: median {med[k]:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in v)})")
    print(f"largest relative difference CLI vs lme4 (beta, variances, REML criterion): {diff:.2e}")
    r_cli = med["avoid-survey model (CLI)"] / mr
    r_dir = med["python fit_mixed (direct)"] / mr
    print(f"ratio CLI/R    = {r_cli:.3f}  (goal <= {GOAL})  {'PASS' if r_cli <= GOAL else 'FAIL'}")
    print(f"ratio direct/R = {r_dir:.3f}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
