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
           "--n-boot", "1000000", "--seed", "1", "--output", str(tmp_path / "out.json"), "--format", "json"]
    p = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         # the child must not inherit an ignored SIGINT
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(1.5)
    assert p.poll() is None, "the run finished before it could be interrupted"
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines == ["interrupted: no output was written | 已中断，未写出任何输出"], err
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
    assert err.strip() == "interrupted: no output was written | 已中断，未写出任何输出"
    assert os.listdir(tmp_path) == []


def _children(pid: int) -> set:
    """Process ids whose parent is ``pid`` (from /proc)."""
    out = set()
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.add(int(d))
    return out


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to see the worker processes")
@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signals_stop_simulate_replicate_workers_and_temp_files(tmp_path, sig, code):
    """SIGINT or SIGTERM during `simulate --replicate` with worker processes: exit within
    seconds, workers gone, no temporary folder left (issue 20)."""
    sim = Path(__file__).resolve().parent / "fixtures" / "simulate"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    cmd = [sys.executable, "-c", "from avoid_survey.cli.main import run; run()",
           "simulate", "--spec", str(sim / "mini-study.yaml"), "--replicate", "2000",
           "--fit", str(sim / "mini-model.yaml"), "--jobs", "2", "--format", "json"]
    env = dict(os.environ, TMPDIR=str(tmpdir))
    p = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    workers = set()
    deadline = time.time() + 60
    while time.time() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers |= _children(p.pid)
        assert p.poll() is None, p.communicate()[1]
    assert workers, "no worker processes started"
    time.sleep(0.5)
    t0 = time.time()
    p.send_signal(sig)
    out, err = p.communicate(timeout=30)
    assert time.time() - t0 < 15
    assert p.returncode == code
    assert [ln for ln in err.splitlines() if ln.strip()][-1] == "interrupted: no output was written | 已中断，未写出任何输出"
    time.sleep(0.5)
    alive = [w for w in workers if os.path.exists(f"/proc/{w}") and "Z" not in open(f"/proc/{w}/stat").read().rsplit(")", 1)[1].split()[0]]
    assert alive == []
    assert os.listdir(tmpdir) == []
