"""Run every benchmark in bench/ and print one table of medians, ratios and goals.

Usage: ``python bench/run.py [--quick] [--only validate,efa] [--json]``

Each bench script is run as a subprocess (its own defaults, or a smaller setting with
``--quick``); its printed medians, ratio and goal are parsed from its output. Rows that
need R are skipped with a reason when ``Rscript`` (or the R package) is absent.

The commands timed are those of a regular install of this checkout, made first in a
temporary folder (bench/_install.py: what ``pip install .`` gives a user, without the
editable install's start-up hook); ``--editable`` times the development install on PATH.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

_NUM = r"([0-9]+(?:\.[0-9]+)?)"


def _f(pattern: str, text: str):
    m = re.search(pattern, text)
    return float(m.group(1)) if m else None


def _parse_validate(out: str) -> dict:
    m = re.search(rf"median bare pandas\.read_csv: {_NUM} s; median validate: {_NUM} s; ratio {_NUM} "
                  rf"\(goal <= {_NUM}\)", out)
    if not m:
        return {}
    return {"ours": float(m.group(2)), "base": float(m.group(1)), "ratio": float(m.group(3)),
            "goal": float(m.group(4))}


def _parse_reliability(out: str) -> dict:
    return {"ours": _f(rf"avoid-survey reliability\s*: median {_NUM}", out),
            "base": _f(rf"Rscript psych::alpha\s*: median {_NUM}", out),
            "ratio": _f(rf"ratio ours/R = {_NUM}", out),
            "goal": _f(rf"goal <= {_NUM}\)", out)}


def _parse_efa(out: str) -> dict:
    return {"ours": _f(rf"avoid-survey efa \(whole process\)\s+median\s+{_NUM}", out),
            "base": _f(rf"Rscript psych::fa\.parallel \(process\)\s+median\s+{_NUM}", out),
            "ratio": _f(rf"ratio ours/R = {_NUM}", out),
            "goal": _f(rf"\(goal <= {_NUM}\)", out)}


def _parse_cfa(out: str) -> dict:
    return {"ours": _f(rf"ours\s+median {_NUM}", out),
            "base": _f(rf"R\s+median {_NUM}", out),
            "ratio": _f(rf"ratio\s+{_NUM}x", out),
            "goal": _f(rf"goal <= {_NUM}x", out)}


def _parse_model(out: str) -> dict:
    return {"ours": _f(rf"avoid-survey model \(CLI\)\s*: median {_NUM}", out),
            "base": _f(rf"Rscript lme4::lmer\s*: median {_NUM}", out),
            "ratio": _f(rf"ratio CLI/R\s+= {_NUM}", out),
            "goal": _f(rf"\(goal <= {_NUM}\)", out)}


def _parse_experiment(out: str) -> dict:
    return {"ours": _f(rf"avoid-survey experiment\s*: median {_NUM}", out),
            "base": _f(rf"Rscript lm \+ vcovCL\s*: median {_NUM}", out),
            "ratio": _f(rf"ratio ours/R = {_NUM}", out),
            "goal": _f(rf"\(goal <= {_NUM}\)", out)}


def _parse_polychoric_psych(out: str) -> dict:
    return {"ours": _f(rf"avoid-survey polychoric, psych \(process\)\s+median\s+{_NUM}", out),
            "base": _f(rf"Rscript psych::polychoric \(process\)\s+median\s+{_NUM}", out),
            "ratio": _f(rf"ratio ours\(psych\)/psych = {_NUM}", out),
            "goal": _f(rf"ratio ours\(psych\)/psych = [0-9.]+ \(goal <= {_NUM}\)", out)}


def _parse_polychoric_lavaan(out: str) -> dict:
    return {"ours": _f(rf"avoid-survey polychoric, lavaan \(process\)\s+median\s+{_NUM}", out),
            "base": _f(rf"Rscript lavaan::lavCor \(process\)\s+median\s+{_NUM}", out),
            "ratio": _f(rf"ratio ours/lavaan = {_NUM}", out),
            "goal": _f(rf"ratio ours/lavaan = [0-9.]+ \(goal <= {_NUM}\)", out)}


def _parse_process(out: str) -> dict:
    return {"ours": _f(rf"avoid-survey model \(process 7\)\s*: median {_NUM}", out),
            "base": _f(rf"Rscript lm\.fit bootstrap loop\s*: median {_NUM}", out),
            "ratio": _f(rf"ratio ours/R = {_NUM}", out),
            "goal": _f(rf"\(goal <= {_NUM}\)", out)}


def _parse_simulate(out: str) -> dict:
    m = re.search(rf"simulate peak RSS: {_NUM} GB; budget {_NUM} GB; ratio {_NUM} \(goal <= {_NUM}\)", out)
    if not m:
        return {}
    return {"ours": float(m.group(1)), "base": float(m.group(2)), "ratio": float(m.group(3)),
            "goal": float(m.group(4))}


# name, script, workload text, baseline text, needs R, default args, --quick args, parser
BENCHES = [
    ("validate", "validate.py", ("validate 1M rows x 60 items", "validate 200k rows x 60 items"), "pandas.read_csv", False,
     [], ["--rows", "200000", "--repeat", "3"], _parse_validate),
    ("reliability", "reliability.py", "reliability 10k x 6, 1000 bootstrap", "psych::alpha", True,
     [], ["--repeats", "3"], _parse_reliability),
    ("efa", "efa.py", "efa auto factors, parallel analysis 100 iter", "psych::fa.parallel", True,
     [], ["--runs", "2"], _parse_efa),
    ("cfa", "cfa.py", ("cfa 10k x 24 items, 4 factors", "cfa 5k x 24 items, 4 factors"), "lavaan::cfa", True,
     [], ["--reps", "3", "--n", "5000"], _parse_cfa),
    ("sem", "sem.py", ("sem 10k x 24 items, 4 latents, 3 regressions", "sem 5k x 24 items, 4 latents, 3 regressions"),
     "lavaan::sem", True, [], ["--reps", "3", "--n", "5000"], _parse_cfa),
    ("model", "model.py", "model lmer y ~ x1 + x2 + (1|g)", "lme4::lmer", True,
     [], ["--repeats", "3"], _parse_model),
    ("experiment", "experiment.py", "conjoint AMCEs 2,000 x 10 x 2, 8 attributes", "lm + sandwich::vcovCL", True,
     [], ["--repeats", "3"], _parse_experiment),
    ("sem-boot", "sem.py", ("sem 10k x 24, bootstrap 1,000", "sem 5k x 24, bootstrap 200"), "lavaan se=bootstrap", True,
     ["--boot", "1000", "--r-boot", "30", "--reps", "3"], ["--boot", "200", "--r-boot", "10", "--n", "5000", "--reps", "3"],
     _parse_cfa),
    ("sem-fiml", "sem.py", ("sem 10k x 24, FIML 5% MAR", "sem 5k x 24, FIML 5% MAR"), "lavaan missing=ml", True,
     ["--fiml", "--reps", "1"], ["--fiml", "--reps", "1", "--n", "5000"], _parse_cfa),
    ("polychoric", "polychoric.py", ("polychoric 10k x 24 items (psych convention)", "polychoric 5k x 24 items (psych convention)"),
     "psych::polychoric", True, [], ["--runs", "2", "--n", "5000"], _parse_polychoric_psych),
    ("polychoric_lavaan", "polychoric.py", ("polychoric 10k x 24 items (lavaan convention)", "polychoric 5k x 24 items (lavaan convention)"),
     "lavaan::lavCor", True, [], ["--runs", "2", "--n", "5000"], _parse_polychoric_lavaan),
    ("wlsmv", "wlsmv.py", ("cfa wlsmv 10k x 24 ordered items, 4 factors", "cfa wlsmv 5k x 24 ordered items, 4 factors"),
     "lavaan::cfa WLSMV", True, [], ["--reps", "3", "--n", "5000"], _parse_cfa),
    ("process", "process.py", "PROCESS model 7, 2,000 rows, 5,000 bootstrap", "R lm.fit bootstrap loop", True,
     [], ["--repeats", "1"], _parse_process),
    ("simulate", "simulate.py", ("simulate 2M respondents to CSV: peak RSS in GB (ours)",
                                 "simulate 400k respondents to CSV: peak RSS in GB (ours)"), "2 GB budget", False,
     [], ["--n", "400000"], _parse_simulate),
]

R_PACKAGES = {"reliability": "psych", "efa": "psych", "cfa": "lavaan", "sem": "lavaan", "model": "lme4", "experiment": "sandwich", "sem-boot": "lavaan", "sem-fiml": "lavaan", "polychoric": "psych", "polychoric_lavaan": "lavaan", "wlsmv": "lavaan", "process": "stats"}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _r_version(rscript: str | None) -> str | None:
    if not rscript:
        return None
    try:
        p = subprocess.run([rscript, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"version (\d+\.\d+\.\d+)", p.stdout + p.stderr)
    return m.group(1) if m else None


def _r_has(rscript: str, pkg: str) -> bool:
    p = subprocess.run([rscript, "-e", f"quit(status = !requireNamespace('{pkg}', quietly = TRUE))"],
                       capture_output=True, text=True)
    return p.returncode == 0


def machine() -> dict:
    rscript = shutil.which("Rscript")
    return {"nproc": os.cpu_count(), "cpu": _cpu_model(),
            "python": platform.python_version(), "R": _r_version(rscript) or "not installed",
            "os": platform.platform(), "load": _load()}


def _load() -> str:
    """The 1, 5 and 15-minute load averages (ratios are measured within one run, but a
    loaded machine widens them)."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "unknown"


