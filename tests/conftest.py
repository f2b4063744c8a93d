import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "tests" / "reference"

os.environ.setdefault("MPLBACKEND", "Agg")
# the instrument cache (instruments/cache.py) of the test run: a fresh folder, not ~/.cache
if "AVOID_SURVEY_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["AVOID_SURVEY_CACHE_DIR"] = tempfile.mkdtemp(prefix="avoid-survey-tests-")


@pytest.fixture
def cli(capsys):
    """Run the CLI in-process: returns (exit code, stdout, stderr)."""
    from avoid_survey.cli.main import run

    def _run(*args):
        code = run([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return _run
