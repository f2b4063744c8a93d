"""The `avoid-survey` entry point: joins one typer sub-app or command per file.

Only typer is imported at start-up; every command imports pandas, numpy, statsmodels
and friends inside its own body, so `avoid-survey --help` stays fast.
"""
from __future__ import annotations

import os
import sys
from importlib import import_module

if os.path.basename((getattr(sys, "argv", None) or [""])[0] or "").startswith("avoid-survey"):
    # the console command's own process (not a test or a notebook importing this module):
    # fewer collections of the objects the imports below create (see gcpolicy)
    from avoid_survey.analysis.core.gcpolicy import quiet_collector

    quiet_collector()

from typing import Annotated, Optional  # noqa: E402

import typer  # noqa: E402

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
    short, full = _help_lines(name, obj)
    if isinstance(obj, typer.Typer):
        target.add_typer(obj, name=name, short_help=short)
    else:
        target.command(name=name, short_help=short, help=full)(obj)


def _help_lines(name: str, obj):
    """(the command list's line: Chinese summary, then English; the command's own --help:
    its docstring after the Chinese summary)."""
    import inspect

    from avoid_survey.analysis.core import i18n

    key = f"cli_help_{name}"
    pair = i18n.area_term("cli", key) or i18n.TERMS.get(key)   # its own area first: one module, not all
    if pair is None:
        return None, None
    en, zh = pair
    doc = inspect.getdoc(obj) if not isinstance(obj, typer.Typer) else None
    return f"{zh}。{en}.", (f"{zh}。\n\n{doc}" if doc else None)


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


# options whose value is a file the run writes (every command's); any other token naming an
# existing file is something the run reads
OUTPUT_OPTIONS = frozenset({
    "-o", "--output", "--out", "--figure", "--slopes-figure", "--balance-figure", "--clean", "--to",
    "--units-out", "--latent-out", "--wjx-out", "--versions-out", "--simulate-out", "--design-out",
    "--boot-indices", "--write-map", "--log", "--sem-figure", "--items-out",
})


