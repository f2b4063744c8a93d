"""The hostile-input corpus of the second hardening round (issue 20), and a script that runs
every data command on every file of it.

    python tests/hostile_inputs.py [DIR]      # build the corpus in DIR and run it

Each case is a small file built here (nothing binary is kept in the repository). A command
may succeed (0), report problems (validate: 1) or refuse with one clear line (2); an
internal error (3), a traceback, a hang, a changed input or a file left behind is a failure.
tests/test_hostile_corpus.py runs the same corpus in CI.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLEAN = HERE / "fixtures" / "validate" / "clean.csv"
INSTRUMENT = HERE / "fixtures" / "validate" / "instrument.yaml"

COMMANDS = {
    "validate": lambda f, out: ["validate", f, "-i", INSTRUMENT, "--clean", out / "clean.csv"],
    "score": lambda f, out: ["score", f, "-i", INSTRUMENT, "--out", out / "scores.xlsx"],
    "reliability": lambda f, out: ["reliability", f, "-i", INSTRUMENT, "-f", "xlsx", "-o", out / "rel.xlsx"],
    "efa": lambda f, out: ["efa", f, "-i", INSTRUMENT, "-f", "md", "-o", out / "efa.md"],
    "cfa": lambda f, out: ["cfa", f, "-i", INSTRUMENT, "-f", "csv", "-o", out / "cfa.csv"],
    "describe": lambda f, out: ["describe", f, "-i", INSTRUMENT, "-f", "docx", "-o", out / "d.docx"],
    "cmv": lambda f, out: ["cmv", f, "-i", INSTRUMENT, "-f", "json"],
}


def _lines():
    return CLEAN.read_text(encoding="utf-8").splitlines()


def _write(p: Path, lines) -> Path:
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def build_corpus(d: Path) -> dict:
    """{case name: path} of hostile data files in folder ``d``."""
    d.mkdir(parents=True, exist_ok=True)
    cases = {}
    L = _lines()

    # ragged rows whose field counts cancel out
    x = list(L)
    x[1] += ","
    x[9] = x[9].rsplit(",", 1)[0]
    cases["ragged_cancel"] = _write(d / "ragged_cancel.csv", x)
    # formula and markup payloads in text cells
    x = list(L)
    r = x[1].split(",")
    r[0], r[1] = '"=HYPERLINK(""http://evil"",""x"")"', "<script>alert(1)</script>"
    x[1] = ",".join(r)
    cases["injection"] = _write(d / "injection.csv", x)
    # control characters in a header and a cell
    x = list(L)
    x[0] = x[0].replace("township_id", "town\x07ship")
    x[2] = x[2].replace("镇02", "镇\x0102", 1)
    cases["control_chars"] = _write(d / "control_chars.csv", x)
    # infinite and NaN text in answers
    x = list(L)
    r = x[3].split(",")
    r[5], r[6] = "inf", "nan"
    x[3] = ",".join(r)
    cases["inf_nan"] = _write(d / "inf_nan.csv", x)
    # every answer missing; header only; one respondent; two respondents
    head = L[0].split(",")
    cases["all_missing"] = _write(d / "all_missing.csv",
                                  [L[0]] + [",".join(ln.split(",")[:5] + [""] * (len(head) - 5)) for ln in L[1:]])
    cases["header_only"] = _write(d / "header_only.csv", L[:1])
    cases["one_row"] = _write(d / "one_row.csv", L[:2])
    cases["two_rows"] = _write(d / "two_rows.csv", L[:3])
    # a 2 MB field on the second data row
    x = list(L)
    r = x[2].split(",")
    r[0] = "x" * 2_100_000
    x[2] = ",".join(r)
    cases["huge_field"] = _write(d / "huge_field.csv", x)
    # out-of-range codes (55 on a 1-5 item)
    x = list(L)
    r = x[4].split(",")
    r[6] = "55"
    x[4] = ",".join(r)
    cases["out_of_range"] = _write(d / "out_of_range.csv", x)
    # binary junk, NUL bytes
    (d / "nul.csv").write_bytes(CLEAN.read_bytes()[:200] + b"\x00\x00" + CLEAN.read_bytes()[200:])
    cases["nul_bytes"] = d / "nul.csv"
    # workbooks: encrypted (compound file), not a zip, declared 1.5M rows
    (d / "encrypted.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    cases["encrypted_xlsx"] = d / "encrypted.xlsx"
    (d / "notzip.xlsx").write_bytes(b"PK\x03\x04 not really")
    cases["broken_xlsx"] = d / "notzip.xlsx"
    with zipfile.ZipFile(d / "rows.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                   '2006/main"><dimension ref="A1:T1500000"/><sheetData/></worksheet>')
    cases["row_bomb_xlsx"] = d / "rows.xlsx"
    # parquet with nested columns
    try:
        import pandas as pd
        df = pd.read_csv(CLEAN)
        df["tags"] = [[1, 2]] * len(df)
        df.to_parquet(d / "nested.parquet")
        cases["nested_parquet"] = d / "nested.parquet"
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        pass
    # a FIFO with no writer (reading it would block for ever)
    if hasattr(os, "mkfifo"):
        fifo = d / "fifo.csv"
        if not fifo.exists():
            os.mkfifo(fifo)
        cases["fifo"] = fifo
    return cases


def _digest(p: Path) -> str:
    if not p.is_file():
        return "special"
    return hashlib.sha256(p.read_bytes()).hexdigest()


def run_case(path: Path, command: str, out: Path) -> tuple[int, str]:
    """(exit code, stderr) of one command on one file, in process; raises AssertionError
    when the run breaks a promise (internal error, traceback, input changed, more than one
    error line)."""
    from avoid_survey.cli.main import run

    out.mkdir(parents=True, exist_ok=True)
    before = _digest(path)
    o, e = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
        code = run([str(a) for a in COMMANDS[command](path, out)])
    err = e.getvalue()
    assert code in (0, 1, 2), (command, path.name, code, err)
    assert "Traceback" not in err and "internal error" not in err, (command, path.name, err)
    if code == 2:
        errors = [ln for ln in err.splitlines() if ln.startswith("error")]
        assert len(errors) == 1, (command, path.name, err)
        assert not any(p.name != ".keep" for p in out.iterdir()), (command, path.name, list(out.iterdir()))
    assert _digest(path) == before, (command, path.name, "input changed")
    assert not [p for p in out.iterdir() if p.name.endswith(".part")], "temporary file left behind"
    return code, err


def main(argv=None) -> int:
    d = Path((argv or sys.argv[1:] or ["hostile-corpus"])[0])
    cases = build_corpus(d)
    bad = 0
    for name, path in cases.items():
        for cmd in COMMANDS:
            try:
                code, err = run_case(path, cmd, d / "out" / f"{name}-{cmd}")
                print(f"{name:16} {cmd:12} exit {code}  {err.strip().splitlines()[-1][:90] if err.strip() else ''}")
            except AssertionError as exc:
                bad += 1
                print(f"{name:16} {cmd:12} FAILED {exc}")
    print(f"{bad} failure(s) in {len(cases) * len(COMMANDS)} runs")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
