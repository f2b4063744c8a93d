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


def timed(cmd, cwd=None, cpu: list | None = None) -> tuple[float, str]:
    """Wall seconds and standard output of one whole process (exit on failure). With
    ``cpu``, its CPU seconds (user + system) are appended to that list: on a shared machine
    the CPU ratio shows what the wall ratio hides."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
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
