"""Start-up paths: idle OpenBLAS workers, the byte parser of plain numeric CSV files, lazy
package imports. Each gives the numbers of the path it shortcuts."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _py(code: str, **env) -> str:
    e = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_THREAD_TIMEOUT", "GOTO_THREAD_TIMEOUT")}
    e.update(env)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


# ---------------------------------------------------------------- idle BLAS threads
def test_api_imports_numpy_with_idle_workers_and_restores_the_environment():
    out = _py("import os, sys\n"
              "from avoid_survey.analysis.core import blas\n"
              "blas.import_numpy()\n"
              "print('numpy' in sys.modules, os.environ.get('OPENBLAS_THREAD_TIMEOUT'))")
    assert out == "True None"


def test_the_variable_is_set_while_numpy_loads():
    # a stand-in numpy module records the environment it was imported under
    out = _py("import os, sys, types\n"
              "class Finder:\n"
              "    def find_spec(self, name, path=None, target=None):\n"
              "        if name != 'numpy':\n"
              "            return None\n"
              "        import importlib.machinery as m\n"
              "        return m.ModuleSpec(name, self)\n"
              "    def create_module(self, spec):\n"
              "        mod = types.ModuleType('numpy'); mod.seen = os.environ.get('OPENBLAS_THREAD_TIMEOUT'); return mod\n"
              "    def exec_module(self, mod):\n"
              "        pass\n"
              "sys.meta_path.insert(0, Finder())\n"
              "from avoid_survey.analysis.core.blas import import_numpy\n"
              "print(import_numpy().seen, os.environ.get('OPENBLAS_THREAD_TIMEOUT'))")
    assert out == "4 None"


@pytest.mark.parametrize("var", ["OPENBLAS_THREAD_TIMEOUT", "GOTO_THREAD_TIMEOUT"])
def test_a_user_setting_is_kept(var):
    out = _py("import os\n"
              "from avoid_survey.analysis.core.blas import idle_blas_threads\n"
              f"print(idle_blas_threads(), os.environ.get('OPENBLAS_THREAD_TIMEOUT'), os.environ.get({var!r}))",
              **{var: "9"})
    assert out == ("False 9 9" if var == "OPENBLAS_THREAD_TIMEOUT" else "False None 9")


def test_the_command_sets_it_for_its_process_and_loads_no_numpy_for_version():
    out = _py("import os, sys\n"
              "from avoid_survey.cli.main import run\n"
              "code = run(['--version'])\n"
              "print(code, os.environ.get('OPENBLAS_THREAD_TIMEOUT'), 'numpy' in sys.modules)")
    assert out.splitlines()[-1] == "0 4 False"


def test_no_setting_once_numpy_is_loaded():
    out = _py("import numpy, os\n"
              "from avoid_survey.analysis.core.blas import idle_blas_threads\n"
              "print(idle_blas_threads(), os.environ.get('OPENBLAS_THREAD_TIMEOUT'))")
    assert out == "False None"
