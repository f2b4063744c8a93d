"""The CLI reference, docs/cli.md, written from the commands themselves.

    python -m avoid_survey.cli.docgen > docs/cli.md       # or: make docs

tests/test_docs.py checks that docs/cli.md is what this prints, so the page cannot fall
behind an option that changed.
"""
from __future__ import annotations

import sys

WIDTH = 100

HEADER = """# avoid-survey command reference

Generated from the commands by `python -m avoid_survey.cli.docgen > docs/cli.md`
(`make docs`); do not edit by hand. Every command also answers `--help`.
Exit codes: 0 success (`validate`: no error-level finding), 1 `validate` found errors,
2 the input, instrument or spec could not be used (one line on stderr), 130 interrupted.
"""


def _walk(command, path, parent=None):
    """(command path, help context) for the command and every sub-command, in order."""
    ctx = command.context_class(command, info_name=path[-1], parent=parent, terminal_width=WIDTH,
                                max_content_width=WIDTH)
    yield path, ctx
    subs = getattr(command, "commands", None)
    if subs:
        for name in subs:
            yield from _walk(subs[name], [*path, name], ctx)


def reference() -> str:
    """The whole page as text."""
    import typer

    from avoid_survey.cli.main import app

    root = typer.main.get_command(app)
    out = [HEADER]
    for path, ctx in _walk(root, ["avoid-survey"]):
        if getattr(ctx.command, "hidden", False):
            continue
        title = " ".join(path)
        out.append(f"\n## `{title}`\n")
        out.append("```text")
        out.append(ctx.command.get_help(ctx).rstrip())
        out.append("```")
    return "\n".join(out) + "\n"


def main() -> None:
    sys.stdout.write(reference())


if __name__ == "__main__":
    main()