def run_one(bench, quick: bool, rscript: str | None, install: dict | None = None) -> dict:
    name, script, work, base, needs_r, default_args, quick_args, parse = bench
    if isinstance(work, tuple):
        work = work[1] if quick else work[0]
    row = {"name": name, "workload": work, "baseline": base, "ours": None, "base": None,
           "ratio": None, "goal": None, "status": "", "note": ""}
    if needs_r:
        if not rscript:
            row.update(status="skipped", note="Rscript not found")
            return row
        pkg = R_PACKAGES[name]
        if not _r_has(rscript, pkg):
            row.update(status="skipped", note=f"R package {pkg} not installed")
            return row
    python = install["python"] if install else sys.executable
    cmd = [python, str(HERE / script), *(quick_args if quick else default_args)]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=str(HERE.parent),
                       env=install["env"] if install else None)
    row["elapsed"] = time.perf_counter() - t0
    row["output"] = p.stdout
    if p.returncode != 0:
        tail = " ".join((p.stderr or p.stdout).strip().splitlines()[-1:])[:200]
        row.update(status="error", note=f"exit {p.returncode}: {tail}")
        return row
    vals = parse(p.stdout)
    row.update({k: v for k, v in vals.items() if v is not None})
    if row["ratio"] is None and row["ours"] and row["base"]:
        row["ratio"] = row["ours"] / row["base"]
    if row["ratio"] is None or row["goal"] is None:
        row.update(status="error", note="could not parse the script's output")
    else:
        row["status"] = "pass" if row["ratio"] <= row["goal"] else "FAIL"
    return row


