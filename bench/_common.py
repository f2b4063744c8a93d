"""What the bench scripts share: timing a whole process, the warm-then-alternate run loop,
and the simulated factor-model items of the CFA, SEM and WLSMV benches.

Each script keeps its own data (seed, factor structure, coding) and its own commands; only
the mechanics live here, so every bench times the same way.
"""
from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

ITEMS, PER_FACTOR = 24, 6


def timed(cmd, cwd=None, cpu: list | None = None, env=None) -> tuple[float, str]:
    """Wall seconds and standard output of one whole process (exit on failure). With
    ``cpu``, its CPU seconds (user + system) are appended to that list: on a shared machine
    the CPU ratio shows what the wall ratio hides. ``env``: the process's environment."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t0
    if cpu is not None:
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(map(str, cmd))}\n{p.stderr[-2000:]}")
    return dt, p.stdout


def alternate(cmds: dict, reps: int, cwd=None) -> tuple[dict, dict]:
    """Run every command once untimed (warming the file cache; its output is kept), then
    ``reps`` rounds of all of them in turn. Returns ({name: [seconds]}, {name: stdout})."""
    outs = {k: timed(c, cwd)[1] for k, c in cmds.items()}
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(reps):
        for k, c in cmds.items():
            times[k].append(timed(c, cwd)[0])
    return times, outs


def write_items(path: Path, rng, eta, code) -> None:
    """24 items, 6 per factor of ``eta`` (n x 4): item j = lambda_j eta + sqrt(1 - lambda_j^2)
    e with lambda_j ~ U(0.5, 0.85), coded by ``code`` (continuous -> whole numbers); a CSV with
    a header ``i1..i24``."""
    import numpy as np

    n = eta.shape[0]
    lam = rng.uniform(0.5, 0.85, size=ITEMS)
    cols = []
    for j in range(ITEMS):
        y = lam[j] * eta[:, j // PER_FACTOR] + np.sqrt(1 - lam[j] ** 2) * rng.standard_normal(n)
        cols.append(code(y))
    header = ",".join(f"i{j + 1}" for j in range(ITEMS))
    np.savetxt(path, np.column_stack(cols), fmt="%d", delimiter=",", header=header, comments="")


def five_point(y):
    """Codes 1..5 centred on 3: round(3 + 1.1 y), clipped."""
    import numpy as np

    return np.clip(np.round(3 + 1.1 * y), 1, 5).astype(int)


# ---------------------------------------------------------------- the lavaan benches
def lavaan_args(doc: str):
    """The options of a bench against lavaan: ``--reps`` (alternating runs) and ``--n`` (rows)."""
    import argparse

    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--n", type=int, default=10_000)
    return ap


def against_lavaan(stem: str, n: int, reps: int, make_data, r_script, ours, more=None) -> tuple[dict, dict]:
    """In a temporary folder: the data (``make_data(csv, n)``) and the R script
    (``r_script(csv)``); then :func:`alternate` over ``avoid-survey *ours(csv)``, ``Rscript``
    and any ``more`` commands ({name: f(csv) -> avoid-survey arguments}). The package is
    byte-compiled first, as an installed wheel is (see bench/_bytecode.py)."""
    import shutil
    import tempfile

    from _bytecode import precompile

    exe = shutil.which("avoid-survey") or sys.exit("avoid-survey not on PATH")
    precompile()
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / f"{stem}.csv"
        make_data(csv, n)
        rfile = Path(tmp) / f"{stem}.R"
        rfile.write_text(r_script(csv))
        cmds = {"ours": [exe, *ours(csv)], "R": ["Rscript", str(rfile)]}
        cmds.update({name: [exe, *f(csv)] for name, f in (more or {}).items()})
        return alternate(cmds, reps)


def print_lavaan(data: str, stat: str, ours_stat: float, r_stat: float, ours_t, r_t) -> float:
    """The data line, the statistic of both, each median with its runs; returns the R median."""
    import statistics

    mo, mr = statistics.median(ours_t), statistics.median(r_t)
    print(data)
    print(f"{stat}  ours {ours_stat:.6f}   lavaan {r_stat:.6f}")
    print(f"ours   median {mo:.3f} s  ({', '.join(f'{t:.2f}' for t in ours_t)})")
    print(f"R      median {mr:.3f} s  ({', '.join(f'{t:.2f}' for t in r_t)})")
    return mr


def print_ratio(ours_t, r_t, goal: float) -> None:
    import statistics

    ratio = statistics.median(ours_t) / statistics.median(r_t)
    print(f"ratio  {ratio:.2f}x  (goal <= {goal:.1f}x: {'met' if ratio <= goal else 'NOT met'})")


def first_value(r_out: str) -> float:
    """The value on the first line ``name value`` the R scripts print."""
    return float(r_out.split("\n")[0].split()[1])
