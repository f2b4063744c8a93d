"""Every command's ``--format json`` output on the sample data and the test fixtures, kept in
a folder so two builds of avoid-survey can be compared byte for byte (issue 13: a layout
change must not change one byte of JSON).

    python tests/json_identity.py --run /tmp/json-before --exe /old/venv/bin/avoid-survey
    python tests/json_identity.py --run /tmp/json-after  --exe .venv/bin/avoid-survey
    python tests/json_identity.py --compare /tmp/json-before /tmp/json-after

Both runs read the inputs of this checkout (commands run with this repository as the working
directory, paths relative to it), so paths printed in the JSON are the same for both. For
each case the folder holds ``NAME.json`` (stdout) and ``NAME.meta`` (exit code, stderr and
the SHA-256 of every data file the command wrote). Three paths are rewritten, nothing
else: files a command writes go to a scratch folder written as ``<SCRATCH>``, and the
folders of the bundled instruments and model templates (inside the installed package, so
in each build's own checkout) are written as ``<INSTRUMENTS>`` and ``<TEMPLATES>``.
Commands without JSON output (``report``, ``instruments export``) are not covered.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "sample_data/responses.csv"
CORE = "blame-avoidance-core"
FIX = "tests/fixtures/validate"
REF = "tests/reference"
SIM = "tests/fixtures/simulate"
HS_MODEL = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"

# (reference instrument, reference data) pairs, as the R-pinned tests use them
REF_PAIRS = [
    ("reliability_bfi.yaml", "bfi.csv"),
    ("reliability_ability.yaml", "ability.csv"),
    ("reliability_holzinger.yaml", "holzinger_x1_x9.csv"),
    ("reliability_holzinger2.yaml", "holzinger_x1_x9.csv"),
    ("cfa_hs_instrument.yaml", "hs_holzinger1939.csv"),
]


def _bundled_ids() -> list[str]:
    return sorted(p.stem for p in (ROOT / "instruments" / "data").glob("*.yaml"))


def cases() -> list[tuple[str, list[str], list[str]]]:
    """(name, argv after the exe, data files the command writes, relative to the scratch dir)."""
    out: list[tuple[str, list[str], list[str]]] = []

    def add(name, argv, writes=()):
        out.append((name, [str(a) for a in argv], list(writes)))

    # instruments
    add("instruments-list", ["instruments", "list", "--format", "json"])
    for iid in _bundled_ids():
        add(f"instruments-show-{iid}", ["instruments", "show", iid, "--format", "json"])
        add(f"instruments-check-{iid}", ["instruments", "check", iid, "--format", "json"])
    for y in sorted((ROOT / REF).glob("*.yaml")):
        add(f"instruments-show-ref-{y.stem}", ["instruments", "show", f"{REF}/{y.name}", "--format", "json"])
    for y in sorted((ROOT / "tests" / "instruments_broken").glob("*.yaml")):
        add(f"instruments-check-broken-{y.stem}",
            ["instruments", "check", f"tests/instruments_broken/{y.name}", "--format", "json"])

    # validate
    add("validate-sample", ["validate", SAMPLE, "--instrument", CORE, "--format", "json"])
    add("validate-sample-wjx", ["validate", "sample_data/responses_wjx.xlsx", "--instrument", CORE, "--format", "json"])
    add("validate-sample-noinst", ["validate", SAMPLE, "--format", "json"])
    add("validate-sample-clean", ["validate", SAMPLE, "--instrument", CORE, "--clean", "<SCRATCH>/clean.csv",
                                  "--format", "json"], ["clean.csv"])
    for f in sorted((ROOT / FIX).iterdir()):
        if f.suffix in (".py", ".yaml"):
            continue
        argv = ["validate", f"{FIX}/{f.name}", "--instrument", f"{FIX}/instrument.yaml", "--format", "json"]
        if f.name == "mapped.csv":
            argv += ["--map", f"{FIX}/mapping.yaml"]
        add(f"validate-fixture-{f.name}", argv)
    for inst, data in REF_PAIRS:
        add(f"validate-ref-{Path(inst).stem}", ["validate", f"{REF}/data/{data}", "--instrument", f"{REF}/{inst}",
                                                 "--format", "json"])

    # score
    add("score-sample", ["score", SAMPLE, "--instrument", CORE, "--out", "<SCRATCH>/scores.csv", "--format", "json"],
        ["scores.csv"])
    add("score-sample-aggregate", ["score", SAMPLE, "--instrument", CORE, "--scale", "passive_avoidance",
                                   "--aggregate", "township_id", "--out", "<SCRATCH>/towns.csv", "--format", "json"],
        ["towns.csv", "towns_agreement.csv"])
    add("score-fixture", ["score", f"{FIX}/clean.csv", "--instrument", f"{FIX}/instrument.yaml",
                          "--out", "<SCRATCH>/fixture_scores.csv", "--format", "json"], ["fixture_scores.csv"])

    # reliability
    add("reliability-sample", ["reliability", SAMPLE, "--instrument", CORE, "--format", "json"])
    add("reliability-sample-listwise", ["reliability", SAMPLE, "--instrument", CORE, "--missing", "listwise",
                                        "--scale", "passive_avoidance", "--format", "json"])
    add("reliability-sample-boot", ["reliability", SAMPLE, "--instrument", CORE, "--scale", "passive_avoidance",
                                    "--ci", "bootstrap", "--n-boot", "200", "--seed", "3", "--format", "json"])
    add("reliability-ref-sample", ["reliability", f"{REF}/data/reliability_sample.csv", "--instrument", CORE,
                                   "--format", "json"])
    add("reliability-fixture", ["reliability", f"{FIX}/clean.csv", "--instrument", f"{FIX}/instrument.yaml",
                                "--format", "json"])
    for inst, data in REF_PAIRS:
        add(f"reliability-ref-{Path(inst).stem}", ["reliability", f"{REF}/data/{data}", "--instrument",
                                                    f"{REF}/{inst}", "--format", "json"])

    # efa
    add("efa-sample-passive", ["efa", SAMPLE, "--instrument", CORE, "--scale", "passive_avoidance", "--format", "json"])
    add("efa-sample-ftt", ["efa", SAMPLE, "--instrument", "fault-tolerance-trust", "--format", "json"])
    add("efa-ref-bfi-items", ["efa", f"{REF}/data/bfi.csv", "--items", "A1,A2,A3,A4,A5,C1,C2,C3,C4,C5",
                              "--factors", "2", "--rotation", "promax", "--format", "json"])
    add("efa-ref-holzinger-ml", ["efa", f"{REF}/data/holzinger_x1_x9.csv", "--instrument",
                                 f"{REF}/reliability_holzinger.yaml", "--factors", "3", "--method", "ml",
                                 "--format", "json"])
    add("efa-ref-holzinger-pa-varimax", ["efa", f"{REF}/data/holzinger_x1_x9.csv", "--instrument",
                                         f"{REF}/reliability_holzinger.yaml", "--factors", "3", "--method", "pa",
                                         "--rotation", "varimax", "--missing", "listwise", "--format", "json"])

    # cfa
    add("cfa-sample-ftt-second-order", ["cfa", SAMPLE, "--instrument", "fault-tolerance-trust", "--second-order",
                                        "--format", "json"])
    add("cfa-sample-passive-group", ["cfa", SAMPLE, "--instrument", CORE, "--scale", "passive_avoidance",
                                     "--group", "gender", "--format", "json"])
    add("cfa-ref-hs-model", ["cfa", f"{REF}/data/hs_holzinger1939.csv", "--model", HS_MODEL, "--format", "json"])
    add("cfa-ref-hs-group", ["cfa", f"{REF}/data/hs_holzinger1939.csv", "--model", HS_MODEL, "--group", "school",
                             "--format", "json"])
    add("cfa-ref-hs-stdlv", ["cfa", f"{REF}/data/hs_holzinger1939.csv", "--model", HS_MODEL, "--std-lv",
                             "--format", "json"])
    add("cfa-ref-hs-instrument", ["cfa", f"{REF}/data/hs_holzinger1939.csv", "--instrument",
                                  f"{REF}/cfa_hs_instrument.yaml", "--format", "json"])
    add("cfa-ref-hs-mcar-fiml", ["cfa", f"{REF}/data/hs_holzinger1939_mcar.csv", "--model", HS_MODEL,
                                 "--missing", "ml", "--format", "json"])

    # model
    for spec in sorted((ROOT / "sample_data" / "specs").glob("*.yaml")):
        add(f"model-spec-{spec.stem}", ["model", "--spec", f"sample_data/specs/{spec.name}", "--format", "json"])
    for tpl in sorted((ROOT / "analysis" / "templates").glob("*.yaml")):
        add(f"model-template-{tpl.stem}", ["model", "--template", tpl.stem, "--data", SAMPLE, "--format", "json"])

    # simulate
    add("simulate-sample-study", ["simulate", "--spec", "sample_data/study.yaml", "--seed", "7",
                                  "--out", "<SCRATCH>/sim.csv", "--units-out", "<SCRATCH>/sim_units.csv",
                                  "--latent-out", "<SCRATCH>/sim_latent.csv", "--format", "json"],
        ["sim.csv", "sim_units.csv", "sim_latent.csv"])
    add("simulate-mini", ["simulate", "--spec", f"{SIM}/mini-study.yaml", "--seed", "11",
                          "--out", "<SCRATCH>/mini.csv", "--format", "json"], ["mini.csv"])
    add("simulate-mini-power", ["simulate", "--spec", f"{SIM}/mini-study.yaml", "--replicate", "4",
                                "--fit", f"{SIM}/mini-model.yaml", "--seed", "5", "--jobs", "1", "--format", "json"])
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _package_dirs(exe: str) -> list[tuple[str, str]]:
    """(folder, token): where the build behind ``exe`` keeps its bundled instruments and
    model templates (asked of its python)."""
    with open(exe, "rb") as fh:
        first = fh.readline().decode("utf-8", "replace").strip()
    python = first[2:].strip() if first.startswith("#!") else sys.executable
    code = ("import os, avoid_survey.instruments as i, avoid_survey.analysis as a\n"
            "print(os.path.join(os.path.dirname(i.__file__), 'data'))\n"
            "print(os.path.join(os.path.dirname(a.__file__), 'templates'))")
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    return [(out[0].strip(), "<INSTRUMENTS>"), (out[1].strip(), "<TEMPLATES>")]


def _normalise(text: str, scratch: Path, dirs) -> str:
    text = text.replace(str(scratch), "<SCRATCH>")
    for folder, token in dirs:
        text = text.replace(folder, token)
    return text.replace(str(ROOT), "<CHECKOUT>")   # the checkout the cases run in


def _run_case(exe: str, scratch_root: Path, dirs, case) -> tuple[str, str, str, float]:
    name, argv, writes = case
    scratch = scratch_root / name
    scratch.mkdir(parents=True)
    args = [a.replace("<SCRATCH>", str(scratch)) for a in argv]
    env = dict(os.environ, COLUMNS="120", NO_COLOR="1", PYTHONHASHSEED="0")
    t0 = time.perf_counter()
    proc = subprocess.run([exe, *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    dt = time.perf_counter() - t0
    stdout, stderr = _normalise(proc.stdout, scratch, dirs), _normalise(proc.stderr, scratch, dirs)
    meta = [f"argv: {' '.join(argv)}", f"exit: {proc.returncode}"]
    for w in writes:
        p = scratch / w
        meta.append(f"sha256 {w}: {_sha256(p) if p.exists() else '(not written)'}")
    meta.append("stderr:")
    meta.append(stderr)
    return name, stdout, "\n".join(meta), dt


def run(out_dir: Path, exe: str, jobs: int, only: str | None) -> int:
    exe = str(Path(exe).resolve()) if os.sep in exe else (shutil.which(exe) or exe)
    out_dir.mkdir(parents=True, exist_ok=True)
    todo = [c for c in cases() if only is None or only in c[0]]
    dirs = _package_dirs(exe)
    scratch_root = Path(tempfile.mkdtemp(prefix="json-identity-"))
    t0 = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for name, stdout, meta, dt in pool.map(lambda c: _run_case(exe, scratch_root, dirs, c), todo):
                (out_dir / f"{name}.json").write_text(stdout, encoding="utf-8")
                (out_dir / f"{name}.meta").write_text(meta, encoding="utf-8")
                code = meta.split("\n")[1]
                print(f"{dt:6.2f}s  {code:8s}  {name}", file=sys.stderr)
    finally:
        shutil.rmtree(scratch_root, ignore_errors=True)
    bad_json = []
    for name, _a, _w in todo:
        text = (out_dir / f"{name}.json").read_text(encoding="utf-8")
        if text.strip():
            try:
                json.loads(text)
            except ValueError:
                bad_json.append(name)
    print(f"{len(todo)} cases in {time.perf_counter() - t0:.1f} s -> {out_dir}", file=sys.stderr)
    if bad_json:
        print(f"stdout is not one JSON document: {', '.join(bad_json)}", file=sys.stderr)
        return 1
    return 0


def compare(a: Path, b: Path) -> int:
    names_a = {p.name for p in a.iterdir() if p.suffix in (".json", ".meta")}
    names_b = {p.name for p in b.iterdir() if p.suffix in (".json", ".meta")}
    differ = []
    for only, where in ((names_a - names_b, a), (names_b - names_a, b)):
        for n in sorted(only):
            differ.append(f"only in {where}: {n}")
    same = 0
    for n in sorted(names_a & names_b):
        if (a / n).read_bytes() == (b / n).read_bytes():
            same += 1
        else:
            differ.append(f"differs: {n}")
    for line in differ:
        print(line)
    print(f"{same} identical, {len(differ)} different", file=sys.stderr)
    return 1 if differ else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--run", metavar="DIR", type=Path, help="run every case and write the outputs to DIR")
    g.add_argument("--compare", nargs=2, metavar=("DIR_A", "DIR_B"), type=Path, help="compare two output folders")
    g.add_argument("--list", action="store_true", help="list the cases")
    ap.add_argument("--exe", default="avoid-survey", help="the avoid-survey executable to run (with --run)")
    ap.add_argument("--jobs", type=int, default=2, help="cases run at the same time [2]")
    ap.add_argument("--only", help="run only the cases whose name contains this text")
    ns = ap.parse_args(argv)
    if ns.list:
        for name, argv_, _w in cases():
            print(f"{name}: {' '.join(argv_)}")
        return 0
    if ns.run is not None:
        return run(ns.run, ns.exe, ns.jobs, ns.only)
    return compare(*ns.compare)


if __name__ == "__main__":
    sys.exit(main())
