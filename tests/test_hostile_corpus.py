"""Every data command on every file of the hostile-input corpus (tests/hostile_inputs.py):
exit 0, 1 (validate) or 2 with one line; never an internal error, a traceback, a changed
input or a file left behind (issue 20)."""
import pytest

import hostile_inputs as H


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return H.build_corpus(tmp_path_factory.mktemp("hostile"))


CASES = ["ragged_cancel", "injection", "control_chars", "inf_nan", "all_missing", "header_only", "one_row",
         "two_rows", "huge_field", "out_of_range", "nul_bytes", "encrypted_xlsx", "broken_xlsx", "row_bomb_xlsx",
         "nested_parquet", "fifo"]

# the cases no analysis can use: each must be refused with exit 2 by every analysis command (an
# infinite answer on a Likert item is outside its scale: missing, with a warning)
REFUSED = {"ragged_cancel", "all_missing", "header_only", "huge_field", "nul_bytes", "encrypted_xlsx",
           "broken_xlsx", "row_bomb_xlsx", "fifo"}


@pytest.mark.parametrize("command", list(H.COMMANDS))
@pytest.mark.parametrize("case", CASES)
def test_hostile_input(corpus, tmp_path, case, command):
    code, err = H.run_case(corpus[case], command, tmp_path / "out")
    if case in REFUSED and command != "validate":
        assert code == 2, (case, command, err)
    if case in ("ragged_cancel", "all_missing") and command == "validate":
        assert code == 1


def test_injection_payloads_are_inert_in_every_output(corpus, tmp_path):
    import zipfile
    for command in ("validate", "score", "reliability", "efa"):
        out = tmp_path / command
        H.run_case(corpus["injection"], command, out)
        for f in out.iterdir():
            data = f.read_bytes()
            if f.suffix == ".xlsx":
                with zipfile.ZipFile(f) as z:
                    assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
            elif f.suffix == ".csv":
                assert b"\n=HYPERLINK" not in data and b',=HYPERLINK' not in data
            elif f.suffix == ".md":
                assert b"<script>" not in data
