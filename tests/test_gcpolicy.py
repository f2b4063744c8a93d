"""The collection thresholds of short runs (analysis/core/gcpolicy.py): raised for the
console command's process and for the duration of an API call, never beyond it."""
import gc
import subprocess
import sys

import pytest

from avoid_survey.analysis.core import gcpolicy


def _thresholds_after(code):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return tuple(int(x) for x in out.split())


def test_the_console_process_collects_less_often():
    code = ("import sys; sys.argv = ['/usr/bin/avoid-survey', '--help']; import avoid_survey.cli.main, gc; "
            "print(*gc.get_threshold())")
    assert _thresholds_after(code) == gcpolicy.THRESHOLDS


def test_importing_the_cli_elsewhere_leaves_the_collector_alone():
    code = "import sys; sys.argv = ['pytest']; import avoid_survey.cli.main, gc; print(*gc.get_threshold())"
    assert _thresholds_after(code) == (700, 10, 10)


@pytest.mark.parametrize("argv", ["sys.argv = []", "del sys.argv"])
def test_the_cli_imports_without_a_program_name(argv):
    """An embedding or a harness that empties (or has no) sys.argv can still import the CLI."""
    code = f"import sys; {argv}; import avoid_survey.cli.main, gc; print(*gc.get_threshold())"
    assert _thresholds_after(code) == (700, 10, 10)


def test_a_users_own_thresholds_are_kept():
    code = ("import gc, sys; gc.set_threshold(1000, 5, 5); sys.argv = ['avoid-survey']; "
            "import avoid_survey.cli.main; print(*gc.get_threshold())")
    assert _thresholds_after(code) == (1000, 5, 5)


def test_an_api_call_raises_them_only_while_it_runs(monkeypatch, tmp_path):
    import avoid_survey as av
    from avoid_survey.analysis.numerics import polychoric as P

    seen = []
    real = P.polychoric_matrix

    def spy(*a, **k):
        seen.append(gc.get_threshold())
        return real(*a, **k)

    monkeypatch.setattr(P, "polychoric_matrix", spy)
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n2,1\n1,1\n2,2\n1,2\n2,2\n")
    old = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        av.polychoric(str(f))
        assert seen == [gcpolicy.THRESHOLDS]
        assert gc.get_threshold() == (700, 10, 10)
        gc.set_threshold(0)            # collection off: left off
        with gcpolicy.fewer_collections():
            assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*old)


def test_restored_after_an_error():
    old = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with pytest.raises(ValueError):
            with gcpolicy.fewer_collections():
                raise ValueError
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*old)
