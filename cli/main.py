"""The `avoid-survey` entry point: joins one typer sub-app or command per file.

Only typer is imported at start-up; every command imports pandas, numpy, statsmodels
and friends inside its own body, so `avoid-survey --help` stays fast.
"""
from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import Annotated, Optional

import typer

_HELP = ("Surveys of grassroots officials on accountability pressure, fault-tolerance trust "
         "and blame avoidance: instruments, validation, reliability, factor models, regressions.")


def _new_app() -> typer.Typer:
    a = typer.Typer(name="avoid-survey", help=_HELP, no_args_is_help=True, add_completion=True,
                    pretty_exceptions_enable=False, rich_markup_mode=None)
    a.callback()(_root)
    return a


_DEBUG = False

# (module in avoid_survey.cli, attribute, name) — a sub-app or a command function.
_COMMANDS = [
    ("instruments_cmd", "app", "instruments"),
    ("validate_cmd", "validate", "validate"),
    ("score_cmd", "score", "score"),
    ("reliability_cmd", "reliability", "reliability"),
    ("efa_cmd", "efa", "efa"),
    ("cfa_cmd", "cfa", "cfa"),
    ("sem_cmd", "sem", "sem"),
    ("cmv_cmd", "cmv", "cmv"),
    ("model_cmd", "model", "model"),
    ("simulate_cmd", "simulate", "simulate"),
    ("experiment_cmd", "experiment", "experiment"),
    ("report_cmd", "report", "report"),
    ("describe_cmd", "describe", "describe"),
    ("compare_cmd", "compare", "compare"),
]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("avoid-survey")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _version_cb(value: bool):
    if value:
        typer.echo(f"avoid-survey {_version()}")
        raise typer.Exit()


def _root(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version_cb, is_eager=True,
                                                    help="Show the version and exit.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks of internal errors.")] = False,
):
    global _DEBUG
    _DEBUG = debug or bool(os.environ.get("AVOID_SURVEY_DEBUG"))


def _add(target: typer.Typer, mod: str, attr: str, name: str) -> None:
    try:
        m = import_module(f"avoid_survey.cli.{mod}")
    except ModuleNotFoundError as exc:  # command not built yet
        if exc.name != f"avoid_survey.cli.{mod}":
            raise
        return
    obj = getattr(m, attr)
    if isinstance(obj, typer.Typer):
        target.add_typer(obj, name=name)
    else:
        target.command(name=name)(obj)


_APPS: dict = {}


def app_for(name: str | None = None) -> typer.Typer:
    """The command line with every command, or with only the command ``name``.

    typer builds the click parameters of every registered command on each run, so a run
    of one command registers only that one (the top-level ``--help``, completion and an
    unknown name get the full app); start-up then does not grow with the command list.
    """
    key = name if any(name == n for _, _, n in _COMMANDS) else None
    if key not in _APPS:
        a = _new_app()
        for mod, attr, cname in _COMMANDS:
            if key is None or cname == key:
                _add(a, mod, attr, cname)
        _APPS[key] = a
    return _APPS[key]


def __getattr__(name: str):
    if name == "app":   # the full command line (docgen, tests)
        return app_for(None)
    raise AttributeError(name)


def _command_name(argv) -> str | None:
    args = sys.argv[1:] if argv is None else list(argv)
    return next((a for a in args if not a.startswith("-")), None)


class _Interrupted(BaseException):
    """SIGINT during a run. typer turns a KeyboardInterrupt into a silent exit 130, so run()
    raises this instead (not caught by typer; write_atomic removes its temp file on it)."""


def _on_sigint(signum, frame):
    raise _Interrupted()


def run(argv=None) -> int:
    """Console entry point: one clear line and exit 2 for user errors, never a traceback."""
    import signal

    try:
        previous = signal.getsignal(signal.SIGINT)
        if previous is signal.SIG_IGN:  # started in the background: keep ignoring
            previous = None
        else:
            signal.signal(signal.SIGINT, _on_sigint)
    except ValueError:  # not the main thread
        previous = None
    try:
        return _run(argv)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _run(argv=None) -> int:
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    # typer >= 0.2x vendors click; find its exception classes without naming the module
    click_exception = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")

    try:
        import warnings

        from avoid_survey.analysis.core.errors import AvoidSurveyWarning, DataNote, DataWarning
        with warnings.catch_warnings(record=True) as caught:
            # package warnings are kept on results and printed once by the commands
            warnings.simplefilter("ignore", AvoidSurveyWarning)
            # numpy's floating-point RuntimeWarnings (overflow on absurd codes...) are not for
            # users; what matters reaches them as our own warnings or one error line
            warnings.simplefilter("ignore", RuntimeWarning)
            # what reading set aside is said once the command has worked (an error stays one line)
            warnings.simplefilter("always", DataWarning)
            from avoid_survey.analysis.io.readopts import using
            with using():   # every run starts with default read options and an empty read log
                rv = app_for(_command_name(argv))(args=argv, standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
        seen = set()
        for w in caught:
            msg = " ".join(str(w.message).split())
            if issubclass(w.category, DataWarning) and msg not in seen:
                seen.add(msg)
                sys.stderr.write(f"{'note' if issubclass(w.category, DataNote) else 'warning'}: {msg}\n")
    except AvoidSurveyError as exc:
        sys.stderr.write(f"error: {exc.one_line()}\n")
        code = 2
    except typer.Exit as exc:
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt, _Interrupted):
        sys.stderr.write("interrupted: no output was written\n")
        code = 130
    except click_exception as exc:
        msg = " ".join(exc.format_message().split())
        ctx = getattr(exc, "ctx", None)
        prefix = f"{ctx.command_path}: " if ctx is not None else ""
        sys.stderr.write(f"error: {prefix}{msg}\n")
        code = exc.exit_code if exc.exit_code != 1 else 2
    except BrokenPipeError:
        code = 0
    except MemoryError:
        sys.stderr.write("error: out of memory\n")
        code = 2
    except Exception as exc:  # a bug: one line unless --debug
        if _DEBUG or "--debug" in (argv or sys.argv):
            raise
        sys.stderr.write(f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]} "
                         f"(please report; rerun with --debug for details)\n")
        code = 3
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `... | head`: the reader has what it wanted
        pass
    if argv is None:
        _leave(code)
    return code


def _leave(code: int) -> None:
    """End the console command: flush, then ``os._exit``.

    Tearing the interpreter down frees every object of the run one by one: after
    ``validate`` on a million respondents that alone takes 0.1 to 0.2 s, with the answer
    already written. Nothing is lost by skipping it: every output file went through
    ``write_atomic`` (written, closed and renamed before the command returned), worker
    pools are shut down by the commands, and stdout and stderr are flushed here.
    """
    import os

    try:
        sys.stderr.flush()   # stdout was flushed by _run
    except OSError:
        pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