def _fmt(v, spec=".3f") -> str:
    return "-" if v is None else format(v, spec)


def table(rows: list[dict], mach: dict) -> str:
    head = ["workload", "ours (s)", "baseline", "baseline (s)", "ratio", "goal", "result"]
    body = [[r["workload"], _fmt(r["ours"]), r["baseline"], _fmt(r["base"]), _fmt(r["ratio"], ".3f"),
             "-" if r["goal"] is None else f"<= {r['goal']:g}",
             r["status"] + (f" ({r['note']})" if r["note"] else "")] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    lines = [" | ".join(str(c).ljust(w) for c, w in zip(head, widths)),
             "-|-".join("-" * w for w in widths)]
    lines += [" | ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in body]
    lines.append("")
    lines.append(f"machine: {mach['nproc']} CPUs, {mach['cpu']}; Python {mach['python']}; "
                 f"R {mach['R']}; {mach['os']}; load average {mach.get('load', 'unknown')}; "
                 f"avoid-survey install: {mach.get('install', 'editable (PATH)')}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller data and fewer repeats")
    ap.add_argument("--only", default="", help="comma-separated subset: " + ",".join(b[0] for b in BENCHES))
    ap.add_argument("--json", action="store_true", help="print the rows as one JSON line too")
    ap.add_argument("--verbose", action="store_true", help="echo each script's own output")
    ap.add_argument("--editable", action="store_true",
                    help="time the avoid-survey on PATH (the development install), not a regular install")
    args = ap.parse_args(argv)
    wanted = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = wanted - {b[0] for b in BENCHES}
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    rscript = shutil.which("Rscript")
    mach = machine()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-install-") as tmp:
        install = None
        if not args.editable:
            from _install import regular_install

            print("installing the checkout (regular install) ...", file=sys.stderr, flush=True)
            install = regular_install(Path(tmp) / "venv")
        mach["install"] = "editable (PATH)" if args.editable else "regular (pip install .)"
        for b in BENCHES:
            if wanted and b[0] not in wanted:
                continue
            print(f"running {b[1]} ...", file=sys.stderr, flush=True)
            row = run_one(b, args.quick, rscript, install)
            if args.verbose and row.get("output"):
                print(row["output"], file=sys.stderr)
            rows.append(row)
    print(table(rows, mach))
    if args.json:
        print(json.dumps({"machine": mach, "rows": [{k: v for k, v in r.items() if k != "output"}
                                                     for r in rows]}))
    return 1 if any(r["status"] == "error" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
