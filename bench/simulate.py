"""Benchmark: peak memory of `avoid-survey simulate` at its 2,000,000-respondent cap.

    python bench/simulate.py [--n 2000000] [--whole]

The bundled sample study (sample_data/study.yaml) with its design scaled up: 5 townships
per county, 200 officials per township, ``n / 1000`` counties. The whole ``simulate
--spec ... --out big.csv --latent-out truth.csv`` process is run once; its peak RSS
(``ru_maxrss`` from ``os.wait4``) is printed against the goal of issue 20 (under 2 GB: such a
design is generated and written in blocks of counties, see analysis/simulate/chunked.py).
``--whole`` also runs the one-piece path (the block path switched off) for comparison: it
needs about 3.7 GB per million respondents.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

GOAL_GB = 2.0
ROOT = Path(__file__).resolve().parent.parent

WHOLE = r"""
import sys
from avoid_survey.analysis.simulate import chunked
chunked.wants_blocks = lambda *a: False
from avoid_survey.analysis.simulate.export import run_simulate
run_simulate(sys.argv[1], out=sys.argv[2], latent_out=sys.argv[3], force=True, show_progress=False)
"""


def timed(args):
    t = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"failed ({code}): {' '.join(map(str, args))}\n{err[-500:]}")
    return time.perf_counter() - t, usage.ru_maxrss * 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2_000_000, help="expected respondents (default: the cap)")
    ap.add_argument("--whole", action="store_true", help="also run the one-piece path (needs much memory)")
    a = ap.parse_args()
    exe = shutil.which("avoid-survey") or sys.exit("avoid-survey not on PATH")
    d = yaml.safe_load((ROOT / "sample_data" / "study.yaml").read_text(encoding="utf-8"))
    d["design"] = {"counties": max(1, a.n // 1000), "townships_per_county": 5, "officials_per_township": 200}
    with tempfile.TemporaryDirectory(prefix="bench-simulate-") as tmp:
        spec = Path(tmp) / "study.yaml"
        spec.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), encoding="utf-8")
        out, lat = Path(tmp) / "big.csv", Path(tmp) / "truth.csv"
        wall, peak = timed([exe, "simulate", "--spec", str(spec), "--out", str(out), "--latent-out", str(lat),
                            "--force", "--format", "json"])
        rows = sum(1 for _ in open(out, "rb")) - 1
        print(f"data: {rows:,} respondents x {len(open(out, encoding='utf-8-sig').readline().split(','))} columns, "
              f"{out.stat().st_size / 1e6:.0f} MB CSV + {lat.stat().st_size / 1e6:.0f} MB truth; {wall:.1f} s")
        if a.whole:
            w_wall, w_peak = timed([sys.executable, "-c", WHOLE, str(spec), str(out), str(lat)])
            print(f"one piece (block path off): peak RSS {w_peak / 1e9:.2f} GB, {w_wall:.1f} s")
    gb = peak / 1e9
    print(f"simulate peak RSS: {gb:.2f} GB; budget {GOAL_GB:.1f} GB; ratio {gb / GOAL_GB:.2f} (goal <= 1.0) "
          f"{'OK' if gb <= GOAL_GB else 'OVER'}")


if __name__ == "__main__":
    main()
