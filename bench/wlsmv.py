"""Benchmark: WLSMV CFA (4 factors x 6 ordered items, 10,000 rows), our whole CLI process
against lavaan ``cfa(..., ordered = TRUE, estimator = "WLSMV")``.

    python bench/wlsmv.py [--reps 5] [--n 10000]

Generates skewed 5-point answers deterministically (seed 20261203), then times, alternating,
``avoid-survey cfa FILE --model ... --estimator wlsmv --format json`` and ``Rscript`` running
lavaan's WLSMV fit + ``fitMeasures`` on the same CSV. Prints the median wall time of each and
the ratio ours / R against the goal (<= 1.0x), and checks that both give the same scaled
chi-square.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from _common import against_lavaan, first_value, lavaan_args, print_lavaan, print_ratio, write_items

GOAL = 1.0
MODEL = "\n".join(f"F{k + 1} =~ " + " + ".join(f"i{6 * k + j + 1}" for j in range(6)) for k in range(4))


def make_data(path: Path, n: int) -> None:
    import numpy as np

    rng = np.random.default_rng(20261203)
    phi = np.full((4, 4), 0.35) + 0.65 * np.eye(4)
    eta = rng.multivariate_normal(np.zeros(4), phi, size=n)
    cuts = np.array([-0.2, 0.5, 1.1, 1.7])        # skewed: most answers low
    write_items(path, rng, eta, lambda y: np.searchsorted(cuts, y) + 1)


def r_script(csv: Path) -> str:
    return (
        "suppressPackageStartupMessages(library(lavaan))\n"
        f"d <- read.csv('{csv}')\n"
        f"m <- '{MODEL}'\n"
        "fit <- cfa(m, data = d, ordered = names(d), estimator = 'WLSMV')\n"
        "fm <- fitMeasures(fit, c('chisq.scaled','df','cfi.scaled','cfi.robust','rmsea.robust','srmr'))\n"
        "pe <- parameterEstimates(fit); ss <- standardizedSolution(fit)\n"
        "cat(sprintf('%s %.10g', names(fm), unclass(fm)), sep = '\\n')\n"
    )


def main() -> None:
    args = lavaan_args(__doc__).parse_args()
    if shutil.which("Rscript") is None:
        sys.exit("Rscript not found")
    times, outs = against_lavaan("wlsmv_bench", args.n, args.reps, make_data, r_script,
                                 lambda csv: ["cfa", str(csv), "--model", MODEL, "--estimator", "wlsmv",
                                              "--format", "json"])
    (ours_t, r_t), (ours_out, r_out) = times.values(), outs.values()
    print_lavaan(f"data: {args.n} x 24 ordered items, 4 factors; {args.reps} alternating runs", "chisq.scaled",
                 json.loads(ours_out)["fit"]["chisq_scaled"], first_value(r_out), ours_t, r_t)
    print_ratio(ours_t, r_t, GOAL)


if __name__ == "__main__":
    main()
