"""A problem found in the desired-state repo, located at the file and line that caused it.

Every validator (text rules, locales, media, age rating, products) returns a list of
these instead of raising, so one run can report all mistakes at once. :class:`Source`
(where a value was written) lives here too, so the rules can point at a line without
knowing the repo model.
"""

from __future__ import annotations

import os
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

    def relative_file(self, root: Path | None = None) -> str | None:
        """The file relative to ``root`` when inside it (symlinks are not followed, so a
        link pointing out of the repo is shown where the user wrote it)."""
        if self.file is None:
            return None
        if root is None:
            return str(self.file)
        relative = os.path.relpath(self.file.absolute(), root.absolute())
        return str(self.file) if relative.startswith("..") else relative

    def format(self, root: Path | None = None) -> str:
        """Render as ``file:line: field: message (valid)``, paths relative to ``root``."""
        where = ""
        path = self.relative_file(root)
        if path is not None:
            where = f"{path}:{self.line}: " if self.line else f"{path}: "
        hint = f" ({self.valid})" if self.valid else ""
        return f"{where}{self.field}: {self.message}{hint}"

    def to_json(self, root: Path | None = None) -> dict[str, object]:
        """Stable machine form used by ``--format json``."""
        return {
            "severity": self.severity.value,
            "file": self.relative_file(root),
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "valid": self.valid,
        }


@dataclass(frozen=True)
class Source:
    """Where a value was written: a file and a 1-based line (``None`` when unknown/live)."""

    file: Path | None
    line: int | None = None

    def problem(
        self,
        field: str,
        message: str,
        valid: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> Problem:
        return Problem(self.file, self.line, field, message, valid, severity)

    def shifted(self, lines: int) -> Source:
        """The source ``lines`` further down, e.g. a line inside a long text file."""
        return Source(self.file, (self.line or 1) + lines)
