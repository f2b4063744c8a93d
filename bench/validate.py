"""Benchmark: `avoid-survey validate` on 1,000,000 respondents x 60 items.

Goal (issue 3, tightened by issue 20): validating takes at most 1.5x the time of a bare ``pandas.read_csv`` of the
same file, measured in the same run, and peak memory stays under 4x the size of the
parsed frame.

Run: ``python bench/validate.py [--rows N] [--repeat R] [--keep]``. The data are generated
deterministically (seed 1) into a temporary folder: a 60-item instrument (6 scales x 10
items, 5-point agreement, one reverse item per scale), respondent ids, a duration column,
and a few careless respondents. Each repetition runs, in fresh processes and alternating,
(a) ``python -c "import pandas; pandas.read_csv(FILE)"`` and (b) the ``avoid-survey
validate`` command as installed (JSON to a file). Both are timed as whole processes, from
start to exit; medians and the ratio are printed. The memory peak of each process is its
``ru_maxrss`` from ``os.wait4``.
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

from _bytecode import precompile

GOAL_TIME = 1.5
GOAL_MEM = 4.0

BASE = r"""
import resource, sys, time
import pandas as pd
t = time.perf_counter()
df = pd.read_csv(sys.argv[1])
el = time.perf_counter() - t
print(el, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, int(df.memory_usage(deep=True).sum()), file=sys.stderr)
"""

def make_data(folder: str, rows: int):
    import numpy as np
    import pandas as pd

    k_scales, per = 6, 10
    lines = ['id: bench-60', 'version: "1.0"', 'title: {en: "Benchmark", zh: "基准"}',
             "response: {type: likert, min: 1, max: 5, labels: {1: {en: Strongly disagree, zh: 非常不同意}, "
             "5: {en: Strongly agree, zh: 非常同意}}}",
             "scales:"]
    for s in range(k_scales):
        lines += [f"  - id: s{s + 1}", f"    label: {{en: Scale {s + 1}, zh: 量表{s + 1}}}", "    items:"]
        for j in range(per):
            rev = ", reverse: true" if j == per - 1 else ""
            lines.append(f"      - {{id: s{s + 1}_{j + 1}{rev}, text: {{en: Item {s + 1}.{j + 1}, zh: 条目{s + 1}.{j + 1}}}}}")
    lines += ["variables:", "  - {id: rid, role: id, label: {en: Respondent, zh: 编号}}",
              "  - {id: seconds, role: duration, label: {en: Duration, zh: 用时}, response: {type: numeric, min: 0}}"]
    instr = os.path.join(folder, "bench.yaml")
    with open(instr, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    rng = np.random.default_rng(1)
    cols = {"rid": np.arange(1, rows + 1), "seconds": rng.integers(300, 1800, rows)}
    for s in range(k_scales):
        f = rng.normal(0, 1, rows).astype(np.float32)
        for j in range(per):
            v = np.clip(np.rint(3 + f + rng.normal(0, 0.8, rows).astype(np.float32)), 1, 5).astype(np.int8)
            cols[f"s{s + 1}_{j + 1}"] = (6 - v) if j == per - 1 else v
    df = pd.DataFrame(cols)
    bad = rng.choice(rows, size=max(1, rows // 1000), replace=False)
    items = [c for c in df.columns if c.startswith("s") and "_" in c]
    df.loc[bad, items] = 4  # straight-liners
    path = os.path.join(folder, "big.csv")
    df.to_csv(path, index=False, chunksize=200_000)
    return path, instr


def timed(args):
    """Run ``args``; (wall seconds, returncode, stderr, peak RSS in bytes of the process)."""
    t = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, p.returncode, err, usage.ru_maxrss * 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="keep the generated folder")
    a = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-validate-")
    try:
        t0 = time.perf_counter()
        data, instr = make_data(folder, a.rows)
        size = os.path.getsize(data)
        print(f"data: {a.rows:,} rows x 60 items, {size / 1e6:.1f} MB CSV (generated in {time.perf_counter() - t0:.1f} s)")
        base_t, ours_t, base_mem, ours_mem, frame = [], [], [], [], 0
        out = os.path.join(folder, "report.json")
        exe = shutil.which("avoid-survey") or sys.exit("avoid-survey not on PATH")
        precompile()  # bytecode as an installed wheel has it (see bench/_bytecode.py)
        for r in range(a.repeat):
            wall, _, err, mem = timed([sys.executable, "-c", BASE, data])
            base_t.append(wall)
            base_mem.append(mem)
            frame = int(err.strip().splitlines()[-1].split()[2])
            wall2, code2, err2, mem2 = timed([exe, "validate", data, "--instrument", instr,
                                             "--format", "json", "--output", out, "--force"])
            if code2 not in (0, 1) or not os.path.exists(out):
                print("validate failed:", err2.strip()[-500:])
                sys.exit(2)
            ours_t.append(wall2)
            ours_mem.append(mem2)
            print(f"  run {r + 1}: read_csv {wall:.2f} s ({mem / 1e6:.0f} MB peak), "
                  f"validate {wall2:.2f} s ({mem2 / 1e6:.0f} MB peak)")
        rep = json.load(open(out, encoding="utf-8"))
        mb, mo = statistics.median(base_t), statistics.median(ours_t)
        ratio = mo / mb
        mem_ratio = max(ours_mem) / frame
        print(f"findings: {rep['n_errors']} errors, {rep['n_warnings']} warnings; "
              f"summary: {', '.join(str(s['code']) + '=' + str(s['count']) for s in rep['summary'])}")
        print(f"median bare pandas.read_csv: {mb:.2f} s; median validate: {mo:.2f} s; ratio {ratio:.2f} "
              f"(goal <= {GOAL_TIME}) {'OK' if ratio <= GOAL_TIME else 'OVER'}")
        print(f"parsed frame {frame / 1e6:.0f} MB; validate peak RSS {max(ours_mem) / 1e6:.0f} MB = "
              f"{mem_ratio:.2f}x the frame (goal < {GOAL_MEM}) {'OK' if mem_ratio < GOAL_MEM else 'OVER'}; "
              f"read_csv alone peaks at {max(base_mem) / 1e6:.0f} MB")
    finally:
        if a.keep:
            print("kept", folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
