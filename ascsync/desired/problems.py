"""A problem found in the desired-state repo, located at the file and line that caused it.

Every validator (text rules, locales, media, age rating, products) returns a list of
these instead of raising, so one run can report all mistakes at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding: ``file:line: field: message (valid)``."""

    file: Path | None
    line: int | None
    field: str
    message: str
    valid: str | None = None
    severity: Severity = Severity.ERROR

    def format(self, root: Path | None = None) -> str:
        """Render as ``file:line: field: message (valid)``, paths relative to ``root``."""
        where = ""
        if self.file is not None:
            path = self.file
            if root is not None:
                try:
                    path = self.file.resolve().relative_to(root.resolve())
                except ValueError:
                    path = self.file
            where = f"{path}:{self.line}: " if self.line else f"{path}: "
        hint = f" ({self.valid})" if self.valid else ""
        return f"{where}{self.field}: {self.message}{hint}"

    def to_json(self, root: Path | None = None) -> dict:
        """Stable machine form used by ``--format json``."""
        file = None
        if self.file is not None:
            try:
                file = (
                    str(self.file.resolve().relative_to(root.resolve())) if root else str(self.file)
                )
            except ValueError:
                file = str(self.file)
        return {
            "severity": self.severity.value,
            "file": file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "valid": self.valid,
        }
