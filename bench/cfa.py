"""Benchmark: a 4-factor CFA on 10,000 x 24 items, our whole CLI process against lavaan.

    python bench/cfa.py [--reps 5] [--n 10000]

Generates the data deterministically (seed 20261123; 4 correlated factors, 6 items each,
5-point codes), then times, alternating, ``avoid-survey cfa FILE --model ... --format json``
and ``Rscript`` running ``lavaan::cfa`` + ``fitMeasures`` on the same CSV. Prints the median
wall time of each, the ratio ours / R against the goal (<= 0.5x, issue 20) and checks that both give
the same chi-square.

The CSV holds whole-number codes only, so ``cfa`` reads it without pandas
(``io.read_plain_numeric``). For comparison the same bytes are also run as a ``.txt`` file,
which takes the full reader (pandas, encodings, labels): that line is information, the goal
is the CSV's.
"""
from __future__ import annotations

import json
import shutil
import statistics
import sys
from pathlib import Path

from _common import against_lavaan, first_value, five_point, lavaan_args, print_lavaan, print_ratio, write_items

GOAL = 0.5
MODEL = "\n".join(f"F{k + 1} =~ " + " + ".join(f"i{6 * k + j + 1}" for j in range(6)) for k in range(4))


def make_data(path: Path, n: int) -> None:
    import numpy as np

    rng = np.random.default_rng(20261123)
    phi = np.full((4, 4), 0.3) + 0.7 * np.eye(4)
    write_items(path, rng, rng.multivariate_normal(np.zeros(4), phi, size=n), five_point)


def r_script(csv: Path) -> str:
    return (
        "suppressPackageStartupMessages(library(lavaan))\n"
        f"d <- read.csv('{csv}')\n"
        f"m <- '{MODEL}'\n"
        "fit <- cfa(m, data = d)\n"
        "fm <- fitMeasures(fit, c('chisq','df','pvalue','cfi','tli','rmsea','rmsea.ci.lower','rmsea.ci.upper',"
        "'srmr','aic','bic'))\n"
        "cat(sprintf('%s %.10g', names(fm), unclass(fm)), sep = '\\n')\n"
    )


def main() -> None:
    args = lavaan_args(__doc__).parse_args()
    if shutil.which("Rscript") is None:
        sys.exit("Rscript not found")

    def as_txt(csv):   # the same bytes as .txt: the full reader (pandas) instead of the plain-CSV path
        txt = csv.with_suffix(".txt")
        txt.write_bytes(csv.read_bytes())
        return ["cfa", str(txt), "--model", MODEL, "--format", "json"]

    times, outs = against_lavaan("cfa_bench", args.n, args.reps, make_data, r_script,
                                 lambda csv: ["cfa", str(csv), "--model", MODEL, "--format", "json"],
                                 more={"full": as_txt})
    (ours_t, r_t, full_t), (ours_out, r_out, full_out) = times.values(), outs.values()
    mr = print_lavaan(f"data: {args.n} x 24, 4 factors; {args.reps} alternating runs", "chisq",
                      json.loads(ours_out)["fit"]["chisq"], first_value(r_out), ours_t, r_t)
    mf = statistics.median(full_t)
    same = json.loads(full_out) == json.loads(ours_out)
    print(f"(the same file through the full reader, as .txt: median {mf:.3f} s = {mf / mr:.2f}x R; "
          f"{'identical' if same else 'DIFFERENT'} results)")
    print_ratio(ours_t, r_t, GOAL)


if __name__ == "__main__":
    main()
