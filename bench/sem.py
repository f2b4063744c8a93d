"""Benchmark: an ML SEM (4 latent variables, 6 items each, 3 regressions) on 10,000 x 24 items,
our whole CLI process against lavaan::sem.

    python bench/sem.py [--reps 5] [--n 10000]

Generates the data deterministically (seed 20261202; F1 -> F2 -> F3 -> F4 with 5-point item
codes), then times, alternating, ``avoid-survey sem FILE --model ... --format json`` and
``Rscript`` running ``lavaan::sem`` + ``fitMeasures`` on the same CSV. Prints the median wall
time of each, the ratio ours / R against the goal (<= 0.5x, issue 14) and checks that both
give the same chi-square.

    python bench/sem.py --boot 1000 [--r-boot 50]

times ``sem --bootstrap 1000`` against ``lavaan::sem(se = "bootstrap")``; lavaan's time is
measured with ``--r-boot`` resamples and scaled linearly to the same count (it refits every
resample from scratch, so its time grows linearly). Goal <= 0.1x.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bytecode import precompile

GOAL = 0.5
MODEL = "\n".join([f"F{k + 1} =~ " + " + ".join(f"i{6 * k + j + 1}" for j in range(6)) for k in range(4)]
                  + ["F2 ~ F1", "F3 ~ F2", "F4 ~ F3"])


def make_data(path: Path, n: int) -> None:
    import numpy as np

    rng = np.random.default_rng(20261202)
    eta = np.zeros((n, 4))
    eta[:, 0] = rng.standard_normal(n)
    for k in range(1, 4):
        eta[:, k] = 0.5 * eta[:, k - 1] + np.sqrt(0.75) * rng.standard_normal(n)
    lam = rng.uniform(0.5, 0.85, size=24)
    cols = []
    for j in range(24):
        y = lam[j] * eta[:, j // 6] + np.sqrt(1 - lam[j] ** 2) * rng.standard_normal(n)
        cols.append(np.clip(np.round(3 + 1.1 * y), 1, 5).astype(int))
    header = ",".join(f"i{j + 1}" for j in range(24))
    np.savetxt(path, np.column_stack(cols), fmt="%d", delimiter=",", header=header, comments="")


def r_script(csv: Path) -> str:
    return (
        "suppressPackageStartupMessages(library(lavaan))\n"
        f"d <- read.csv('{csv}')\n"
        f"m <- '{MODEL}'\n"
        "fit <- sem(m, data = d)\n"
        "fm <- fitMeasures(fit, c('chisq','df','pvalue','cfi','tli','rmsea','srmr','aic','bic'))\n"
        "ss <- standardizedSolution(fit)\n"
        "cat(sprintf('%s %.10g', names(fm), unclass(fm)), sep = '\\n')\n"
    )


def r_boot_script(csv: Path, b: int) -> str:
    return (
        "suppressPackageStartupMessages(library(lavaan))\n"
        f"d <- read.csv('{csv}')\n"
        f"m <- '{MODEL}'\n"
        f"t0 <- proc.time()[['elapsed']]; fit <- sem(m, data = d, se = 'bootstrap', bootstrap = {b})\n"
        "pe <- parameterEstimates(fit, boot.ci.type = 'perc')\n"
        "cat(sprintf('%.6f', proc.time()[['elapsed']] - t0), sep = '\\n')\n"
    )


def boot_main(args) -> None:
    exe = shutil.which("avoid-survey") or sys.exit("avoid-survey not on PATH")
    precompile()  # bytecode as an installed wheel has it (see bench/_bytecode.py)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "sem_bench.csv"
        make_data(csv, args.n)
        rfile = Path(tmp) / "sem_boot.R"
        rfile.write_text(r_boot_script(csv, args.r_boot))
        ours, _ = timed([exe, "sem", str(csv), "--model", MODEL, "--bootstrap", str(args.boot), "--seed", "1",
                         "--format", "json"])
        r_wall, r_out = timed(["Rscript", str(rfile)])
    r_fit = float(r_out.split()[-1])
    r_scaled = r_fit * args.boot / args.r_boot
    print(f"data: {args.n} x 24; bootstrap {args.boot} resamples")
    print(f"ours   {ours:.2f} s (whole process)")
    print(f"R      {r_fit:.2f} s for {args.r_boot} resamples -> {r_scaled:.1f} s for {args.boot} (linear)")
    ratio = ours / r_scaled
    print(f"ratio  {ratio:.3f}x  (goal <= 0.1x: {'met' if ratio <= 0.1 else 'NOT met'})")


def timed(cmd) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{out.stderr}")
    return dt, out.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--boot", type=int, default=0, help="time the bootstrap with this many resamples")
    ap.add_argument("--r-boot", type=int, default=50, help="resamples lavaan runs (scaled to --boot)")
    args = ap.parse_args()
    if shutil.which("Rscript") is None:
        sys.exit("Rscript not found")
    if args.boot:
        boot_main(args)
        return
    exe = shutil.which("avoid-survey") or sys.exit("avoid-survey not on PATH")
    precompile()  # bytecode as an installed wheel has it (see bench/_bytecode.py)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "sem_bench.csv"
        make_data(csv, args.n)
        rfile = Path(tmp) / "sem_bench.R"
        rfile.write_text(r_script(csv))
        ours_cmd = [exe, "sem", str(csv), "--model", MODEL, "--format", "json"]
        r_cmd = ["Rscript", str(rfile)]
        _, ours_out = timed(ours_cmd)   # warm the file cache once for both
        _, r_out = timed(r_cmd)
        ours_t, r_t = [], []
        for _ in range(args.reps):
            ours_t.append(timed(ours_cmd)[0])
            r_t.append(timed(r_cmd)[0])
    chisq_ours = json.loads(ours_out)["fit"]["chisq"]
    chisq_r = float(r_out.split("\n")[0].split()[1])
    mo, mr = statistics.median(ours_t), statistics.median(r_t)
    print(f"data: {args.n} x 24, 4 latent variables, 3 regressions; {args.reps} alternating runs")
    print(f"chisq  ours {chisq_ours:.6f}   lavaan {chisq_r:.6f}")
    print(f"ours   median {mo:.3f} s  ({', '.join(f'{t:.2f}' for t in ours_t)})")
    print(f"R      median {mr:.3f} s  ({', '.join(f'{t:.2f}' for t in r_t)})")
    ratio = mo / mr
    print(f"ratio  {ratio:.2f}x  (goal <= {GOAL:.1f}x: {'met' if ratio <= GOAL else 'NOT met'})")


if __name__ == "__main__":
    main()
