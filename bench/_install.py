"""A throwaway regular install of the checkout, to time the package as users run it.

The development environment installs avoid-survey in editable mode (``make setup``: ``pip
install -e``). An editable install adds an import hook that every Python process of that
environment loads at start-up (the ``__editable__`` finder, with ``pathlib`` and
``urllib.parse``): about 10 ms per process that no user of ``pip install .`` (README) or of a
wheel pays. ``bench/run.py`` therefore times the commands of a regular install:

* a new virtual environment without pip, whose ``site-packages`` holds the package, installed
  and byte-compiled by ``pip install --no-deps --target`` from a copy of this checkout's
  sources (no network; nothing is built or left in the checkout),
* the dependencies (numpy, pandas, typer, ...) taken from the running interpreter's
  environment through a path (``.pth``) line, so the two environments run the same builds,
* an ``avoid-survey`` console script like the one pip writes into ``bin/``.

``python bench/run.py --editable`` times the development install instead; each bench
script run on its own times whatever ``python`` and ``avoid-survey`` are on ``PATH``.
"""
from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_SCRIPT = """#!{python}
import sys
from avoid_survey.cli.main import run
if __name__ == "__main__":
    sys.exit(run())
"""


def regular_install(folder: Path) -> dict:
    """Install the checkout into ``folder`` (a new venv); returns the environment in which
    the bench scripts run: ``PATH`` starts with its ``bin``, and its python comes first."""
    import venv

    folder = Path(folder)
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(folder)
    py = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    target = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                 capture_output=True, text=True, check=True).stdout.strip())
    deps = [p for p in {sysconfig.get_path("purelib"), sysconfig.get_path("platlib"), *site.getsitepackages()}
            if p and Path(p).is_dir()]
    (target / "zz_bench_dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    # from a copy of the sources: a build in the checkout would reuse its build/ folder, where a
    # module deleted since an earlier build would still be installed (and timed)
    src = folder / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__",
                                                             "demo_out", ".pytest_cache"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(src)], check=True, cwd=str(folder))
    exe = py.parent / "avoid-survey"
    exe.write_text(_SCRIPT.format(python=py))
    exe.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{py.parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    return {"python": str(py), "env": env}
