"""An interrupted run (SIGINT during a bootstrap) exits 130 with one line and leaves no
output or temporary file behind (issue 9, 'nothing lost')."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIX = Path(__file__).resolve().parent / "fixtures" / "validate"


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery to a child needs POSIX")
def test_sigint_during_bootstrap_exits_130_and_writes_nothing(tmp_path):
    data = tmp_path / "clean.csv"
    data.write_bytes((FIX / "clean.csv").read_bytes())
    before = sorted(os.listdir(tmp_path))
    cmd = [sys.executable, "-c", "from avoid_survey.cli.main import run; run()",
           "reliability", str(data), "--instrument", str(FIX / "instrument.yaml"), "--ci", "bootstrap",
           "--n-boot", "20000000", "--seed", "1", "--output", str(tmp_path / "out.json"), "--format", "json"]
    p = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         # the child must not inherit an ignored SIGINT
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(1.5)
    assert p.poll() is None, "the run finished before it could be interrupted"
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines == ["interrupted: no output was written"], err
    assert out == ""
    assert sorted(os.listdir(tmp_path)) == before  # no out.json, no .out.json.*.part temp file


def test_interrupt_inside_write_removes_the_temp_file(tmp_path, capsys, monkeypatch):
    """SIGINT while the output is being written: the temporary file is removed too."""
    from avoid_survey.analysis.io import output
    from avoid_survey.cli import main

    real = output.write_atomic_with

    def interrupted(path, writer, force=False):
        def w(tmp):
            writer(tmp)
            assert os.path.exists(tmp)
            main._on_sigint(signal.SIGINT, None)
        return real(path, w, force)

    monkeypatch.setattr(output, "write_atomic_with", interrupted)
    code = main.run(["reliability", str(FIX / "clean.csv"), "--instrument", str(FIX / "instrument.yaml"),
                     "--output", str(tmp_path / "out.json"), "--format", "json"])
    err = capsys.readouterr().err
    assert code == 130
    assert err.strip() == "interrupted: no output was written"
    assert os.listdir(tmp_path) == []
