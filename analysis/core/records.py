"""Warnings kept on results as records, not bare strings.

A :class:`WarningRecord` carries a kebab-case ``code``, its ``category`` (the warning
class name: ``ConvergenceWarning``, ``HeywoodWarning`` ...), the ``message`` in the
language of the run and, where known, where it applies (``location``: a scale, an item,
a model). JSON keeps printing the message text (``str(record)``), so the output shape is
unchanged; the records let tables, ``--explain`` and the Python API group warnings.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["WarningRecord"]


@dataclass(frozen=True)
class WarningRecord:
    code: str
    message: str
    category: str = "AvoidSurveyWarning"
    location: str | None = None

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict:
        return {"code": self.code, "category": self.category, "message": self.message,
                "location": self.location}
