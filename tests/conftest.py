import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "tests" / "reference"

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def cli(capsys):
    """Run the CLI in-process: returns (exit code, stdout, stderr)."""
    from avoid_survey.cli.main import run

    def _run(*args):
        code = run([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return _run
