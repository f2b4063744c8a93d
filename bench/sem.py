"""Benchmark: an ML SEM (4 latent variables, 6 items each, 3 regressions) on 10,000 x 24 items,
our whole CLI process against lavaan::sem.

    python bench/sem.py [--reps 5] [--n 10000]

Generates the data deterministically (seed 20261202; F1 -> F2 -> F3 -> F4 with 5-point item
codes), then times, alternating, ``avoid-survey sem FILE --model ... --format json`` and
``Rscript`` running ``lavaan::sem`` + ``fitMeasures`` on the same CSV. Prints the median wall
time of each, the ratio ours / R against the goal (<= 0.5x, issue 14) and checks that both
give the same chi-square.

    python bench/sem.py --fiml-mediation [--reps 1]

times the template sem_pressure_trust_avoidance's latent mediation model (61 items, FIML) on the
bundled sample against lavaan's missing = "ml" fit of the same syntax (the one
tests/reference/sem_fiml_mediation.R pins). Goal <= 0.05x, as the FIML row.

    python bench/sem.py --boot 1000 [--r-boot 50]

times ``sem --bootstrap 1000`` (``--reps`` runs around lavaan's one) against
``lavaan::sem(se = "bootstrap")``; lavaan's time is
measured with ``--r-boot`` resamples and scaled linearly to the same count (it refits every
resample from scratch, so its time grows linearly). Goal <= 0.1x.

    python bench/sem.py --fiml [--reps 1]

times ``sem --missing ml`` against ``lavaan::sem(missing = "ml")`` on the same data with 5%
of the cells of items 7-24 missing at random (the chance of a gap grows with item 1; seed
20261203). Goal <= 0.05x.
"""
from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from _bytecode import precompile
from _common import against_lavaan, first_value, five_point, lavaan_args, print_lavaan, print_ratio, write_items
from _common import timed as _timed

GOAL = 0.5
ROOT = Path(__file__).resolve().parent.parent
MODEL = "\n".join([f"F{k + 1} =~ " + " + ".join(f"i{6 * k + j + 1}" for j in range(6)) for k in range(4)]
                  + ["F2 ~ F1", "F3 ~ F2", "F4 ~ F3"])


def make_data(path: Path, n: int) -> None:
    import numpy as np

    rng = np.random.default_rng(20261202)
    eta = np.zeros((n, 4))
    eta[:, 0] = rng.standard_normal(n)
    for k in range(1, 4):
        eta[:, k] = 0.5 * eta[:, k - 1] + np.sqrt(0.75) * rng.standard_normal(n)
    write_items(path, rng, eta, five_point)


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


def make_mar(path: Path, src: Path) -> None:
    """5% of the cells of items 7-24 missing at random: the chance grows with item 1."""
    import numpy as np

    x = np.loadtxt(src, delimiter=",", skiprows=1)
    rng = np.random.default_rng(20261203)
    prob = np.clip(0.05 * 24 / 18 * (1 + (x[:, 0] - 3) / 2), 0, 1)
    x[:, 6:][rng.random((len(x), 18)) < prob[:, None]] = np.nan
    header = ",".join(f"i{j + 1}" for j in range(24))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        for row in x:
            fh.write(",".join("" if np.isnan(v) else str(int(v)) for v in row) + "\n")


def r_fiml_script(csv: Path) -> str:
    return (
        "suppressPackageStartupMessages(library(lavaan))\n"
        f"d <- read.csv('{csv}')\n"
        f"m <- '{MODEL}'\n"
        "fit <- sem(m, data = d, missing = 'ml')\n"
        "fm <- fitMeasures(fit, c('chisq','df','pvalue','cfi','tli','rmsea','srmr','aic','bic'))\n"
        "ss <- standardizedSolution(fit)\n"
        "cat(sprintf('%s %.10g', names(fm), unclass(fm)), sep = '\\n')\n"
    )


