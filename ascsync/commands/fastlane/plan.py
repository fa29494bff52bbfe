"""The import plan: every file the import would write, and every note for the report.

The import is computed completely before anything is written, so a refused import never
leaves half a repo behind, and ``--dry-run`` shows exactly what a real run would do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class Level(StrEnum):
    """How a note reads in the report: errors first, then warnings, then plain notes."""

    ERROR = "error"  # something was not imported and the user must act (exit code 1)
    WARNING = "warning"  # not imported, or imported with a guess the user should check
    NOTE = "note"  # imported, but changed on the way in (the report says how)


@dataclass(frozen=True)
class Note:
    """One line of the report: a source path (or None for the whole import) and why."""

    level: Level
    source: Path | None
    message: str


@dataclass
class ImportPlan:
    """Everything the import would write, computed before anything is touched."""

    app_dir: Path  # relative to the output repo, e.g. apps/moviecatalog
    documents: dict[Path, Any] = field(default_factory=dict)  # relative path -> YAML data
    copies: dict[Path, Path] = field(default_factory=dict)  # relative target -> source file
    notes: list[Note] = field(default_factory=list)
    # Locale keys that locales/_defaults.yml provides; an existing locale file that sets
    # one of them would hide deliver's default/ value, so the writer removes it (reported).
    default_keys: set[str] = field(default_factory=set)

    def error(self, source: Path | None, message: str) -> None:
        self.notes.append(Note(Level.ERROR, source, message))

    def warn(self, source: Path | None, message: str) -> None:
        self.notes.append(Note(Level.WARNING, source, message))

    def note(self, source: Path | None, message: str) -> None:
        self.notes.append(Note(Level.NOTE, source, message))

    @property
    def errors(self) -> list[Note]:
        return [note for note in self.notes if note.level is Level.ERROR]


@dataclass(frozen=True)
class ImportOptions:
    """What the user told ``ascsync import fastlane``; None means "find it in the folder"."""

    source: Path
    screenshots: Path | None = None
    rating_config: Path | None = None
    previews: Path | None = None
    app: str | None = None
    bundle_id: str | None = None
    platform: str = "IOS"
    primary_locale: str | None = None
    app_version: str | None = None
