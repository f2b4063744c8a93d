"""A progress bar on stderr for long simulations and power analyses (a no-op when off)."""
from __future__ import annotations

__all__ = ["Progress", "stderr_tty"]


def stderr_tty() -> bool:
    import sys
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """A rich progress bar on stderr (a no-op when off); also the ``progress`` callback
    of :func:`.generation.simulate`."""

    def __init__(self, on: bool, label: str, total: int | None = None):
        self.on, self.label, self.total = on, label, total
        self._p = None

    def __enter__(self):
        if self.on:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as _RichProgress, TextColumn, \
                TimeElapsedColumn

            self._p = _RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                    TimeElapsedColumn(), console=Console(stderr=True), transient=False)
            self._p.start()
            self._task = self._p.add_task(self.label, total=self.total or 1)
        return self

    def __call__(self, stage, done, total):
        if self._p is not None:
            self._p.update(self._task, description=f"{self.label}: {stage}", completed=done, total=total)

    def advance(self, k: int = 1):
        if self._p is not None:
            self._p.advance(self._task, k)

    def __exit__(self, *exc):
        if self._p is not None:
            self._p.stop()
        return False