def fiml_main(args) -> None:
    exe = shutil.which("avoid-survey") or sys.exit("avoid-survey not on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "sem_bench.csv"
        make_data(full, args.n)
        csv = Path(tmp) / "sem_bench_mar.csv"
        make_mar(csv, full)
        rfile = Path(tmp) / "sem_fiml.R"
        rfile.write_text(r_fiml_script(csv))
        ours_cmd = [exe, "sem", str(csv), "--model", MODEL, "--missing", "ml", "--format", "json"]
        ours_t, r_t, ours_out, r_out = _alternating(ours_cmd, rfile, args.reps)
    mr = print_lavaan(f"data: {args.n} x 24, 5% of items 7-24 missing at random; FIML; {args.reps} alternating runs",
                      "chisq", json.loads(ours_out)["fit"]["chisq"], first_value(r_out), ours_t, r_t)
    ratio = _print_ratios(ours_t, mr)
    print(f"ratio  {ratio:.3f}x  (goal <= 0.05x: {'met' if ratio <= 0.05 else 'NOT met'})")


def _alternating(ours_cmd, rfile: Path, reps: int):
    """``reps`` alternating runs of our command and the R script: (ours times, R times, our
    last output, R's last output)."""
    ours_t, r_t = [], []
    for _ in range(reps):
        t, ours_out = timed(ours_cmd)
        ours_t.append(t)
        t, r_out = timed(["Rscript", str(rfile)])
        r_t.append(t)
    return ours_t, r_t, ours_out, r_out


def _print_ratios(ours_t, r_median: float) -> float:
    """Print the CPU medians and their ratio; return the wall-time ratio of the medians."""
    cpu_o, cpu_r = statistics.median(CPU[0::2]), statistics.median(CPU[1::2])
    print(f"cpu    ours {cpu_o:.2f} s, R {cpu_r:.1f} s: cpu ratio {cpu_o / cpu_r:.3f}")
    return statistics.median(ours_t) / r_median


def mediation_model() -> str:
    """The latent mediation model of the template sem_pressure_trust_avoidance as the model
    command fits it (the measurement part from the instrument), the syntax lavaan gets too."""
    return json.loads((ROOT / "tests" / "reference" / "sem_fiml_mediation.json").read_text(encoding="utf-8"))["model"]


def r_mediation_script(csv: Path, model: str) -> str:
    return (
        "suppressPackageStartupMessages(library(lavaan))\n"
        f"d <- read.csv('{csv}')\n"
        f"m <- '{model}'\n"
        "fit <- sem(m, data = d, missing = 'ml')\n"
        "fm <- fitMeasures(fit, c('chisq','df','pvalue','cfi','tli','rmsea','srmr','aic','bic'))\n"
        "pe <- parameterEstimates(fit)\n"
        "cat(sprintf('%s %.10g', names(fm), unclass(fm)), sep = '\\n')\n"
    )


def mediation_main(args) -> None:
    """The template's latent mediation model by FIML on the bundled sample (1,187 x 61 items, 305
    missing-data patterns): ``avoid-survey sem --missing ml`` against lavaan's missing = "ml"."""
    exe = shutil.which("avoid-survey") or sys.exit("avoid-survey not on PATH")
    precompile()
    csv = ROOT / "sample_data" / "responses.csv"
    model = mediation_model()
    with tempfile.TemporaryDirectory() as tmp:
        rfile = Path(tmp) / "sem_fiml_mediation.R"
        rfile.write_text(r_mediation_script(csv, model))
        ours_cmd = [exe, "sem", str(csv), "--model", model, "--missing", "ml", "--format", "json"]
        ours_t, r_t, ours_out, r_out = _alternating(ours_cmd, rfile, args.reps)
    mr = print_lavaan(f"data: sample_data/responses.csv, 1,187 x 61 items, 305 missing-data patterns; FIML latent "
                      f"mediation (sem_pressure_trust_avoidance); {args.reps} alternating runs",
                      "chisq", json.loads(ours_out)["fit"]["chisq"], first_value(r_out), ours_t, r_t)
    ratio = _print_ratios(ours_t, mr)
    print(f"ratio  {ratio:.3f}x  (no goal: the template's model, timed for the record)")


def r_boot_script(csv: Path, b: int) -> str:
    return (
        "suppressPackageStartupMessages(library(lavaan))\n"
        f"d <- read.csv('{csv}')\n"
        f"m <- '{MODEL}'\n"
        f"t0 <- proc.time(); fit <- sem(m, data = d, se = 'bootstrap', bootstrap = {b})\n"
        "pe <- parameterEstimates(fit, boot.ci.type = 'perc')\n"
        "t1 <- proc.time() - t0\n"
        "cat(sprintf('%.6f', c(t1[['user.self']] + t1[['sys.self']], t1[['elapsed']])), sep = '\\n')\n"
    )


def boot_main(args) -> None:
    exe = shutil.which("avoid-survey") or sys.exit("avoid-survey not on PATH")
    precompile()  # bytecode as an installed wheel has it (see bench/_bytecode.py)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "sem_bench.csv"
        make_data(csv, args.n)
        rfile = Path(tmp) / "sem_boot.R"
        rfile.write_text(r_boot_script(csv, args.r_boot))
        cmd = [exe, "sem", str(csv), "--model", MODEL, "--bootstrap", str(args.boot), "--seed", "1", "--format", "json"]
        ours_t = []
        for k in range(args.reps):   # ours around R's run: ours before, R, ours after ...
            ours_t.append(timed(cmd)[0])
            if k == 0:
                r_wall, r_out = timed(["Rscript", str(rfile)])
    ours = statistics.median(ours_t)
    r_fit = float(r_out.split()[-1])
    r_scaled = r_fit * args.boot / args.r_boot
    print(f"data: {args.n} x 24; bootstrap {args.boot} resamples")
    print(f"ours   median {ours:.2f} s (whole process; {', '.join(f'{t:.2f}' for t in ours_t)})")
    print(f"R      median {r_scaled:.1f} s for {args.boot} (linear from {r_fit:.2f} s for {args.r_boot} resamples)")
    ratio = ours / r_scaled
    cpu_o, cpu_r = statistics.median(CPU[:1] + CPU[2:]), float(r_out.split()[-2]) * args.boot / args.r_boot
    print(f"cpu    ours {cpu_o:.2f} s, R {cpu_r:.1f} s (scaled): cpu ratio {cpu_o / cpu_r:.3f}")
    print(f"ratio  {ratio:.3f}x  (goal <= 0.1x: {'met' if ratio <= 0.1 else 'NOT met'})")


CPU: list = []   # CPU seconds (user + sys) of each timed process, in order


def timed(cmd) -> tuple[float, str]:
    """Wall seconds of the whole process; its CPU seconds go to CPU."""
    return _timed(cmd, cpu=CPU)


def main() -> None:
    ap = lavaan_args(__doc__)
    ap.add_argument("--boot", type=int, default=0, help="time the bootstrap with this many resamples")
    ap.add_argument("--r-boot", type=int, default=50, help="resamples lavaan runs (scaled to --boot)")
    ap.add_argument("--fiml", action="store_true", help="time FIML with 5%% missing at random (goal <= 0.05x)")
    ap.add_argument("--fiml-mediation", action="store_true",
                    help="time the template's FIML latent mediation on the sample study (goal <= 0.05x)")
    args = ap.parse_args()
    if shutil.which("Rscript") is None:
        sys.exit("Rscript not found")
    if args.boot:
        boot_main(args)
        return
    if args.fiml:
        fiml_main(args)
        return
    if args.fiml_mediation:
        mediation_main(args)
        return
    times, outs = against_lavaan("sem_bench", args.n, args.reps, make_data, r_script,
                                 lambda csv: ["sem", str(csv), "--model", MODEL, "--format", "json"])
    (ours_t, r_t), (ours_out, r_out) = times.values(), outs.values()
    print_lavaan(f"data: {args.n} x 24, 4 latent variables, 3 regressions; {args.reps} alternating runs", "chisq",
                 json.loads(ours_out)["fit"]["chisq"], first_value(r_out), ours_t, r_t)
    print_ratio(ours_t, r_t, GOAL)


if __name__ == "__main__":
    main()
