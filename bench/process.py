"""Benchmark: PROCESS model 7 (first-stage moderated mediation) with 5,000 bootstrap resamples.

`avoid-survey model --spec bench_spec.yaml --format json` (family process, model 7, 2,000 rows,
two covariates) vs an R script doing what the PROCESS macro for R does: the two lm() fits, then a
loop over 5,000 row resamples refitting both equations (lm.fit on the model matrices, the fast
path) and the percentile CIs of the conditional indirect effects and the index. Whole processes,
alternating, REPEATS times each; medians and their ratio. Goal: ours <= 1.0 x R. The point
estimates of both are compared (the resamples differ: R's and numpy's generators differ; the
bootstrap itself is pinned to R in tests/test_model_process.py on replayed indices).

Data: simulated deterministically with numpy (seed 20261203): x, w ~ N(0, 1), m = 0.4 x + 0.2 x w
+ e, y = 0.3 x + 0.5 m + e, covariates c1, c2 ~ N(0, 1).

    python bench/process.py [--repeats 3]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile

from _common import timed

GOAL = 1.0
N_BOOT = 5000


def make_data(folder: str, n: int = 2000, seed: int = 20261203) -> str:
    import numpy as np

    rng = np.random.default_rng(seed)
    x, w, c1, c2 = (rng.normal(size=n) for _ in range(4))
    m = 0.4 * x + 0.2 * x * w + 0.1 * c1 + rng.normal(size=n)
    y = 0.3 * x + 0.5 * m + 0.1 * c2 + rng.normal(size=n)
    path = os.path.join(folder, "bench_process.csv")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("x,w,m,y,c1,c2\n")
        fh.writelines(f"{a:.6f},{b:.6f},{c:.6f},{d:.6f},{e:.6f},{f:.6f}\n" for a, b, c, d, e, f in
                      zip(x, w, m, y, c1, c2))
    return path


SPEC = """data: {data}
models:
  - name: bench
    family: process
    model: 7
    x: x
    m: m
    w: w
    y: y
    covariates: [c1, c2]
    bootstrap: {{n: {n_boot}, seed: 1}}
"""

R_CODE = """d <- read.csv('{data}'); set.seed(1)
fa <- m ~ x + w + x:w + c1 + c2; fb <- y ~ x + m + c1 + c2
Xa <- model.matrix(fa, d); Xb <- model.matrix(fb, d)
wv <- quantile(d$w, c(.16, .5, .84))
eff <- function(i) {{
  a <- lm.fit(Xa[i, ], d$m[i])$coefficients; b <- lm.fit(Xb[i, ], d$y[i])$coefficients
  c((a[['x']] + a[['x:w']] * wv) * b[['m']], a[['x:w']] * b[['m']])
}}
est <- eff(seq_len(nrow(d)))
boot <- t(sapply(1:{n_boot}, function(b) eff(sample.int(nrow(d), replace = TRUE))))
ci <- apply(boot, 2, quantile, c(.025, .975))
cat('REF', sprintf('%.10f', est), '\\n')
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    exe, rs = shutil.which("avoid-survey"), shutil.which("Rscript")
    if not exe or not rs:
        sys.exit("need avoid-survey and Rscript on PATH")
    folder = tempfile.mkdtemp(prefix="bench-process-")
    data = make_data(folder)
    spec = os.path.join(folder, "bench_spec.yaml")
    with open(spec, "w", encoding="utf-8") as fh:
        fh.write(SPEC.format(data=data, n_boot=N_BOOT))
    cmds = {"avoid-survey model (process 7)": [exe, "model", "--spec", spec, "--format", "json"],
            "Rscript lm.fit bootstrap loop": [rs, "-e", R_CODE.format(data=data, n_boot=N_BOOT)]}
    times: dict[str, list[float]] = {k: [] for k in cmds}
    outs = {}
    for _ in range(args.repeats):
        for k, c in cmds.items():
            dt, outs[k] = timed(c, folder)
            times[k].append(dt)
    ref = [float(v) for v in outs["Rscript lm.fit bootstrap loop"].split("REF", 1)[1].split()]
    m = json.loads(outs["avoid-survey model (process 7)"])["models"][0]
    ours = [e["estimate"] for e in m["conditional_indirect_effects"]] + \
        [m["index_of_moderated_mediation"][0]["estimate"]]
    diff = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(ours, ref))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"data: 2000 rows, PROCESS model 7, {N_BOOT} bootstrap resamples; {args.repeats} alternating runs each")
    for k, v in times.items():
        print(f"{k:32s}: median {med[k]:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in v)})")
    print(f"largest relative difference of the point estimates vs R: {diff:.2e}")
    r = med["avoid-survey model (process 7)"] / med["Rscript lm.fit bootstrap loop"]
    print(f"ratio ours/R = {r:.3f}  (goal <= {GOAL})  {'PASS' if r <= GOAL else 'FAIL'}")


if __name__ == "__main__":
    main()