def _check_paths(args) -> None:
    """Before any work: two outputs of one run must be different files, and no output may be
    a file the run reads (data, instrument, spec, model, map...). Every existing file named
    on the command line other than as an output is registered as an input."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.core.inputs import input_key, is_input, register_input

    outputs, skip = [], False
    for i, a in enumerate(args):
        if skip:
            skip = False
            continue
        opt, eq, val = a.partition("=")
        if a.startswith("-") and opt in OUTPUT_OPTIONS:
            if eq:
                outputs.append((opt, val))
            elif i + 1 < len(args):
                outputs.append((opt, args[i + 1]))
                skip = True
            continue
        cand = val if (a.startswith("--") and eq) else a
        if cand and not cand.startswith("-") and os.path.isfile(cand):
            register_input(cand)
    seen = {}
    for opt, val in outputs:
        if not val or val.startswith("-"):
            continue
        key = input_key(val)
        if key in seen and not _is_device(key):   # /dev/null twice is fine
            raise AvoidSurveyError(f"{seen[key]} and {opt} name the same file; give each output its own name",
                                   file=val)
        if is_input(val):
            raise AvoidSurveyError(f"{opt} names an input file of this run (a file it reads); choose another "
                                   f"output name", file=val)
        seen[key] = opt


def _is_device(path) -> bool:
    import stat
    try:
        return stat.S_ISCHR(os.stat(path).st_mode)
    except OSError:
        return False


class _Interrupted(BaseException):
    """SIGINT during a run. typer turns a KeyboardInterrupt into a silent exit 130, so run()
    raises this instead (not caught by typer; write_atomic removes its temp file on it)."""


def _on_sigint(signum, frame):
    raise _Interrupted(signum)


def run(argv=None) -> int:
    """Console entry point: one clear line and exit 2 for user errors, never a traceback."""
    import signal

    from avoid_survey.analysis.core.blas import idle_blas_threads

    idle_blas_threads()   # before numpy loads: idle OpenBLAS workers sleep instead of spinning
    previous = {}
    # SIGINT (Ctrl-C) and SIGTERM (kill, a scheduler's time limit) end the run the same way:
    # worker processes stopped, temporary files removed, nothing half-written left behind
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            old = signal.getsignal(sig)
            if old is signal.SIG_IGN:  # started in the background: keep ignoring
                continue
            signal.signal(sig, _on_sigint)
            previous[sig] = old
        except ValueError:  # not the main thread
            break
    try:
        return _run(argv)
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)


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
            from avoid_survey.analysis.core import inputs as _inputs
            _inputs._INPUTS.clear()   # one run, one set of inputs (run() is called again in-process by tests)
            _check_paths(sys.argv[1:] if argv is None else list(argv))
            from avoid_survey.analysis.io.readopts import using
            with using():   # every run starts with default read options and an empty read log
                rv = app_for(_command_name(argv))(args=argv, standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
        seen = set()
        for w in caught:
            msg = " ".join(str(w.message).split())
            if issubclass(w.category, DataWarning) and msg not in seen:
                seen.add(msg)
                is_note = issubclass(w.category, DataNote)
                sys.stderr.write(f"{'note' if is_note else 'warning'}: {msg}{_warn_gist(msg, argv, is_note)}\n")
    except AvoidSurveyError as exc:
        line = exc.one_line()
        sys.stderr.write(f"error: {line}{_gist(line, argv)}\n")
        code = 2
    except typer.Exit as exc:
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt, _Interrupted) as exc:
        sys.stderr.write(f"interrupted: no output was written{_warn_gist('', argv, False, 'wrn_interrupted')}\n")
        import signal
        code = 143 if isinstance(exc, _Interrupted) and exc.args[:1] == (signal.SIGTERM,) else 130
    except click_exception as exc:
        msg = " ".join(exc.format_message().split())
        ctx = getattr(exc, "ctx", None)
        prefix = f"{ctx.command_path}: " if ctx is not None else ""
        sys.stderr.write(f"error: {prefix}{msg}{_gist(msg, argv, 'err_option')}\n")
        code = exc.exit_code if exc.exit_code != 1 else 2
    except BrokenPipeError:
        code = 0
    except MemoryError:
        sys.stderr.write(f"error: out of memory{_memory_hint(argv)}\n")
        code = 2
    except OSError as exc:
        code = _os_error(exc, argv)
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
    except OSError as exc:   # stdout on a full device
        code = _os_error(exc, argv)
    if argv is None:
        _leave(code)
    return code


def _memory_hint(argv) -> str:
    """' while reading FILE' for the data file of the run, when there is one."""
    args = sys.argv[1:] if argv is None else list(argv)
    files = [a for a in args[1:] if not a.startswith("-") and os.path.isfile(a)]
    return (f" while working on {files[0]} (use a smaller file, fewer items, or a machine with more memory)"
            if files else "")


def _os_error(exc: OSError, argv) -> int:
    """An OSError that reached the top: writing to a full device (stdout redirected to a
    full disk, /dev/full) is a user situation (exit 2); anything else is a bug (exit 3)."""
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
        target = getattr(exc, "filename", None) or "standard output"
        why = {errno.EFBIG: "the file-size limit was reached", errno.EIO: "an input/output error"}.get(
            exc.errno, "the disk is full")
        line = f"{target}: cannot write the output: {why}"
        try:
            sys.stderr.write(f"error: {line}{_gist(line, argv)}\n")
        except OSError:
            pass
        _discard_stdout()
        return 2
    if _DEBUG or "--debug" in (argv or sys.argv):
        raise exc
    sys.stderr.write(f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]} "
                     f"(please report; rerun with --debug for details)\n")
    return 3


def _discard_stdout() -> None:
    """Drop what is still buffered for a stdout that cannot take it (so the final flush
    does not fail again)."""
    try:
        sys.stdout = open(os.devnull, "w")
    except OSError:  # pragma: no cover
        pass
def _run_lang(argv) -> str:
    """The --lang of the command line (every command defaults to zh)."""
    args = list(sys.argv[1:] if argv is None else argv)
    for k, a in enumerate(args):
        if a == "--lang" and k + 1 < len(args):
            return args[k + 1]
        if a.startswith("--lang="):
            return a.split("=", 1)[1]
    return "zh"


def _gist(message: str, argv, key=None) -> str:
    """Under --lang zh, the Chinese gist appended to an error line (errors are never English-only)."""
    try:
        from avoid_survey.analysis.core.errors import error_gist
        return error_gist(message, _run_lang(argv), key)
    except Exception:  # pragma: no cover - the error line itself must always print
        return ""


def _warn_gist(message: str, argv, note: bool, key=None) -> str:
    """Under --lang zh, the Chinese gist appended to a warning, note or interruption line."""
    try:
        from avoid_survey.analysis.core.errors import warning_gist
        return warning_gist(message, _run_lang(argv), note, key)
    except Exception:  # pragma: no cover - the line itself must always print
        return ""


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
